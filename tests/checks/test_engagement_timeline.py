from __future__ import annotations

import pytest

from checks.engagement_timeline import CHECK


@pytest.mark.parametrize(
    ("text", "status", "kind"),
    [
        pytest.param("The project started on 12/05/2024 and was completed on 02/22/2025.", "pass", "date", id="dates"),
        pytest.param("Kick-off took place on 14 October 2024; go-live followed.", "pass", "date", id="kick-off"),
        pytest.param("The work ran for 13 weeks.", "pass", "duration", id="duration"),
        pytest.param("Work was delivered in 4 phases: discovery, pilot, rollout and handover.", "pass", "phases",
                     id="phases"),
        pytest.param("Discovery first, pilot in week 3, then the rest.", "pass", "phases", id="pilot-week"),
        pytest.param("Pr0ject started 0n 2024-10-15 and finished after 6 weeks.", "pass", "date", id="ocr-noise"),
        pytest.param("Project dates: 2024/11/04 to 2025/01/24.", "pass", "date", id="year-first"),
        pytest.param("Rollout (Einführung) started on 14. März 2025.", "pass", "date", id="german-month"),
        pytest.param("Date: 14 January 2025\nSigned: 14 January 2025", "warn", None, id="only-signature-dates"),
        pytest.param("Prices are valid for 30 days. This quotation covers a 12-month term.", "warn", None,
                     id="licence-terms-are-not-durations"),
        pytest.param("Project dates: [start date] to [end date].", "warn", None, id="placeholders"),
    ],
)
def test_engagement_timeline(build, text, status, kind):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == status
    assert res.blocking is False
    if kind:
        assert kind in res.details["kinds"]
    else:
        assert res.remediation


def test_real_letter_with_durations_only(build):
    claim, docs = build.dev_pdf("dev-015")
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == "pass"
    assert res.details["kinds"] == ["duration", "phases"]
