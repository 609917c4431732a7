"""Schemathesis against the OpenAPI schema of a live `poecheck serve` on 127.0.0.1.

Every operation, the multipart POST /v1/checks included, gets generated valid (positive) and invalid
(negative) requests with a reviewer key: no response may be a 5xx, and each status code, content type,
header and body must be the one the schema documents. Examples per operation are bounded and derandomized.
"""
from __future__ import annotations

import json
import os

import pytest
import schemathesis
from apihelp import DEV, PARTNER_A, PARTNER_B, REVIEWER, auth, dev_case, live_server
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]
OPERATIONS = [
    ("POST", "/v1/checks"),
    ("GET", "/v1/checks"),
    ("GET", "/v1/checks/{report_id}"),
    ("GET", "/v1/checks/{report_id}/pages/{n}"),
    ("GET", "/v1/checks.csv"),
    ("POST", "/v1/checks/{report_id}/decisions"),
    ("GET", "/v1/checks/{report_id}/decisions"),
    ("GET", "/v1/stats/agreement"),
    ("POST", "/v1/payouts"),
    ("GET", "/v1/jobs/{job_id}"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]
# Operations with a body or parameters that invalid data can be made for (a free string cannot be invalid).
CONSTRAINED = {("POST", "/v1/checks"), ("GET", "/v1/checks"), ("GET", "/v1/checks/{report_id}/pages/{n}"),
               ("POST", "/v1/payouts"), ("GET", "/v1/checks.csv"), ("POST", "/v1/checks/{report_id}/decisions"),
               ("GET", "/v1/stats/agreement")}
EXAMPLES = int(os.environ.get("POECHECK_SCHEMA_FUZZ_EXAMPLES", "40"))  # more for a longer local run


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with live_server(tmp_path_factory.mktemp("schema-fuzz") / "data") as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(server: str):
    # Invalid data may also be refused by a limit (413: too many files, too large) before it is validated.
    rejected = {"expected-statuses": ["400", "401", "403", "404", "413", "415", "422"]}
    config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": rejected}})
    return schemathesis.openapi.from_url(f"{server}/openapi.json", config=config)


def test_every_operation_is_fuzzed(api_schema) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(
    ("method", "path", "mode", "key"),
    [pytest.param(m, p, GenerationMode.POSITIVE, key, id=f"{m} {p} positive {who}")
     for m, p in OPERATIONS for who, key in (("reviewer", REVIEWER), ("partner", PARTNER_A))]
    + [pytest.param(m, p, GenerationMode.NEGATIVE, REVIEWER, id=f"{m} {p} negative reviewer")
       for m, p in OPERATIONS if (m, p) in CONSTRAINED],
)
def test_operation_conforms_to_schema(api_schema, server: str, method: str, path: str,
                                      mode: GenerationMode, key: str) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.call_and_validate(base_url=server, headers=auth(key), checks=CHECKS, timeout=60)

    run()


def _post_case(api_schema, server: str, case: str, key: str):
    claim, files = dev_case(case)
    return api_schema["/v1/checks"]["POST"].Case(
        body={"claim": claim.decode(), "files": [p.read_bytes() for p in files]}, media_type="multipart/form-data"
    ).call_and_validate(base_url=server, headers=auth(key), checks=CHECKS, timeout=120)


def _get(api_schema, server: str, route: str, *, path: dict | None = None, query: dict | None = None):
    case = api_schema[route]["GET"].Case(path_parameters=path, query=query)
    return case.call_and_validate(base_url=server, headers=auth(REVIEWER), checks=CHECKS)


@pytest.mark.ocr
def test_real_checks_and_payout_conform_to_schema(api_schema, server: str) -> None:
    """Generated claims are never valid, so the success responses are validated on real dev cases."""
    text = _post_case(api_schema, server, "dev-001", REVIEWER)
    assert text.status_code == 201, text.text
    refused = _post_case(api_schema, server, "dev-001", PARTNER_B)  # the claim names partner A
    assert refused.status_code == 403 and refused.json()["code"] == "partner_mismatch"
    scan = _post_case(api_schema, server, "dev-004", REVIEWER)  # a scan: its page image is kept
    assert scan.status_code == 201, scan.text

    assert _get(api_schema, server, "/v1/checks/{report_id}", path={"report_id": text.json()["id"]}).status_code == 200
    listed = _get(api_schema, server, "/v1/checks", query={"verdict": text.json()["verdict"], "limit": 5})
    assert text.json()["id"] in [row["id"] for row in listed.json()["items"]]
    page = _get(api_schema, server, "/v1/checks/{report_id}/pages/{n}", path={"report_id": scan.json()["id"], "n": 1})
    assert page.status_code == 200 and page.headers["content-type"] == ["image/jpeg"]  # a scan is a photo of paper
    assert page.content.startswith(b"\xff\xd8\xff")
    payout = api_schema["/v1/payouts"]["POST"].Case(
        body=json.loads((DEV / "claims" / "dev-pay-01.json").read_text()), media_type="application/json"
    ).call_and_validate(base_url=server, headers=auth(REVIEWER), checks=CHECKS)
    assert payout.status_code == 200, payout.text
    assert _get(api_schema, server, "/readyz").json()["status"] == "ready"
    claim, files = dev_case("dev-001")
    queued = api_schema["/v1/checks"]["POST"].Case(
        body={"claim": claim.decode(), "files": [p.read_bytes() for p in files]}, media_type="multipart/form-data",
        query={"async": "true"}).call_and_validate(base_url=server, headers=auth(REVIEWER), checks=CHECKS, timeout=120)
    assert queued.status_code == 202, queued.text
    job = _get(api_schema, server, "/v1/jobs/{job_id}", path={"job_id": queued.json()["id"]})
    assert job.status_code == 200 and job.json()["files_total"] == 1


# Regressions of what the schema fuzzing found (in-process TestClient, no server needed).


def test_huge_offset_is_a_validation_error_not_500(client) -> None:
    response = client.get("/v1/checks", params={"offset": 10**20}, headers=auth(REVIEWER))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_huge_queue_page_is_clamped_not_500(client) -> None:
    response = client.get("/queue", params={"page": 10**20}, headers=auth(REVIEWER))
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("name", ["\U000d74aa", "名前", "claim\u2028"])
def test_form_field_name_beyond_latin1_is_invalid_upload(client, name: str) -> None:
    body = (f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\nnull\r\n--b--\r\n').encode()
    response = client.post("/v1/checks", content=body, headers={
        **auth(REVIEWER), "Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_upload"


@pytest.mark.parametrize(("value", "status"), [("0.0", 422), ("1700000000", 422), ("2025-13-01", 422),
                                               ("2025-04-21", 200)])
def test_report_list_dates_are_iso_days_not_timestamps(client, value: str, status: int) -> None:
    response = client.get("/v1/checks", params={"date_to": value}, headers=auth(REVIEWER))
    assert response.status_code == status, response.text
