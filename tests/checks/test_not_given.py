"""A check whose deciding claim field the self-check form did not give warns "not checked" (never passes);
a claim that states every field (any JSON claim: ctx.stated is None) is judged on the §3 defaults."""
from __future__ import annotations

from dataclasses import replace

import pytest

from checks.customer_eligibility import CHECK as ELIGIBILITY
from checks.public_sector_disclosure import CHECK as DISCLOSURE
from models.claim import OPTIONAL_FIELDS

LETTER = "Services Completion Letter\nDeployed Defender for Endpoint to 2,200 devices for Calloway Beverage Company.\n"
EVERYTHING = frozenset(OPTIONAL_FIELDS)


@pytest.mark.parametrize(
    ("check", "field", "label"),
    [
        pytest.param(ELIGIBILITY, "customer.flags", "the customer's flags", id="flags"),
        pytest.param(DISCLOSURE, "customer.segment", "the customer's segment", id="segment"),
    ],
)
def test_not_given_field_warns_instead_of_passing(build, check, field, label):
    claim = build.claim()
    docs = [build.pdf(LETTER)]
    judged = check.run(claim, docs, build.ctx(claim))
    assert judged.status in ("pass", "not_applicable")
    assert check.run(claim, docs, replace(build.ctx(claim), stated=EVERYTHING)) == judged
    res = check.run(claim, docs, replace(build.ctx(claim), stated=EVERYTHING - {field}))
    assert res.status == "warn" and not res.blocking
    assert res.message.startswith(f"not checked: give {label}")
    assert res.details["not_given"] == [field] and res.remediation


def test_an_exclusion_the_poe_shows_still_fails_without_flags(build):
    claim = build.claim()
    docs = [build.pdf(LETTER + "The work was done in the customer's GCC High tenant.\n")]
    res = ELIGIBILITY.run(claim, docs, replace(build.ctx(claim), stated=frozenset()))
    assert res.status == "fail"


def test_public_sector_without_country_warns(build):
    claim = build.claim()
    claim = claim.model_copy(update={"customer": claim.customer.model_copy(update={"segment": "public_sector"})})
    res = DISCLOSURE.run(claim, [build.pdf(LETTER)], replace(build.ctx(claim), stated=EVERYTHING - {"customer.country"}))
    assert res.status == "warn" and "the customer's country" in res.message
