from __future__ import annotations

import pytest

from checks.customer_eligibility import CHECK

WORK = "We onboarded 900 devices to Defender for Endpoint. "


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param("The tenant runs in GCC High.", "gcc_high", id="gcc-high"),
        pytest.param("The customer's DoD tenant was configured.", "dod", id="dod"),
        pytest.param("Department of Defense tenant, all 400 users.", "dod", id="department-of-defense"),
        pytest.param("The customer uses nonprofit grant licences from Microsoft.", "charity", id="charity"),
        pytest.param("All work was done in a sandbox tenant.", "test", id="sandbox"),
        pytest.param("All configuration was carried out in the customer's 30-day trial subscription, which it plans to "
                     "convert to paid licences later.", "trial", id="trial-convert-later"),
        pytest.param("The customer is on a QuickStart tenant.", "quick_start", id="quick-start"),
        pytest.param("The tenant is hosted in Office 365 operated by 21Vianet.", "21vianet", id="21vianet"),
        pytest.param("Tenant is on a free tria1 subscription.", "trial", id="ocr-digit"),
    ],
)
def test_excluded_in_text(build, text, flag):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(WORK + text)], build.ctx(claim))
    assert res.status == "fail"
    assert res.blocking
    assert flag in res.details["poe_flags"]
    assert res.evidence[0].rule_id == flag


@pytest.mark.parametrize("text", [
    pytest.param("This is not a trial tenant; the customer holds 900 paid licences.", id="negated"),
    pytest.param("The customer moved from the trial to paid licences before the project started.", id="moved-from-trial"),
    pytest.param("The trial subscription was converted to paid licences in October.", id="converted"),
    pytest.param("The customer ran a 30-day trial before purchasing 500 licences; we then deployed to production.",
                 id="trial-before-purchase"),
    pytest.param("We tested the policies in report-only mode before enforcing them.", id="testing-is-not-a-test-tenant"),
    pytest.param("Unlike GCC High customers, this commercial tenant is eligible.", id="contrast"),
    pytest.param("The dod field of the form is empty.", id="lower-case-dod"),
])
def test_eligible(build, text):
    claim = build.claim()
    assert CHECK.run(claim, [build.pdf(WORK + text)], build.ctx(claim)).status == "pass"


def test_claim_flag(build):
    claim = build.claim()
    claim = claim.model_copy(update={"customer": claim.customer.model_copy(update={"flags": ["gcc_high"]})})
    res = CHECK.run(claim, [build.pdf(WORK)], build.ctx(claim))
    assert res.status == "fail" and "GCC High" in res.message


@pytest.mark.parametrize(("case", "status"), [("dev-038", "fail"), ("dev-039", "fail"), ("dev-001", "pass")])
def test_real_letters(build, case, status):
    claim, docs = build.dev_pdf(case)
    assert CHECK.run(claim, docs, build.ctx(claim)).status == status
