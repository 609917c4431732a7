"""Reviewer decisions: append-only history, who may post and read them, the queue's decision state and CSV
export, and the agreement of poecheck's verdicts with reviewers."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from apihelp import PARTNER_A, PARTNER_B, REVIEWER, auth
from pgserver import on_database
from sqlalchemy import text

from models import CheckResult, Report
from service.decisions import reason_codes
from service.errors import RulesInvalid
from service.store.reports import ReportStore
from service.store.sessions import session_factory

A_ID, B_ID = "8616805", "1111111"  # the partner ids of PARTNER_A and PARTNER_B (apihelp.KEYS)
CHECKS = {"dates": "fail", "party_names": "pass", "customer_acknowledgement": "warn"}


def _report(partner: str, claim_id: str, verdict: str, day: int) -> Report:
    return Report(
        claim_id=claim_id, partner=partner, customer=f"Customer of {partner}", workloads=["MDE"],
        claim_date="2025-04-01", verdict=verdict, score=50, rules_version="test",
        checks=[CheckResult(id=c, status=s, blocking=c == "dates", message="m") for c, s in CHECKS.items()],
        created_at=datetime(2025, 5, day, 12, tzinfo=UTC),
    )


@pytest.fixture
def settings(settings, database_url):
    """The API and its store on the embedded SQLite and on PostgreSQL."""
    return on_database(settings, database_url)


@pytest.fixture
def ids(client, settings) -> dict[str, str]:
    """Four reports: three of partner A (oldest first: rejectable, approvable, needs_more_poe), one of B."""
    store = ReportStore(session_factory(settings))
    seeded = {
        "a1": (_report("Alpha Secure Ltd", "CLM-ALPHA-1", "rejectable", 1), A_ID),
        "a2": (_report("Alpha Secure Ltd", "CLM-ALPHA-2", "approvable", 2), A_ID),
        "a3": (_report("Alpha Secure Ltd", "CLM-ALPHA-3", "needs_more_poe", 3), A_ID),
        "b1": (_report("Bravo Cyber GmbH", "CLM-BRAVO-1", "rejectable", 4), B_ID),
    }
    return {name: store.add(report, owner_partner_id=owner).id for name, (report, owner) in seeded.items()}


def _decide(client, report_id: str, key: str = REVIEWER, **body):
    body = {"decision": "approve", "reason": "poe_sufficient", "note": "", **body}
    return client.post(f"/v1/checks/{report_id}/decisions", headers=auth(key), json=body)


def test_decisions_are_an_append_only_history(client, settings, ids):
    first = _decide(client, ids["a1"], decision="request_more_poe", reason="no_customer_acknowledgement",
                    note="Send the signed acceptance.")
    assert first.status_code == 201, first.text
    second = _decide(client, ids["a1"], reason="check_was_wrong", note="The date is in the footer.",
                     overrides=[{"check": "dates", "status": "pass", "reason": "Dated 3 July in the footer."}])
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["decided_by"] == "reviewer 1" and body["role"] == "reviewer" and body["verdict"] == "rejectable"
    assert body["overrides"] == [{"check": "dates", "original_status": "fail", "status": "pass",
                                  "reason": "Dated 3 July in the footer."}]

    got = client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(REVIEWER)).json()
    assert got["state"] == "approve" and got["verdict"] == "rejectable"
    assert [d["decision"] for d in got["history"]] == ["request_more_poe", "approve"]
    assert got["history"][0]["note"] == "Send the signed acceptance." and got["final"] == got["history"][1]

    with session_factory(settings)() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE decisions SET decision = 'reject'"))
    with session_factory(settings)() as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM decisions"))
    assert len(client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(REVIEWER)).json()["history"]) == 2


@pytest.mark.parametrize(("body", "code"), [
    pytest.param({"reason": "no_such_reason"}, "invalid_decision", id="unknown-reason"),
    pytest.param({"reason": "duplicate_poe"}, "invalid_decision", id="reason-of-another-decision"),
    pytest.param({"reason": "other", "note": "  "}, "invalid_decision", id="other-needs-a-note"),
    pytest.param({"overrides": [{"check": "no_such_check", "status": "pass", "reason": "r"}]}, "invalid_decision",
                 id="override-unknown-check"),
    pytest.param({"overrides": [{"check": "party_names", "status": "pass", "reason": "r"}]}, "invalid_decision",
                 id="override-same-status"),
    pytest.param({"overrides": [{"check": "dates", "status": "pass", "reason": "r"},
                                {"check": "dates", "status": "warn", "reason": "r"}]}, "invalid_decision",
                 id="override-twice"),
    pytest.param({"overrides": [{"check": "dates", "status": "pass", "reason": " "}]}, "invalid_request",
                 id="override-without-reason"),
    pytest.param({"overrides": [{"check": "dates", "status": "great", "reason": "r"}]}, "invalid_request",
                 id="override-bad-status"),
    pytest.param({"decision": "maybe"}, "invalid_request", id="unknown-decision"),
    pytest.param({"decided_by": "someone else"}, "invalid_request", id="extra-field"),
    pytest.param({"note": "x" * 4001}, "invalid_request", id="note-too-long"),
])
def test_invalid_decisions_are_422_and_not_stored(client, ids, body, code):
    r = _decide(client, ids["a1"], **body)
    assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert r.json()["message"]
    assert client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(REVIEWER)).json()["history"] == []


@pytest.mark.parametrize(("content", "status"), [
    pytest.param(b"J\xa2/", 400, id="not-utf8"), pytest.param(b"{not json", 422, id="not-json"),
    pytest.param(b"[]", 422, id="not-an-object"),
])
def test_a_body_that_is_not_a_decision_is_a_typed_error(client, ids, content, status):
    r = client.post(f"/v1/checks/{ids['a1']}/decisions", content=content,
                    headers={**auth(REVIEWER), "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (status, "invalid_request"), r.text


def test_decision_on_an_unknown_report_is_404(client, ids):
    for r in (_decide(client, "0" * 32), client.get(f"/v1/checks/{'0' * 32}/decisions", headers=auth(REVIEWER))):
        assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_partner_cannot_decide_and_sees_only_its_own_final_decision(client, ids):
    """A partner key: 403 on posting (own report or not), 404 on another partner's decisions, only the final
    decision and its note on its own, and never another partner's name or claim id in any response."""
    _decide(client, ids["b1"], decision="reject", reason="duplicate_poe", note="Same letter as CLM-ALPHA-1.",
            overrides=[{"check": "dates", "status": "pass", "reason": "Bravo's own reasons"}])
    _decide(client, ids["a1"], decision="request_more_poe", reason="dates_missing_or_outside", note="first")
    _decide(client, ids["a1"], decision="reject", reason="check_was_wrong", note="Final word.",
            overrides=[{"check": "party_names", "status": "fail", "reason": "Not Bravo Cyber GmbH's deal"}])
    responses = []
    for report in ("a1", "b1"):
        r = _decide(client, ids[report], key=PARTNER_A, reason="poe_sufficient")
        assert (r.status_code, r.json()["code"]) == (403, "reviewer_only")
        responses.append(r)
    assert len(client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(REVIEWER)).json()["history"]) == 2

    other = client.get(f"/v1/checks/{ids['b1']}/decisions", headers=auth(PARTNER_A))
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    mine = client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(PARTNER_A))
    assert mine.status_code == 200
    body = mine.json()
    assert body["state"] == "reject" and body["history"] == []
    assert {k: v for k, v in body["final"].items() if v is not None} == {
        "id": body["final"]["id"], "decision": "reject", "note": "Final word.", "decided_at": body["final"]["decided_at"]}
    responses += [other, mine, client.get(f"/v1/checks/{ids['a2']}/decisions", headers=auth(PARTNER_A)),
                  client.get("/v1/checks.csv", headers=auth(PARTNER_A)), client.get("/v1/checks", headers=auth(PARTNER_A))]
    for r in responses:
        assert "Bravo" not in r.text and "CLM-BRAVO" not in r.text and B_ID not in r.text
        assert r is other or ids["b1"] not in r.text  # the 404 names only the id that was asked for
        assert "reviewer 1" not in r.text  # nor the reviewer's name
    b_view = client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(PARTNER_B))
    assert b_view.status_code == 404 and "Alpha" not in b_view.text and "CLM-ALPHA" not in b_view.text


def test_agreement_is_for_reviewers_only(client, ids):
    for key in (PARTNER_A, PARTNER_B):
        r = client.get("/v1/stats/agreement", headers=auth(key))
        assert (r.status_code, r.json()["code"]) == (403, "reviewer_only")
    assert client.get("/v1/stats/agreement").status_code == 401


def _states(client, query: str, key: str = REVIEWER) -> list[tuple[str, str]]:
    r = client.get("/v1/checks" + query, headers=auth(key))
    assert r.status_code == 200, r.text
    return [(i["claim_id"], i["decision"]) for i in r.json()["items"]]


def test_queue_filters_and_orders_by_decision_state(client, ids):
    _decide(client, ids["a2"])
    _decide(client, ids["b1"], decision="reject", reason="duplicate_poe")
    _decide(client, ids["b1"], decision="request_more_poe", reason="activities_not_shown")
    assert _states(client, "") == [  # a reviewer's default: undecided first, then oldest first
        ("CLM-ALPHA-1", "undecided"), ("CLM-ALPHA-3", "undecided"), ("CLM-ALPHA-2", "approve"),
        ("CLM-BRAVO-1", "request_more_poe")]
    assert _states(client, "?decision=undecided") == [("CLM-ALPHA-1", "undecided"), ("CLM-ALPHA-3", "undecided")]
    assert _states(client, "?decision=request_more_poe") == [("CLM-BRAVO-1", "request_more_poe")]  # the final one
    assert _states(client, "?decision=reject") == []
    assert _states(client, "?decision=approve&verdict=approvable") == [("CLM-ALPHA-2", "approve")]
    assert [c for c, _ in _states(client, "?sort=newest")] == ["CLM-BRAVO-1", "CLM-ALPHA-3", "CLM-ALPHA-2",
                                                                "CLM-ALPHA-1"]
    assert [c for c, _ in _states(client, "?sort=oldest&limit=2&offset=1")] == ["CLM-ALPHA-2", "CLM-ALPHA-3"]
    assert _states(client, "", key=PARTNER_A) == [  # a partner's default: newest first
        ("CLM-ALPHA-3", "undecided"), ("CLM-ALPHA-2", "approve"), ("CLM-ALPHA-1", "undecided")]
    r = client.get("/v1/checks?decision=maybe", headers=auth(REVIEWER))
    assert (r.status_code, r.json()["code"]) == (422, "invalid_request")


def _csv(client, query: str = "", key: str = REVIEWER) -> list[dict]:
    r = client.get("/v1/checks.csv" + query, headers=auth(key))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv") and "attachment" in r.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(r.text)))


def test_csv_exports_the_filtered_list(client, settings, ids):
    _decide(client, ids["a2"], reason="other", note="ok")
    rows = _csv(client)
    assert [r["claim_id"] for r in rows] == ["CLM-ALPHA-1", "CLM-ALPHA-3", "CLM-BRAVO-1", "CLM-ALPHA-2"]
    assert rows[3]["decision"] == "approve" and rows[3]["decision_reason"] == "other"
    assert rows[3]["decided_by"] == "reviewer 1" and rows[3]["decided_at"] and rows[3]["id"] == ids["a2"]
    assert [r["claim_id"] for r in _csv(client, "?decision=undecided&verdict=rejectable")] == [
        "CLM-ALPHA-1", "CLM-BRAVO-1"]
    assert _csv(client, "?decision=reject") == []

    mine = _csv(client, key=PARTNER_A)
    assert [r["claim_id"] for r in mine] == ["CLM-ALPHA-3", "CLM-ALPHA-2", "CLM-ALPHA-1"]
    assert "decided_by" not in mine[0] and "decision_reason" not in mine[0]

    ReportStore(session_factory(settings)).add(_report("=HYPERLINK(\"http://x\")", "+1", "approvable", 5),
                                               owner_partner_id=A_ID)
    formula = _csv(client, "?sort=newest")[0]
    assert formula["partner"] == "'=HYPERLINK(\"http://x\")" and formula["claim_id"] == "'+1"
    assert client.get("/v1/checks.csv").status_code == 401
    assert client.get("/v1/checks.csv?decision=maybe", headers=auth(REVIEWER)).status_code == 422


def test_csv_reads_every_page(client, settings, monkeypatch):
    import service.api.review_view as view

    monkeypatch.setattr(view, "CSV_PAGE", 2)
    store = ReportStore(session_factory(settings))
    for day in range(1, 8):
        store.add(_report("Alpha Secure Ltd", f"C{day}", "approvable", day), owner_partner_id=A_ID)
    assert [r["claim_id"] for r in _csv(client)] == [f"C{d}" for d in range(1, 8)]


def test_agreement_matrix_and_overrides_per_check(client, ids):
    _decide(client, ids["a1"], reason="poe_sufficient")  # rejectable, later rejected: only the final counts
    _decide(client, ids["a1"], decision="reject", reason="check_was_wrong",
            overrides=[{"check": "customer_acknowledgement", "status": "fail", "reason": "No signature at all."}])
    _decide(client, ids["a2"], decision="request_more_poe", reason="activities_not_shown",  # approvable
            overrides=[{"check": "party_names", "status": "warn", "reason": "Customer name misspelt."},
                       {"check": "customer_acknowledgement", "status": "fail", "reason": "Unsigned."}])
    _decide(client, ids["b1"], reason="check_was_wrong",  # rejectable, approved
            overrides=[{"check": "dates", "status": "pass", "reason": "Date in the footer."}])
    stats = client.get("/v1/stats/agreement", headers=auth(REVIEWER)).json()
    assert (stats["reports"], stats["decided"], stats["agreeing"]) == (4, 3, 1)
    assert stats["agreement"] == pytest.approx(1 / 3)
    assert stats["matrix"] == {
        "approvable": {"approve": 0, "request_more_poe": 1, "reject": 0},
        "needs_more_poe": {"approve": 0, "request_more_poe": 0, "reject": 0},
        "rejectable": {"approve": 1, "request_more_poe": 0, "reject": 1},
    }
    by_check = {c["check"]: c for c in stats["checks"]}
    assert [c["check"] for c in stats["checks"]] == ["customer_acknowledgement", "dates", "party_names"]
    assert by_check["customer_acknowledgement"] == {
        "check": "customer_acknowledgement", "decided": 3, "overridden": 2, "share": pytest.approx(2 / 3),
        "changes": [{"original_status": "warn", "status": "fail", "count": 2}]}
    assert (by_check["dates"]["overridden"], by_check["party_names"]["overridden"]) == (1, 1)

    ranged = client.get("/v1/stats/agreement?date_from=2025-05-02&date_to=2025-05-03", headers=auth(REVIEWER)).json()
    assert (ranged["date_from"], ranged["reports"], ranged["decided"]) == ("2025-05-02", 2, 1)
    assert ranged["matrix"]["approvable"]["request_more_poe"] == 1 and ranged["agreement"] == 0
    empty = client.get("/v1/stats/agreement?date_to=2025-04-30", headers=auth(REVIEWER)).json()
    assert (empty["reports"], empty["decided"], empty["agreement"], empty["checks"]) == (0, 0, None, [])
    bad = client.get("/v1/stats/agreement?date_from=0.0", headers=auth(REVIEWER))
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")


def test_a_broken_reason_file_stops_the_start(tmp_path):
    broken = tmp_path / "decision_reasons.yaml"
    for content in ("reasons: [{id: x, label: X, decisions: [maybe]}]", "reasons: [", "reasons: []",
                    "reasons: [{id: a, label: A, decisions: [approve]}, {id: a, label: B, decisions: [reject]}]"):
        broken.write_text(content, encoding="utf-8")
        with pytest.raises(RulesInvalid, match="decision_reasons.yaml"):
            reason_codes.__wrapped__(broken)
    assert "other" in reason_codes() and reason_codes()["other"].needs_note


# --- pages -------------------------------------------------------------------------------------------------


def _session(client, key: str):
    from fastapi.testclient import TestClient

    browser = TestClient(client.app)
    assert browser.post("/login", data={"key": key, "next": "/"}, follow_redirects=False).status_code == 303
    return browser


def test_report_page_form_records_a_decision_and_shows_the_history(client, ids):
    reviewer = _session(client, REVIEWER)
    page = reviewer.get(f"/reports/{ids['a1']}")
    assert 'id="decision-form"' in page.text and "Not decided yet." in page.text
    assert 'name="override_status.dates"' in page.text
    form = {"decision": "approve", "reason": "check_was_wrong", "note": "Dated in the footer.",
            "override_status.dates": "pass", "override_reason.dates": "3 July 2025 in the footer",
            "override_status.party_names": "", "override_reason.party_names": ""}
    r = reviewer.post(f"/reports/{ids['a1']}/decisions", data=form, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/reports/{ids['a1']}#decisions")
    page = reviewer.get(f"/reports/{ids['a1']}").text
    assert 'id="history"' in page and "3 July 2025 in the footer" in page and "reviewer 1" in page
    [stored] = client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(REVIEWER)).json()["history"]
    assert stored["overrides"][0]["check"] == "dates" and stored["overrides"][0]["status"] == "pass"

    missing_reason = {**form, "override_reason.dates": ""}
    r = reviewer.post(f"/reports/{ids['a1']}/decisions", data=missing_reason)
    assert r.status_code == 422 and "Override of dates (reason)" in r.text and 'id="decision-form"' in r.text
    r = reviewer.post(f"/reports/{ids['a1']}/decisions", data={**form, "reason": "duplicate_poe"})
    assert r.status_code == 422 and "does not go with" in r.text
    assert reviewer.post(f"/reports/{'0' * 32}/decisions", data=form).status_code == 404
    cross_site = reviewer.post(f"/reports/{ids['a1']}/decisions", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert (cross_site.status_code, cross_site.json()["code"]) == (403, "cross_site_request")
    from fastapi.testclient import TestClient

    anonymous = TestClient(client.app).post(f"/reports/{ids['a1']}/decisions", data=form, follow_redirects=False)
    assert anonymous.headers["location"] == f"/login?next=%2Freports%2F{ids['a1']}"
    assert len(client.get(f"/v1/checks/{ids['a1']}/decisions", headers=auth(REVIEWER)).json()["history"]) == 1


def test_partner_pages_show_the_final_decision_only(client, ids):
    _decide(client, ids["a1"], decision="request_more_poe", reason="no_customer_acknowledgement",
            note="Send the customer's signed acceptance.",
            overrides=[{"check": "dates", "status": "pass", "reason": "internal remark"}])
    partner = _session(client, PARTNER_A)
    page = partner.get(f"/reports/{ids['a1']}").text
    assert "Send the customer&#39;s signed acceptance." in page and "request more poe" in page
    assert 'id="decision-form"' not in page and 'id="history"' not in page
    assert "internal remark" not in page and "reviewer 1" not in page
    r = partner.post(f"/reports/{ids['a1']}/decisions", data={"decision": "approve", "reason": "poe_sufficient"})
    assert r.status_code == 403
    assert partner.post(f"/reports/{ids['b1']}/decisions", data={"decision": "approve"}).status_code == 403
    assert partner.get("/agreement").status_code == 403
    queue = partner.get("/queue").text
    assert "request more poe" in queue and "Bravo" not in queue


def test_queue_page_filters_on_decision_and_links_the_csv(client, ids):
    _decide(client, ids["a2"])
    reviewer = _session(client, REVIEWER)
    page = reviewer.get("/queue?decision=undecided").text
    assert page.count('data-decision="undecided"') == 3 and 'data-decision="approve"' not in page
    assert 'href="/v1/checks.csv?decision=undecided&amp;sort=queue"' in page
    assert reviewer.get("/v1/checks.csv?decision=undecided&sort=queue").status_code == 200  # the page session
    ordered = reviewer.get("/queue").text
    assert ordered.index(ids["a1"]) < ordered.index(ids["a3"]) < ordered.index(ids["b1"]) < ordered.index(ids["a2"])
    assert reviewer.get("/queue?decision=nonsense&sort=nonsense").status_code == 200


def test_agreement_page(client, ids):
    _decide(client, ids["a1"], decision="reject", reason="duplicate_poe")
    _decide(client, ids["a2"], decision="reject", reason="check_was_wrong",
            overrides=[{"check": "dates", "status": "warn", "reason": "r"}])
    page = _session(client, REVIEWER).get("/agreement?date_from=2025-05-01&date_to=nonsense")
    assert page.status_code == 200
    assert 'id="agreement-share">50%' in page.text and 'data-check="dates"' in page.text
    assert date(2025, 5, 1).isoformat() in page.text
