"""An intact digital signature with no trust roots configured: warn (needs more POE), never fail, never pass.

Issue 16, finding 1: the dev set's correctly signed letter failed digital_signature, customer_acknowledgement and
dates when no trust roots were configured, and the partner was told to have the customer sign it again."""
from __future__ import annotations

from datetime import datetime

import pytest

from checks.customer_acknowledgement import CHECK as ACKNOWLEDGEMENT
from checks.dates import CHECK as DATES
from checks.digital_signature import CHECK as DIGITAL
from checks.runner import run_checks
from checks.scoring import verdict
from models import Signature

LETTER = ("Services Completion Letter\nCustomer Calloway Beverage Company\nMicrosoft Partner Brightwater Cyber "
          "Partners LLC\nWork Performed\nDeployed Defender for Endpoint to 2,200 devices.\n")
NO_ROOTS = "no trust roots are configured, so the signer's certificate cannot be verified"


def _sig(**kw) -> Signature:
    base = {"field": "CustomerSignature", "file": "letter.pdf", "signer_name": "A New User",
            "signer_email": "a.user@callowaybev.com", "signer_org": "Calloway Beverage Company",
            "signing_time": datetime(2025, 3, 20, 20, 45), "intact": True, "trusted": False,
            "no_trust_roots": True, "summary": "INTACT:UNTRUSTED", "reason": NO_ROOTS}
    return Signature(**{**base, **kw})


def _run(build, *sigs: Signature):
    claim = build.claim()
    docs = [build.pdf(LETTER, signatures=sigs)]
    return claim, docs, build.ctx(claim)


def test_intact_signature_without_trust_roots_is_warn_with_why(build):
    claim, docs, ctx = _run(build, _sig())
    res = DIGITAL.run(claim, docs, ctx)
    assert res.status == "warn"
    assert res.message == "signature intact; no trust roots are configured, so its signer cannot be verified"
    assert "sign it again" not in (res.remediation or "")
    assert "no trust roots" in res.evidence[0].note


def test_customer_acknowledgement_says_why_the_signature_does_not_count(build):
    claim, docs, ctx = _run(build, _sig())
    res = ACKNOWLEDGEMENT.run(claim, docs, ctx)
    assert res.status == "warn"
    assert "not verified" in res.message and "no trust roots are configured" in res.message
    assert res.details["unverified"][0]["kind"] == "digital_signature"


def test_dates_reads_the_unverified_signature_date(build):
    claim, docs, ctx = _run(build, _sig())
    res = DATES.run(claim, docs, ctx)
    assert res.status == "pass" and "2025-03-20" in res.message and "not verified" in res.message
    claim, docs, ctx = _run(build, _sig(signing_time=datetime(2023, 1, 2, 9, 0)))
    assert DATES.run(claim, docs, ctx).status == "fail"


def test_verdict_is_needs_more_poe_not_rejectable(build):
    claim, docs, ctx = _run(build, _sig())
    results = run_checks(claim, docs, ctx)
    by_id = {r.id: r.status for r in results}
    assert (by_id["digital_signature"], by_id["customer_acknowledgement"], by_id["dates"]) == ("warn", "warn", "pass")
    assert verdict(results) == "needs_more_poe"


@pytest.mark.parametrize(
    "sig",
    [
        pytest.param(_sig(intact=False, no_trust_roots=False, reason="digest mismatch"), id="broken"),
        pytest.param(_sig(modified_after=True), id="modified-after"),
        pytest.param(_sig(no_trust_roots=False, reason="the certificate does not chain to a configured trust root"),
                     id="untrusted-with-roots"),
    ],
)
def test_broken_or_untrusted_signatures_still_fail(build, sig):
    claim, docs, ctx = _run(build, sig)
    assert DIGITAL.run(claim, docs, ctx).status == "fail"
    assert ACKNOWLEDGEMENT.run(claim, docs, ctx).status == "fail"


def test_one_unverified_and_one_broken_signature_fail(build):
    claim, docs, ctx = _run(build, _sig(), _sig(field="Partner", intact=False, no_trust_roots=False))
    assert DIGITAL.run(claim, docs, ctx).status == "fail"


def test_unverified_signature_by_the_partner_is_no_acknowledgement(build):
    claim, docs, ctx = _run(build, _sig(signer_email="x@brightwatercyber.com", signer_org="Brightwater"))
    assert DIGITAL.run(claim, docs, ctx).status == "warn"
    assert ACKNOWLEDGEMENT.run(claim, docs, ctx).status == "fail"
