from __future__ import annotations

import pytest

from checks.email_provenance import CHECK

APPROVAL = "Consider the project accepted on our side.\n\nKind regards,\nA New User"
FWD_BLOCK = ("FYI - customer sign-off below.\n\n---------- Forwarded message ---------\nFrom: A New User "
             "<a.user@callowaybev.com>\nDate: Wed, Mar 19, 2025\n\n" + APPROVAL)
OUTLOOK_FWD = ("FYI\n\n________________________________\nFrom: A New User <a.user@callowaybev.com>\n"
               "Sent: Saturday, December 7, 2024 2:26 PM\nTo: Tyler <tyler@brightwatercyber.com>\n\n" + APPROVAL)
REPLY = (APPROVAL + "\n\nOn Thu, 6 Feb 2025 at 09:58, Bonnie <b@brightwatercyber.com> wrote:\n> Could you confirm?")
OUTLOOK_REPLY = (APPROVAL + "\n\n-----Original Message-----\nFrom: Bonnie <b@brightwatercyber.com>\n"
                 "Sent: Thursday, February 6, 2025 9:58 AM\n\nCould you confirm?")


@pytest.mark.parametrize(
    ("body", "sender", "to", "subject", "status"),
    [
        pytest.param(APPROVAL, "a.user@callowaybev.com", ["b@brightwatercyber.com"], "Completion", "pass",
                     id="original-customer-to-partner"),
        pytest.param(REPLY, "a.user@callowaybev.com", ["b@brightwatercyber.com"], "RE: Completion", "pass",
                     id="reply-quoting-partner"),
        pytest.param(OUTLOOK_REPLY, "a.user@callowaybev.com", ["b@brightwatercyber.com"], "AW: Completion", "pass",
                     id="outlook-reply-german-prefix"),
        pytest.param("Please find the report.", "b@brightwatercyber.com", ["a.user@mail.callowaybev.com"],
                     "Report", "pass", id="partner-to-customer-subdomain"),
        pytest.param(OUTLOOK_FWD, "tyler@brightwatercyber.com", ["x@brightwatercyber.com"], "FW: Completion",
                     "fail", id="fw-subject"),
        pytest.param(FWD_BLOCK, "tyler@brightwatercyber.com", ["x@brightwatercyber.com"], "Fwd: Completion",
                     "fail", id="fwd-subject"),
        pytest.param(FWD_BLOCK, "tyler@brightwatercyber.com", ["a.user@callowaybev.com"], "Completion", "fail",
                     id="forward-block-without-prefix"),
        pytest.param(OUTLOOK_FWD, "tyler@brightwatercyber.com", ["a.user@callowaybev.com"], "Completion", "fail",
                     id="outlook-header-block-not-a-reply"),
        pytest.param(APPROVAL, "tyler@brightwatercyber.com", ["x@brightwatercyber.com"], "WG: Completion", "fail",
                     id="wg-prefix"),
        pytest.param("Quick update: we wrapped up the project.", "mark@brightwatercyber.com",
                     ["amanda@brightwatercyber.com"], "Summit Ridge", "fail", id="internal-partner-mail"),
    ],
)
def test_email_provenance(build, body, sender, to, subject, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.email(body, sender=sender, to=to, subject=subject)], build.ctx(claim))
    assert res.status == status, res.message
    assert res.evidence
    if status == "fail":
        assert res.blocking and res.remediation


def test_not_applicable_without_email(build):
    claim = build.claim()
    assert CHECK.run(claim, [build.pdf("A letter.")], build.ctx(claim)).status == "not_applicable"


def test_customer_to_customer_warns(build):
    claim = build.claim()
    doc = build.email(APPROVAL, sender="a.user@callowaybev.com", to=["boss@callowaybev.com"])
    res = CHECK.run(claim, [doc], build.ctx(claim))
    assert res.status == "warn" and not res.blocking


def test_nested_email_is_not_judged(build):
    """Only the top-level e-mail counts; a forward attached inside an original does not make it a forward."""
    claim = build.claim()
    doc = build.email(APPROVAL, sender="a.user@callowaybev.com", to=["b@brightwatercyber.com"],
                      attachments=(("old.msg", FWD_BLOCK),))
    assert CHECK.run(claim, [doc], build.ctx(claim)).status == "pass"


def test_no_rule_reads_a_line_start_across_blank_lines():
    """'^\\s*' at a line start runs over every following blank line, from each of them: squared cost."""
    from checks.rulebook import load_yaml  # reason: the raw rule files

    for name in ("email.yaml", "licensing.yaml"):
        text = str(load_yaml(name))
        assert "^\\\\s*" not in text and "^\\s*" not in text, name


def test_a_body_of_blank_lines_is_read_in_linear_time():
    """300,000 blank lines: each marker is tried once per line (with '^\\s*' it was 4.5e10 steps a marker,
    which never finishes)."""
    from checks.findings.acknowledgements import first_match  # reason: the marker lists' own matcher

    body = "Thanks.\n" + "\n" * 300_000 + "---------- Forwarded message ---------\nFrom: x@y.com\n"
    assert first_match("quote_markers", body) is None
    rid, found = first_match("forward_markers", body)
    assert rid == "gmail_forward" and found.start() == len("Thanks.\n") + 300_000
