"""A partner whose POE copies another partner's POE learns only that, and how similar (issue 16, finding 2);
a reviewer sees the other claim, its partner and file."""
from __future__ import annotations

import json

import pytest
from apihelp import PARTNER_A, REVIEWER, auth, dev_case, multipart

#: What identifies the earlier claim (dev-013: Copperline, partner id 3231981) that dev-041 copies.
OTHER = ("Copperline", "C-2025-1013", "3231981", "Quarry_Lane", "Quarry Lane")


@pytest.fixture
def copied(client):
    """dev-013 filed by a reviewer for its partner, then its copy dev-041 filed by partner A for itself."""
    claim, files = dev_case("dev-013")
    assert client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files)).status_code == 201
    claim, files = dev_case("dev-041")
    mine = json.loads(claim)
    mine["partner"]["partner_id"] = "8616805"
    r = client.post("/v1/checks", headers=auth(PARTNER_A), files=multipart(json.dumps(mine), files))
    assert r.status_code == 201, r.text
    return r.json()


def _reuse(report: dict) -> dict:
    return next(c for c in report["checks"] if c["id"] == "template_reuse")


def _leaks(text: str) -> list[str]:
    return [word for word in OTHER if word in text]


def test_partner_sees_only_that_the_poe_duplicates_another_partners_claim(client, copied):
    reuse = _reuse(copied)
    assert reuse["status"] == "fail" and copied["verdict"] == "rejectable"
    assert "another partner's claim" in reuse["message"] and "% similar" in reuse["message"]
    assert reuse["details"] == {"matches": [{"similarity": pytest.approx(0.87, abs=0.1)}]}
    assert _leaks(json.dumps(copied)) == []

    again = client.get(f"/v1/checks/{copied['id']}", headers=auth(PARTNER_A))
    assert again.status_code == 200 and _leaks(again.text) == []
    page = client.get(f"/reports/{copied['id']}", headers=auth(PARTNER_A))
    assert page.status_code == 200 and "another partner" in page.text and _leaks(page.text) == []
    listing = client.get("/v1/checks", headers=auth(PARTNER_A))
    assert _leaks(listing.text) == []


def test_reviewer_sees_the_other_claim(client, copied):
    r = client.get(f"/v1/checks/{copied['id']}", headers=auth(REVIEWER))
    match = _reuse(r.json())["details"]["matches"][0]
    assert match["claim_id"] == "C-2025-1013" and match["partner"].startswith("Copperline")
    assert "C-2025-1013" in client.get(f"/reports/{copied['id']}", headers=auth(REVIEWER)).text


def test_redaction_keeps_a_passing_check_as_it_is():
    from models import CheckResult, Report
    from service.redaction import report_for

    ok = CheckResult(id="template_reuse", status="pass", blocking=True, message="no near-duplicate")
    report = Report(partner="P", customer="C", workloads=["MDE"], claim_date="2025-01-01", verdict="approvable",
                    score=100, rules_version="x", checks=[ok])
    assert report_for(report, reviewer=False) == report
