from __future__ import annotations

import pytest

from checks.party_names import CHECK


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("Calloway Beverage Company accepts the work delivered by Brightwater Cyber Partners LLC.", "pass",
                     id="full-names"),
        pytest.param("CALLOWAY BEVERAGE CO. accepts the work of brightwater cyber partners", "pass", id="case-suffix"),
        pytest.param("Callowey Beverage Cornpany accepts the work of Brightwater Cyber Partnors", "pass", id="ocr-noise"),
        pytest.param("Calloway accepts the work of Brightwater.", "pass", id="aliases"),
        pytest.param("www.brightwatercyber.com\nCalloway Beverage\nCompany signed below.", "pass", id="letterhead-domain"),
        pytest.param("The customer accepts the work of Brightwater Cyber Partners LLC.", "warn", id="the-customer-is-no-name"),
        pytest.param("Calloway Beverage Company accepts the work.", "warn", id="no-partner"),
        pytest.param("The customer accepts the work of the partner.", "fail", id="neither"),
        pytest.param("Callaway Golf accepts the work of Brightwater Cyber Partners LLC.", "warn", id="similar-other-company"),
    ],
)
def test_party_names(build, text, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == status
    assert res.blocking is False
    if status == "pass":
        assert len(res.evidence) == 2
    else:
        assert res.remediation


def test_email_addresses_count_as_domains(build):
    claim = build.claim()
    doc = build.email("Thanks, the project is accepted.", sender="a.user@callowaybev.com",
                      to=("someone@brightwatercyber.com",))
    res = CHECK.run(claim, [doc], build.ctx(claim))
    assert res.status == "pass"
    assert {e.rule_id for e in res.evidence} == {"partner_domain", "customer_domain"}


def test_real_letter_without_customer_name(build):
    claim, docs = build.dev_pdf("dev-031")
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == "warn"
    assert "customer" in res.message


def test_real_letter_names_both(build):
    claim, docs = build.dev_pdf("dev-039")
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == "pass"
    assert res.evidence[0].page == 1
