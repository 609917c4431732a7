"""Findings are computed once per claim and shared by the checks (checks/findings/__init__.py)."""
from __future__ import annotations

from pathlib import Path

from checks import findings as findings_pkg
from checks.findings import findings_of
from checks.licensing_only import CHECK as LICENSING
from checks.runner import run_checks
from models import Claim
from service.config import Settings
from service.ingest.dispatch import ingest_path
from tests.checks.conftest import dev_pdf, make_ctx

EXT = Path(__file__).resolve().parents[2] / "fixtures" / "poe_ext"


def test_each_finding_is_computed_once_per_claim(monkeypatch):
    """Before: acknowledgements ran twice per claim (three times for public sector), activities four times."""
    calls = {"acknowledgements": 0, "activities": 0}
    real_ack, real_act = findings_pkg.acknowledgements, findings_pkg.claim_activities

    def ack(*args, **kwargs):
        calls["acknowledgements"] += 1
        return real_ack(*args, **kwargs)

    def act(*args, **kwargs):
        calls["activities"] += 1
        return real_act(*args, **kwargs)

    monkeypatch.setattr(findings_pkg, "acknowledgements", ack)
    monkeypatch.setattr(findings_pkg, "claim_activities", act)
    claim, docs = dev_pdf("dev-001")
    results = run_checks(claim, docs, make_ctx(claim))
    assert {r.id for r in results} >= {"customer_acknowledgement", "dates", "applicable_activities"}
    assert calls == {"acknowledgements": 1, "activities": 1}


def test_findings_are_not_shared_across_claims():
    claim, docs = dev_pdf("dev-001")
    ctx = make_ctx(claim)
    first = findings_of(claim, docs, ctx)
    other = claim.model_copy(update={"claim_id": "another"})
    assert findings_of(claim, docs, ctx) is first
    assert findings_of(other, docs, ctx) is not first


def test_an_audit_trail_describes_signing_not_work():
    """A signed licence order: its certificate's "Document created" is not delivered work."""
    (path,) = (EXT / "docs" / "es-011").iterdir()
    doc = ingest_path(path, settings=Settings())
    claim = Claim.model_validate_json((EXT / "claims" / "es-011.json").read_text())
    assert LICENSING.run(claim, [doc], make_ctx(claim)).status == "fail"
