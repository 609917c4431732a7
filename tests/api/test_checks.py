"""POST/GET /v1/checks and /v1/payouts on real fixture files through the whole pipeline (TestClient)."""
from __future__ import annotations

import json

import pytest
from apihelp import (
    CORPUS,
    DEV,
    PARTNER_A,
    PARTNER_B,
    REVIEWER,
    auth,
    comparable,
    dev_case,
    multipart,
    no_temp_files,
)

from service.checking import check_uploaded
from service.claims import parse_claim
from service.reuse import ReuseIndex


def _post(client, key, case):
    claim, files = dev_case(case)
    return client.post("/v1/checks", headers=auth(key), files=multipart(claim, files))


def test_report_is_the_same_as_check_files(client, settings):
    r = _post(client, PARTNER_A, "dev-001")
    assert r.status_code == 201, r.text
    body = r.json()
    claim, files = dev_case("dev-001")
    expected = json.loads(check_uploaded(parse_claim(claim), files, settings=settings, reuse=ReuseIndex()).report.model_dump_json())
    assert comparable(body) == comparable(expected)
    assert body["verdict"] == "approvable" and body["partner_id"] == "8616805"
    assert {c["id"] for c in body["checks"]} >= {"party_names", "dates", "workload_match"}
    assert no_temp_files(settings)
    assert not (settings.data_dir / "uploads").exists()


def test_template_reuse_uses_earlier_submissions(client):
    original = _post(client, REVIEWER, "dev-013").json()
    reuse = next(c for c in original["checks"] if c["id"] == "template_reuse")
    assert reuse["status"] == "pass"
    copy = _post(client, REVIEWER, "dev-041").json()
    reuse = next(c for c in copy["checks"] if c["id"] == "template_reuse")
    assert reuse["status"] == "fail" and copy["verdict"] == "rejectable"


def test_partners_read_only_their_own_reports(client):
    report_id = _post(client, PARTNER_A, "dev-001").json()["id"]
    assert client.get(f"/v1/checks/{report_id}", headers=auth(PARTNER_A)).json()["id"] == report_id
    other = client.get(f"/v1/checks/{report_id}", headers=auth(PARTNER_B))
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert client.get(f"/v1/checks/{report_id}", headers=auth(REVIEWER)).status_code == 200
    assert client.get("/v1/checks", headers=auth(PARTNER_B)).json()["total"] == 0
    assert [i["id"] for i in client.get("/v1/checks", headers=auth(PARTNER_A)).json()["items"]] == [report_id]


def test_partner_id_is_set_from_the_key(client):
    claim, files = dev_case("dev-014")
    data = json.loads(claim)
    data["partner"].pop("partner_id", None)
    r = client.post("/v1/checks", headers=auth(PARTNER_B), files=multipart(json.dumps(data), files))
    assert r.status_code == 201, r.text
    assert r.json()["partner_id"] == "1111111"
    assert client.get(f"/v1/checks/{r.json()['id']}", headers=auth(PARTNER_B)).status_code == 200


def test_failing_check_has_evidence_and_remediation(client):
    body = _post(client, REVIEWER, "dev-014").json()
    assert body["verdict"] == "rejectable"
    dates = next(c for c in body["checks"] if c["id"] == "dates")
    assert dates["status"] == "fail" and dates["remediation"]


def test_reviewer_lists_and_filters(client):
    ids = {case: _post(client, key, case).json()["id"]
           for case, key in (("dev-001", PARTNER_A), ("dev-015", REVIEWER))}
    everything = client.get("/v1/checks?sort=newest", headers=auth(REVIEWER)).json()
    assert everything["total"] == 2 and everything["items"][0]["id"] == ids["dev-015"]
    queue = client.get("/v1/checks", headers=auth(REVIEWER)).json()  # undecided first, then oldest first
    assert [i["id"] for i in queue["items"]] == [ids["dev-001"], ids["dev-015"]]
    rejected = client.get("/v1/checks?verdict=rejectable", headers=auth(REVIEWER)).json()
    assert [i["id"] for i in rejected["items"]] == [ids["dev-015"]]
    by_partner = client.get("/v1/checks?partner=8616805&limit=1", headers=auth(REVIEWER)).json()
    assert [i["id"] for i in by_partner["items"]] == [ids["dev-001"]]
    assert client.get("/v1/checks?date_to=2000-01-01", headers=auth(REVIEWER)).json()["total"] == 0
    page2 = client.get("/v1/checks?sort=newest&limit=1&offset=1", headers=auth(REVIEWER)).json()
    assert [i["id"] for i in page2["items"]] == [ids["dev-001"]]


@pytest.mark.parametrize(("path", "status", "code"), [
    pytest.param(CORPUS / "pdf_malformed" / "qpdf__bad1_not-a-pdf.pdf", 422, "malformed", id="not-a-pdf"),
    pytest.param(CORPUS / "pdf_malformed" / "qpdf__issue-335a-garbage.pdf", 422, "malformed", id="garbage"),
    pytest.param(CORPUS / "msg" / "poi__fuzz-4735011465854976.msg", 422, "malformed", id="fuzzed-msg"),
    pytest.param(CORPUS / "pdf_text" / "pypdf__r4-aes-user-password.pdf", 422, "encrypted", id="encrypted"),
])
def test_malformed_fixtures_are_4xx_json(client, settings, path, status, code):
    claim, _ = dev_case("dev-001")
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, [path]))
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert no_temp_files(settings)
    assert client.get("/v1/checks", headers=auth(REVIEWER)).json()["total"] == 0


@pytest.mark.parametrize(("name", "data", "status", "code"), [
    pytest.param("empty.pdf", b"", 422, "empty_file", id="empty"),
    pytest.param("notes.xlsx", b"PK\x03\x04" + b"\x00" * 60, 415, "unsupported_type", id="office-zip"),
    pytest.param("notes.docx", b"PK\x03\x04" + b"\x00" * 60, 422, "malformed", id="not-a-docx"),
])
def test_unreadable_uploads(client, name, data, status, code):
    claim, _ = dev_case("dev-001")
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=[("claim", (None, claim)), ("files", (name, data))])
    assert (r.status_code, r.json()["code"]) == (status, code), r.text


def test_kept_uploads_go_to_the_data_dir(client, settings):
    settings.keep_uploads = True
    report_id = _post(client, REVIEWER, "dev-001").json()["id"]
    kept = settings.data_dir / "uploads" / report_id / "Services_Completion_Letter_Corvid.pdf"
    assert kept.read_bytes() == (DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf").read_bytes()
    assert no_temp_files(settings)


def test_payout_ledger(client):
    expected = next(json.loads(line) for line in (DEV / "payouts.jsonl").read_text().splitlines()
                    if json.loads(line)["case"] == "dev-pay-01")
    claim = (DEV / expected["claim"]).read_bytes()
    r = client.post("/v1/payouts", headers={**auth(PARTNER_B), "content-type": "application/json"}, content=claim)
    assert r.status_code == 200, r.text
    assert r.json()["total_dollars"] == expected["total_dollars"]
    assert r.json()["workloads"]["INTUNE"]["units"] == expected["expected"]["INTUNE"]["units"]


@pytest.mark.ocr
def test_scan_keeps_page_images_with_highlighted_evidence(client, settings):
    body = _post(client, REVIEWER, "dev-018").json()
    assert body["verdict"] == "rejectable"
    report_id = body["id"]
    jpeg = client.get(f"/v1/checks/{report_id}/pages/1", headers=auth(REVIEWER))  # a scan is kept as a JPEG
    assert jpeg.status_code == 200 and jpeg.content.startswith(b"\xff\xd8")
    assert client.get(f"/v1/checks/{report_id}/pages/9", headers=auth(REVIEWER)).status_code == 404
    client.post("/login", data={"key": REVIEWER})
    html = client.get(f"/reports/{report_id}").text
    assert 'class="page-image"' in html and 'class="mark' in html
    assert no_temp_files(settings)
