"""Bad requests get 4xx JSON with a stable code before any document is read; auth on every route."""
from __future__ import annotations

import json
import os

import pytest
from apihelp import PARTNER_A, PARTNER_B, REVIEWER, auth, dev_case, multipart, no_temp_files

CLAIM, FILES = dev_case("dev-001")


@pytest.mark.parametrize(("method", "path"), [
    pytest.param("get", "/v1/checks", id="list"),
    pytest.param("get", "/v1/checks/0123", id="read"),
    pytest.param("post", "/v1/checks", id="create"),
    pytest.param("post", "/v1/payouts", id="payout"),
    pytest.param("get", "/v1/checks/0123/pages/1", id="page-image"),
])
def test_no_key_is_401_json(client, method, path):
    for headers in ({}, auth("wrong-key")):
        r = getattr(client, method)(path, headers=headers)
        assert r.status_code == 401
        assert r.json()["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"


def test_health_needs_no_key(client):
    assert client.get("/healthz").json() == {"status": "ok", "pid": os.getpid()}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["store"] == "ok"


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    pytest.param({"json": {"claim": {}}}, 415, "unsupported_media_type", id="json-body"),
    pytest.param({"files": [("files", ("a.pdf", b"%PDF-1.4"))]}, 422, "invalid_upload", id="no-claim"),
    pytest.param({"files": [("claim", (None, CLAIM))]}, 422, "invalid_upload", id="no-files"),
    pytest.param({"files": [("claim", (None, b"{not json")), ("files", ("a.pdf", b"x"))]}, 422,
                 "invalid_claim", id="claim-not-json"),
    pytest.param({"files": [("claim", (None, b'{"partner": {"name": "P"}}')), ("files", ("a.pdf", b"x"))]},
                 422, "invalid_claim", id="claim-incomplete"),
    pytest.param({"files": [("claim", (None, CLAIM)), ("other", ("a.pdf", b"x"))]}, 422, "invalid_upload",
                 id="unexpected-field"),
    pytest.param({"content": b"--xyz\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=xyz"}},
                 422, "invalid_upload", id="broken-multipart"),
])
def test_bad_upload_requests(client, settings, kwargs, status, code):
    headers = {**auth(REVIEWER), **kwargs.pop("headers", {})}
    r = client.post("/v1/checks", headers=headers, **kwargs)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert r.json()["message"]
    assert no_temp_files(settings)


def test_upload_size_and_file_count_limits(client, settings):
    settings.max_upload_bytes = 1000
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(CLAIM, FILES))
    assert (r.status_code, r.json()["code"]) == (413, "upload_too_large")
    settings.max_upload_bytes = 10_000_000
    settings.max_files = 1
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(CLAIM, FILES + FILES))
    assert (r.status_code, r.json()["code"]) == (413, "too_many_files")
    assert no_temp_files(settings)


def test_partner_key_cannot_file_for_another_partner(client):
    r = client.post("/v1/checks", headers=auth(PARTNER_B), files=multipart(CLAIM, FILES))
    assert (r.status_code, r.json()["code"]) == (403, "partner_mismatch")


def test_busy_pool_gives_503_with_retry_after(client):
    runner = client.app.state.poe.runner
    tickets = [runner.reserve() for _ in range(runner.capacity)]
    try:
        r = client.post("/v1/checks", headers=auth(PARTNER_A), files=multipart(CLAIM, FILES))
        assert (r.status_code, r.json()["code"]) == (503, "busy")
        assert int(r.headers["retry-after"]) > 0
    finally:
        for t in tickets:
            t.release()
    assert runner.pending == 0


@pytest.mark.parametrize(("query", "code"), [
    pytest.param("verdict=maybe", "invalid_request", id="verdict"),
    pytest.param("limit=0", "invalid_request", id="limit"),
    pytest.param("date_from=yesterday", "invalid_request", id="date"),
])
def test_bad_list_queries_are_422(client, query, code):
    r = client.get(f"/v1/checks?{query}", headers=auth(REVIEWER))
    assert (r.status_code, r.json()["code"]) == (422, code)


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    pytest.param({"content": b"{}", "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type",
                 id="not-json"),
    pytest.param({"content": b"{oops", "headers": {"content-type": "application/json"}}, 422, "invalid_claim",
                 id="bad-json"),
    pytest.param({"content": CLAIM, "headers": {"content-type": "application/json"}}, 422, "invalid_usage",
                 id="no-usage"),
])
def test_bad_payout_requests(client, kwargs, status, code):
    headers = {**auth(REVIEWER), **kwargs.pop("headers")}
    r = client.post("/v1/payouts", headers=headers, **kwargs)
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_unknown_route_is_json_404(client):
    r = client.get("/v2/nothing")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")


def test_openapi_documents_models_and_bodies(client):
    schema = client.get("/openapi.json").json()
    claim = schema["components"]["schemas"]["Claim"]
    assert "Date the claim is made" in json.dumps(claim)
    evidence = schema["components"]["schemas"]["Evidence"]["properties"]
    assert evidence["quote"]["description"] == "The text found."
    body = schema["paths"]["/v1/checks"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert set(body["schema"]["required"]) == {"claim", "files"}
    assert client.get("/docs").status_code == 200
