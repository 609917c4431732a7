"""The same API on a real uvicorn server (`poecheck serve`) on 127.0.0.1, driven over HTTP."""
from __future__ import annotations

import json
import os
import threading

import httpx
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
    live_server,
    multipart,
)

from service.checking import check_uploaded
from service.claims import parse_claim
from service.config import Settings
from service.reuse import ReuseIndex


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("live") / "data"
    with live_server(data) as url:
        yield url, data


def _upload(url, key, case, timeout=120):
    claim, files = dev_case(case)
    return httpx.post(url + "/v1/checks", headers=auth(key), files=multipart(claim, files), timeout=timeout)


def test_upload_gives_the_same_report_as_check_files(server, tmp_path):
    url, data = server
    r = _upload(url, PARTNER_A, "dev-001")
    assert r.status_code == 201, r.text
    claim, files = dev_case("dev-001")
    settings = Settings(data_dir=tmp_path)
    expected = json.loads(check_uploaded(parse_claim(claim), files, settings=settings, reuse=ReuseIndex()).report.model_dump_json())
    assert comparable(r.json()) == comparable(expected)
    stored = httpx.get(f"{url}/v1/checks/{r.json()['id']}", headers=auth(REVIEWER)).json()
    assert comparable(stored) == comparable(expected)
    assert (data / "poecheck.db").exists()
    assert not any((data / "tmp").iterdir())


def test_auth_over_http(server):
    url, _ = server
    report_id = _upload(url, PARTNER_A, "dev-001").json()["id"]
    assert httpx.get(f"{url}/v1/checks/{report_id}").status_code == 401
    other = httpx.get(f"{url}/v1/checks/{report_id}", headers=auth(PARTNER_B))
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    listed = httpx.get(f"{url}/v1/checks", headers=auth(REVIEWER)).json()
    assert report_id in [i["id"] for i in listed["items"]]


@pytest.mark.parametrize(("path", "code"), [
    pytest.param(CORPUS / "pdf_malformed" / "qpdf__bad1_not-a-pdf.pdf", "malformed", id="not-a-pdf"),
    pytest.param(CORPUS / "pdf_text" / "pypdf__r4-aes-user-password.pdf", "encrypted", id="encrypted"),
])
def test_malformed_files_over_http(server, path, code):
    url, _ = server
    claim, _ = dev_case("dev-001")
    r = httpx.post(url + "/v1/checks", headers=auth(REVIEWER), files=multipart(claim, [path]), timeout=60)
    assert (r.status_code, r.json()["code"]) == (422, code)


def test_readyz_and_docs(server):
    url, _ = server
    assert httpx.get(url + "/readyz").json()["status"] == "ready"
    assert "swagger" in httpx.get(url + "/docs").text.lower()


@pytest.mark.ocr
def test_healthz_answers_while_a_scan_is_ocred(server):
    url, _ = server
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=_upload(url, REVIEWER, "dev-018")))
    worker.start()
    answered_during = 0
    with httpx.Client(base_url=url) as client:
        while worker.is_alive():
            ok = client.get("/healthz", timeout=5).status_code == 200
            if ok and worker.is_alive():
                answered_during += 1
    worker.join()
    assert result["r"].status_code == 201
    assert answered_during > 0


def test_same_findings_as_the_poecheck_check_command(server, tmp_path):
    """`poecheck check` runs without a store, so only template_reuse differs (not_applicable there)."""
    import subprocess
    import sys
    from pathlib import Path

    url, _ = server
    _, files = dev_case("dev-014")
    api = _upload(url, REVIEWER, "dev-014").json()
    cli = subprocess.run([str(Path(sys.executable).parent / "poecheck"), "check", *map(str, files), "--claim",
                          str(DEV / "claims" / "dev-014.json"), "--json", "--exit-zero"], capture_output=True, check=True,
                         env={**os.environ, "POECHECK_DATA_DIR": str(tmp_path)})
    cli = json.loads(cli.stdout)
    assert api["verdict"] == cli["verdict"]

    def others(report):
        return [c for c in report["checks"] if c["id"] != "template_reuse"]
    assert others(api) == others(cli)
    assert api["documents"] == cli["documents"]
