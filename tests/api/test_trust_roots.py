"""The service with no trust roots: says so at start and in /readyz, and a correctly signed letter is
'needs more POE' (its signer cannot be verified), never 'have the customer sign it again'."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from apihelp import KEYS, REVIEWER, auth, dev_case, multipart

from service.config import Settings


def _client(settings: Settings):
    from fastapi.testclient import TestClient

    from service.api import create_app

    return TestClient(create_app(settings))


@pytest.fixture
def no_roots(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", api_keys=KEYS, check_workers=1, queue_limit=2, trust_roots=None)


def test_start_logs_and_readyz_reports_no_trust_roots(no_roots, caplog):
    with caplog.at_level(logging.WARNING, logger="service.api.app"), _client(no_roots) as client:
        ready = client.get("/readyz")
    assert any("no trust roots are configured" in r.getMessage() for r in caplog.records)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["trust_roots"].startswith("none configured")


def test_readyz_names_the_roots_in_use_without_paths(settings):
    with _client(settings) as client:
        body = client.get("/readyz").json()
    assert body["trust_roots"] == "1 root certificate(s) from the trust roots folder"
    assert str(settings.trust_roots) not in body["trust_roots"]


def test_system_trust_roots(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", api_keys=KEYS, trust_roots=Path("system"))
    with _client(settings) as client:
        body = client.get("/readyz").json()
    assert body["status"] == "ready" and "from the system certificate bundle" in body["trust_roots"]


def test_signed_letter_without_trust_roots_needs_more_poe(no_roots):
    claim, files = dev_case("dev-007")
    with _client(no_roots) as client:
        r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 201, r.text
    report = r.json()
    checks = {c["id"]: c for c in report["checks"]}
    assert report["verdict"] == "needs_more_poe"
    assert checks["digital_signature"]["status"] == "warn"
    assert checks["digital_signature"]["message"] == ("signature intact; no trust roots are configured, so its "
                                                      "signer cannot be verified")
    assert checks["customer_acknowledgement"]["status"] == "warn"
    assert "no trust roots are configured" in checks["customer_acknowledgement"]["message"]
    assert checks["dates"]["status"] == "pass"
    assert not any("sign it again" in (c["remediation"] or "") for c in report["checks"])


def test_signed_letter_with_the_dev_root_is_approvable(client):
    claim, files = dev_case("dev-007")
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "approvable"
