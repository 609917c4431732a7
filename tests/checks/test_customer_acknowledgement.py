from __future__ import annotations

from datetime import datetime

import pytest

from checks.customer_acknowledgement import CHECK
from models import Signature
from models.document import InkMark

LETTER = ("Services Completion Letter\nCustomer Calloway Beverage Company\nMicrosoft Partner Brightwater Cyber "
          "Partners LLC\nDate 20 January 2025\nWork Performed\nDeployed Defender for Endpoint to 2,200 devices.\n")
PARTNER_BLOCK = ("Delivered by\nCompany: Brightwater Cyber Partners LLC\nSignature:\nName: Bonnie Watson\n"
                 "Title: Principal Consultant\nDate: 20 January 2025\n")
CERT = """Certificate Of Completion
Envelope Id B9DB685B1AF1FECD1A52042D9384E7F7
Status Completed
Signer Events
Signer Signature Timestamp
Robert Hoffman
robert.hoffman@callowaybev.co
m
Director of Technology Services
Calloway Beverage Company
Sent: 1/20/2025 8:16:10
AM
Signed: 1/20/2025
11:21:57 AM
Bonnie Watson
bonnie.watson@brightwatercyb
er.com
Signed: 1/20/2025
1:50:57 PM
Envelope Summary Events
Completed Security Checked 1/20/2025 1:50:59 PM
"""
ADOBE = """Final Audit Report 2025-01-21
Created: 2025-01-20
By: Bonnie Watson (bonnie.watson@brightwatercyber.com)
Status: Signed
Transaction ID: CBJCHBCAABAAk8s2m1Qp9XzT4yR7
"SOW Acceptance" History
Document created by Bonnie Watson (bonnie.watson@brightwatercyber.com)
2025-01-20 - 4:10:11 PM GMT
Document e-signed by a new user (a.user@callowaybev.com)
Signature Date: 2025-01-20 - 7:21:57 PM GMT - Time Source: server
Agreement completed.
2025-01-20 - 7:21:57 PM GMT
"""


@pytest.mark.parametrize(
    ("pages", "ocr", "status", "kind"),
    [
        pytest.param([LETTER + "Accepted on behalf of the Customer\nCompany: Calloway Beverage Company\nSignature:\n"
                      "Name: Robert Hoffman\nTitle: Director of Technology Services\nDate: 20 January 2025\n"
                      + PARTNER_BLOCK], False, "pass", "wet_signature", id="labelled-block"),
        pytest.param([LETTER + "Customer Sign-off\nSigned: ______________\nPrinted name: Robert Hoffman\n"
                      "Position: IT Director\nDate signed: 01/20/2025\n"], False, "pass", "wet_signature",
                     id="other-labels"),
        pytest.param([LETTER + "For and on behalf of Calloway Beverage Company\nSignature\nName Robert Hoffman\n"
                      "Title CIO\nDate 2025-01-20\n"], False, "pass", "wet_signature", id="signed-for-customer-name"),
        pytest.param([LETTER + "Accepted on behalf of the Customer\nCalloway Beverage Company\nSignature a)\n"
                      "Robert Hoffman\nHead of IT Operations\n2025-01-20\nDelivered by\nBrightwater\n"], True, "pass",
                     "wet_signature", id="ocr-labels-lost"),
        pytest.param([LETTER + "Accepted on behalf of the Customer Delivered by\nCompany: Calloway Beverage Company "
                      "Company: Brightwater Cyber Partners LLC\nnn == SIQnaature? °\nName: Robert Hoffman Nee ee\n"
                      "; women So Name: Bonnie Watson\nTitle: Chief Information Officer a\nDate: 01/20/2025 ehh\n"],
                     True, "pass", "wet_signature", id="ocr-two-columns"),
        pytest.param([LETTER + "Accepted on behalf of the Customer\nCompany: Calloway Beverage Company\n"
                      "Signature: /s/ Robert Hoffman\nName: Robert Hoffman\nTitle: CIO\nDate: 20 January 2025\n"
                      + PARTNER_BLOCK], False, "fail", "typed", id="typed-slash-s"),
        pytest.param([LETTER + "Accepted on behalf of the Customer\nCompany: Calloway Beverage Company\n"
                      "Signature:\nName:\nTitle:\nDate:\n" + PARTNER_BLOCK], False, "fail", "empty", id="empty-block"),
        pytest.param([LETTER + PARTNER_BLOCK + "\nCalloway Beverage Company Inc.\nSigned:\nName: Robert Hoffman\n"
                      "Position: CIO\nDate: 20 January 2025\n"], False, "pass", "wet_signature",
                     id="bare-customer-name-column-heading"),
        pytest.param(["Calloway Beverage Company\nAttn: Robert Hoffman\nCIO\n20 January 2025\n" + LETTER
                      + PARTNER_BLOCK], False, "fail", "partner", id="customer-address-block-is-no-signature"),
        pytest.param([LETTER + PARTNER_BLOCK], False, "fail", "partner", id="partner-only"),
        pytest.param([LETTER + "Prepared by a new user, Practice Lead, Brightwater."], False, "fail", "none",
                     id="unsigned-report"),
        pytest.param([LETTER, CERT], False, "pass", "esign_certificate", id="docusign-certificate"),
        pytest.param([LETTER, ADOBE], False, "pass", "esign_certificate", id="adobe-audit-report"),
        pytest.param([LETTER, CERT.replace("callowaybev.co\nm", "example.org").replace("Calloway Beverage Company",
                                                                                      "Other Org")],
                     False, "fail", "certificate-no-customer", id="certificate-partner-only"),
    ],
)
def test_documents(build, pages, ocr, status, kind):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(*pages, ocr=ocr, inked=kind == "wet_signature")], build.ctx(claim))
    assert res.status == status, res.message
    assert res.blocking
    if status == "pass":
        assert kind in res.details["kinds"]
        assert res.evidence and all(e.file == "letter.pdf" for e in res.evidence)
        if kind == "esign_certificate":
            assert "not cryptographic proof" in res.evidence[0].note
    else:
        assert res.remediation
        if kind == "typed":
            assert "/s/" in res.message
        if kind == "partner":
            assert "partner" in res.message


CUSTOMER = "A New User <a.user@callowaybev.com>"


@pytest.mark.parametrize(
    ("body", "sender", "subject", "status"),
    [
        pytest.param("Hi,\n\nThis email is our confirmation that Brightwater delivered the Defender rollout.\n\n"
                     "Kind regards", "a.user@callowaybev.com", "Completion", "pass", id="confirmation"),
        pytest.param("Team,\nI confirm that the Intune deployment carried out by Brightwater is finished and "
                     "accepted.\n", "a.user@it.callowaybev.com", "Done", "pass", id="subdomain-sender"),
        pytest.param("Consider the project accepted on our side.\n\nOn Thu, 6 Feb 2025 at 09:58, Bonnie "
                     "<bonnie.watson@brightwatercyber.com> wrote:\n> could you reply to confirm that you accept?",
                     "a.user@callowaybev.com", "RE: Completion", "pass", id="reply-above-quote"),
        pytest.param("Dzień dobry,\n\npotwierdzam, że prace opisane poniżej zostały wykonane zgodnie z zakresem "
                     "projektu. Odbieramy je bez zastrzeżeń.\n\nPozdrawiam", "a.user@callowaybev.com", "Re: Odbiór",
                     "pass", id="polish-approval"),
        pytest.param("Thanks for the update.\n\nKind regards,\nA New User\nCIO\nCalloway Beverage Company\n"
                     "+1 555 0100", "a.user@callowaybev.com", "Update", "fail", id="flat-signature-only"),
        pytest.param("Could you confirm that the rollout is completed? Once the report arrives we will approve "
                     "the project.", "a.user@callowaybev.com", "Question", "fail", id="request-not-approval"),
        pytest.param("Thanks.\n\nOn Thu, 6 Feb 2025, Bonnie wrote:\n> We confirm that the work is completed.",
                     "a.user@callowaybev.com", "RE: x", "fail", id="approval-only-in-quoted-partner-text"),
        pytest.param("FYI - customer sign-off below.\n\n---------- Forwarded message ---------\nFrom: A New User "
                     "<a.user@callowaybev.com>\nDate: Wed, Mar 19, 2025\n\nConsider the project accepted on our "
                     "side.", "tyler@brightwatercyber.com", "Fwd: Completion", "fail", id="forwarded"),
        pytest.param("Quick update: we wrapped up the project. The customer seemed happy.",
                     "mark@brightwatercyber.com", "Summit", "fail", id="internal-partner-mail"),
    ],
)
def test_emails(build, body, sender, subject, status):
    claim = build.claim()
    doc = build.email(body, sender=sender, to=["bonnie.watson@brightwatercyber.com"], subject=subject)
    res = CHECK.run(claim, [doc], build.ctx(claim))
    assert res.status == status, res.message
    if status == "pass":
        assert res.details["kinds"] == ["customer_email"]
        assert res.evidence[0].part == "mail.msg"
    if "forward" in subject.lower() or subject.startswith("Fwd"):
        assert "forward" in res.message


def _sig(**kw) -> Signature:
    base = {"field": "CustomerSignature", "file": "letter.pdf", "signer_name": "A New User",
                "signer_email": "a.user@callowaybev.com", "signer_org": "Calloway Beverage Company",
                "signing_time": datetime(2025, 3, 20, 20, 45), "intact": True, "trusted": True, "summary": "ok"}
    return Signature(**{**base, **kw})


@pytest.mark.parametrize(
    ("sig", "status"),
    [
        pytest.param(_sig(), "pass", id="valid-customer"),
        pytest.param(_sig(trusted=False), "fail", id="untrusted"),
        pytest.param(_sig(signer_email="x@brightwatercyber.com", signer_org="Brightwater"), "fail",
                     id="valid-but-partner"),
    ],
)
def test_digital_signature_acknowledgement(build, sig, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(LETTER, signatures=(sig,))], build.ctx(claim))
    assert res.status == status
    if status == "pass":
        assert res.details["kinds"] == ["digital_signature"]
        assert res.evidence[0].start == res.evidence[0].end == 0


@pytest.mark.parametrize(("case", "status"), [pytest.param("dev-001", "pass", id="dev-001-wet"),
                                              pytest.param("dev-008", "pass", id="dev-008-docusign"),
                                              pytest.param("dev-034", "fail", id="dev-034-typed"),
                                              pytest.param("dev-035", "fail", id="dev-035-unsigned")])
def test_real_fixtures(build, case, status):
    claim, docs = build.dev_pdf(case)
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == status, res.message
    if case == "dev-008":
        assert "esign_certificate" in res.details["kinds"]


# Ink marks as ingestion measures them in the page image (service/ingest/ink.py): the check maps each block to
# the marks anchored in it.
SCAN_BLOCK = "Accepted on behalf of the Customer\nCalloway Beverage Company\nDelivered by\ni Exum:\n"
TWO_COLUMNS = ("Accepted on behalf of the Customer Delivered by\nCompany: Calloway Beverage Company Company: "
               "Brightwater Cyber Partners LLC\nName: Robert Hoffman Name: Bonnie Watson\n"
               "Title: Chief Information Officer Title: Principal Consultant\nDate: 01/20/2025 Date: 01/20/2025\n")
LABELLED = ("Accepted on behalf of the Customer\nCompany: Calloway Beverage Company\nSignature:\n"
            "Name: Robert Hoffman\nTitle: Director of Technology Services\nDate: 20 January 2025\n" + PARTNER_BLOCK)


SIDE_BY_SIDE = ("Customer acceptance (to be signed by Calloway Beverage Company):\nCalloway Beverage Company\n"
                "Name:\nSignature:\nTitle:\nDate:\nBrightwater Cyber Partners LLC\nName: Bonnie Watson\nSignature:\n"
                "Title: Principal Consultant\nDate: 20 January 2025\n")


def _mark(text: str, at: str, *, inked: bool, anchor: str = "heading", last: bool = False) -> InkMark:
    return InkMark(offset=text.rindex(at) if last else text.index(at), anchor=anchor, label="Signature", region=(0.12, 0.1, 0.5, 0.15),
                   ink=0.05 if inked else 0.0, inked=inked)


def _with_marks(build, page2: str, marks, *, ocr: bool):
    """A two-page letter whose second page carries `marks` (None: the page image was not measured)."""
    doc = build.pdf(LETTER, page2, ocr=ocr)
    parts = [doc.parts[0], doc.parts[1].model_copy(update={"ink_marks": marks})]
    return doc.model_copy(update={"parts": parts})


@pytest.mark.parametrize(
    ("page2", "marks", "ocr", "status", "words"),
    [
        pytest.param(SCAN_BLOCK, None, True, "fail", "could not be read and no handwritten mark",
                     id="unreadable-scan-not-measured"),
        pytest.param(SCAN_BLOCK, [_mark(SCAN_BLOCK, "Accepted", inked=True)], True, "pass",
                     "handwritten mark found in the signature area, page 2", id="unreadable-scan-inked"),
        pytest.param(SCAN_BLOCK, [_mark(SCAN_BLOCK, "Accepted", inked=False)], True, "fail",
                     "signature line is empty", id="unreadable-scan-empty-line"),
        pytest.param(LABELLED, [_mark(LABELLED, "Signature:", inked=True, anchor="label")], False, "pass",
                     "handwritten mark found", id="letter-signature-image"),
        pytest.param(LABELLED, [_mark(LABELLED, "Signature:", inked=False, anchor="label")], False, "fail",
                     "printed or script-font name, no handwritten mark", id="letter-name-only-flat"),
        pytest.param(TWO_COLUMNS, [_mark(TWO_COLUMNS, "Accepted", inked=False),
                                   _mark(TWO_COLUMNS, "Delivered by", inked=True)], True, "fail",
                     "no handwritten mark", id="only-partner-column-inked"),
        pytest.param(SIDE_BY_SIDE, [_mark(SIDE_BY_SIDE, "Signature:", inked=False, anchor="label"),
                                    _mark(SIDE_BY_SIDE, "Signature:", inked=True, anchor="label", last=True)],
                     False, "fail", "signature line is empty", id="columns-in-one-text-block-partner-inked"),
        pytest.param(TWO_COLUMNS, [_mark(TWO_COLUMNS, "Accepted", inked=True),
                                   _mark(TWO_COLUMNS, "Delivered by", inked=False)], True, "pass",
                     "handwritten mark found", id="customer-column-inked"),
    ],
)
def test_ink_marks_decide_wet_signatures(build, page2, marks, ocr, status, words):
    claim = build.claim()
    res = CHECK.run(claim, [_with_marks(build, page2, marks, ocr=ocr)], build.ctx(claim))
    assert res.status == status, res.message
    if status == "pass":
        assert res.details["kinds"] == ["wet_signature"]
        assert words in res.evidence[0].note
    else:
        assert words in res.message and res.remediation


@pytest.mark.parametrize(("body", "status"), [
    ("Looks good — approved, thanks team.\n\nDana", "pass"),
    ("Approved.\n\nThanks, Renee", "pass"),
    ("Not approved yet: two sites are still missing.", "fail"),
    ("Approved by finance? Please check before we sign off.", "fail"),
])
def test_terse_replies(build, body, status):
    claim = build.claim()
    doc = build.email(body, sender="a.user@callowaybev.com", to=["bonnie.watson@brightwatercyber.com"],
                      subject="RE: Defender rollout complete - please confirm")
    assert CHECK.run(claim, [doc], build.ctx(claim)).status == status
