from __future__ import annotations

from datetime import date, datetime

import pytest

from checks.dates import CHECK, window_start
from models import Signature
from models.document import InkMark

HEAD = "Completion Letter\nCustomer Calloway Beverage Company\nDate 1 May 2023\nProject Timeline\nStarted 2 May 2025.\n"


def _block(date_text: str) -> str:
    return (HEAD + "Accepted on behalf of the Customer\nCompany: Calloway Beverage Company\nSignature:\n"
            f"Name: Robert Hoffman\nTitle: IT Director\nDate: {date_text}\n")


@pytest.mark.parametrize(
    ("claim_date", "country", "date_text", "status"),
    [
        pytest.param("2025-06-28", "US", "14 March 2025", "pass", id="inside-day-month-name"),
        pytest.param("2025-06-28", "US", "03/14/2025", "pass", id="inside-us-numeric"),
        pytest.param("2025-06-28", "GB", "14.03.2025", "pass", id="inside-dotted-dmy"),
        pytest.param("2025-06-28", "US", "2025-03-14", "pass", id="inside-iso"),
        pytest.param("2025-06-28", "US", "March 14th, 2025", "pass", id="inside-ordinal"),
        pytest.param("2025-06-28", "US", "2024-06-28", "pass", id="boundary-first-day-inclusive"),
        pytest.param("2025-06-28", "US", "2024-06-27", "fail", id="boundary-one-day-older"),
        pytest.param("2025-06-28", "US", "2025-06-28", "pass", id="boundary-claim-day"),
        pytest.param("2025-06-28", "US", "2025-06-29", "fail", id="after-claim-date"),
        pytest.param("2025-06-28", "US", "30 January 2024", "fail", id="older"),
        pytest.param("2025-06-28", "US", "", "fail", id="undated"),
        pytest.param("2025-06-28", "GB", "01/06/2025", "pass", id="dmy-first-june"),
        pytest.param("2025-03-15", "GB", "01/06/2025", "fail", id="dmy-read-as-june-after-claim"),
    ],
)
def test_signature_block_dates(build, claim_date, country, date_text, status):
    claim = build.claim(claim_date=claim_date, country=country)
    res = CHECK.run(claim, [build.pdf(_block(date_text), inked=True)], build.ctx(claim))
    assert res.status == status, res.message
    assert res.blocking
    if status == "pass":
        assert res.evidence[0].quote == date_text
    else:
        assert res.remediation
    if date_text == "2025-06-29":
        assert "after the claim date" in res.message
    if not date_text:  # an empty Date field: the letter's own date (1 May 2023) dates the signature
        assert "undated" in res.message or "document date" in " ".join(e.note or "" for e in res.evidence)


def test_other_dates_are_not_the_acknowledgement(build):
    """The letter's header and timeline dates are not the signature date."""
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(_block("2 June 2025"), inked=True)], build.ctx(claim))
    assert res.status == "pass"
    assert res.details == {"from": "2024-06-28", "to": "2025-06-28"}
    assert [e.quote for e in res.evidence] == ["2 June 2025"]


def test_no_acknowledgement(build):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(HEAD)], build.ctx(claim))
    assert res.status == "fail" and "no dated customer acknowledgement" in res.message


@pytest.mark.parametrize(("sent", "status"), [pytest.param(datetime(2025, 1, 4, 19, 32), "pass", id="recent"),
                                              pytest.param(datetime(2024, 4, 14, 16, 51), "fail", id="old")])
def test_email_sent_date(build, sent, status):
    claim = build.claim()
    doc = build.email("We are happy to approve the engagement as complete.", sender="a.user@callowaybev.com",
                      to=["b@brightwatercyber.com"], sent=sent)
    res = CHECK.run(claim, [doc], build.ctx(claim))
    assert res.status == status
    assert res.evidence[0].rule_id == "email_sent"


def test_certificate_completion_time(build):
    claim = build.claim(claim_date="2026-02-01")
    cert = ("Certificate Of Completion\nEnvelope Id B9DB685B1AF1FECD1A52042D9384E7F7\nSigner Events\nA New User\n"
            "a.user@callowaybev.com\nSigned: 1/20/2025 11:21:57 AM\nCompleted Security Checked 1/20/2025 1:50 PM\n")
    res = CHECK.run(claim, [build.pdf(HEAD, cert)], build.ctx(claim))
    assert res.status == "fail" and "2025-01-20" in res.message and "more than 12 months" in res.message


def test_digital_signing_time(build):
    claim = build.claim()
    sig = Signature(field="S", file="letter.pdf", signer_email="a.user@callowaybev.com",
                    signing_time=datetime(2025, 3, 20, 20, 45), intact=True, trusted=True)
    res = CHECK.run(claim, [build.pdf(HEAD, signatures=(sig,))], build.ctx(claim))
    assert res.status == "pass" and res.evidence[0].rule_id == "signing_time"


def test_ocr_unreadable_block_uses_letter_date(build):
    """A scan whose OCR lost the signature table but whose image shows the signature: the letter's own
    date stands in, and says so."""
    claim = build.claim()
    page1 = "Services Completion Letter\n| Customer Calloway Beverage Company\nDate 2024-12-02\nWork Performed\n"
    page2 = "Accepted on behalf of the Customer\nCalloway Beverage Company\nDelivered by\ni Exum:\n"
    doc = build.pdf(page1, page2, ocr=True)
    mark = InkMark(offset=0, anchor="heading", label="Signature", region=(0.13, 0.1, 0.5, 0.15), ink=0.04, inked=True)
    doc = doc.model_copy(update={"parts": [doc.parts[0], doc.parts[1].model_copy(update={"ink_marks": [mark]})]})
    res = CHECK.run(claim, [doc], build.ctx(claim))
    assert res.status == "pass"
    assert "document date" in res.evidence[0].note


@pytest.mark.parametrize(("ref", "start"), [pytest.param(date(2025, 6, 28), date(2024, 6, 28), id="plain"),
                                            pytest.param(date(2024, 2, 29), date(2023, 2, 28), id="leap-day")])
def test_window_start(ref, start):
    assert window_start(ref) == start


def test_real_fixture_old_signature(build):
    claim, docs = build.dev_pdf("dev-014")
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == "fail" and "2024-01-30" in res.message
