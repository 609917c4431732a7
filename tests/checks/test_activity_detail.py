from __future__ import annotations

import pytest

from checks.activity_detail import CHECK

SCOPE = "- Onboarded the laptops to Defender for Endpoint.\n- Configured automated investigation levels.\n"
NEED = "The project was initiated after an external audit flagged gaps in endpoint protection.\n"
OUTCOME = "Since go-live, high-risk sign-ins are now blocked and the Secure Score rose from 40% to 60%.\n"
TIMELINE = "The project started on 12 November 2024 and was completed after 8 weeks.\n"


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param(SCOPE + NEED + OUTCOME + TIMELINE, "pass", id="all"),
        pytest.param(SCOPE + NEED, "warn", id="two"),
        pytest.param(SCOPE + "Meridale asked the partner to replace its antivirus after an examiner's finding.\n",
                     "warn", id="need-asked-after-finding"),
        pytest.param(SCOPE + "Its laptops were managed with an old tool that no longer received updates.\n",
                     "warn", id="need-no-longer-supported"),
        pytest.param(SCOPE + "Could you reply to confirm the work? We asked them to confirm by Friday.\n",
                     "fail", id="asked-to-confirm-is-not-a-need"),
        pytest.param(SCOPE + "Lost tablets can now be wiped and the audit finding was closed.\n", "warn",
                     id="outcome-can-now"),
        pytest.param("Brightwater delivered the project. Customers benefit from reduced complexity and industry-leading "
                     "results.", "fail", id="marketing-is-not-outcome"),
        pytest.param("The project addressed [describe customer challenge] for the customer.", "fail", id="placeholder"),
    ],
)
def test_activity_detail(build, text, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == status, res.details
    assert res.blocking is False


def test_real_letter(build):
    claim, docs = build.dev_pdf("dev-001")
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == "pass"
    assert res.details["elements"] == ["scope", "need", "outcome", "timeline", "counts"]
