from __future__ import annotations

import pytest

from checks.public_sector_disclosure import CHECK

DISCLOSURE = ("Brightwater discloses that it may receive fees, incentives or other compensation from Microsoft in "
              "connection with this deployment. ")
ACK = "Calloway Beverage Company acknowledges that it has been informed of this compensation in writing. "
SIGNED = "Accepted on behalf of the Customer\nName: a new user\nSignature:\nDate: 7 November 2024"


def _claim(build, country="US", segment="public_sector"):
    claim = build.claim(country=country)
    return claim.model_copy(update={"customer": claim.customer.model_copy(update={"segment": segment})})


@pytest.mark.parametrize(
    ("text", "country", "status"),
    [
        pytest.param(DISCLOSURE + ACK, "US", "pass", id="acknowledged"),
        pytest.param(DISCLOSURE + "\n" + SIGNED, "PR", "pass", id="in-signed-letter"),
        pytest.param(DISCLOSURE, "US", "fail", id="not-acknowledged"),
        pytest.param(DISCLOSURE + "\nFor and on behalf of Calloway Beverage Company\nSignature\nName Robert Hoffman\n"
                     "Title CIO\nDate 2025-01-20\n", "US", "pass", id="in-letter-the-customer-signed"),
        pytest.param(DISCLOSURE + "\nFor and on behalf of Calloway Beverage Company\nSignature: /s/ Robert Hoffman\n"
                     "Name Robert Hoffman\nTitle CIO\nDate 2025-01-20\n", "US", "fail", id="typed-signature-only"),
        pytest.param("We deployed Defender for Endpoint.\n" + SIGNED, "US", "fail", id="no-disclosure"),
        pytest.param(DISCLOSURE + ACK, "RU", "fail", id="restricted-country"),
        pytest.param("We deployed Defender for Endpoint.", "GB", "pass", id="other-country"),
    ],
)
def test_public_sector(build, text, country, status):
    claim = _claim(build, country)
    res = CHECK.run(claim, [build.pdf(text, inked=True)], build.ctx(claim))
    assert res.status == status
    if status == "fail":
        assert res.blocking and res.remediation


def test_customer_email_disclosure(build):
    claim = _claim(build)
    doc = build.email("We understand Brightwater receives an incentive payment from Microsoft for this project.",
                      sender="a.user@callowaybev.com", to=("x@brightwatercyber.com",))
    assert CHECK.run(claim, [doc], build.ctx(claim)).status == "pass"


def test_commercial_is_not_applicable(build):
    claim = _claim(build, segment="commercial")
    assert CHECK.run(claim, [build.pdf("anything")], build.ctx(claim)).status == "not_applicable"


@pytest.mark.parametrize(("case", "status"), [("dev-012", "pass"), ("dev-036", "fail")])
def test_real_letters(build, case, status):
    claim, docs = build.dev_pdf(case)
    assert CHECK.run(claim, docs, build.ctx(claim)).status == status
