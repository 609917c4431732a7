"""Batch results are reports of the reviewer queue; a rerun redoes what changed; the outputs name the claims
that errored (issue 16, findings 4 and 5)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from batchhelp import DEV, read_jsonl, write_manifest
from pgserver import on_database

from service.batch import run_batch
from service.config import Settings
from service.errors import InvalidOutput
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory

POECHECK = Path(sys.executable).parent / "poecheck"
SERVER = "https://poecheck.example.com"


def _reports(settings: Settings, batch: str | None = None):
    rows, total = ReportStore(session_factory(settings)).list(ReportFilter(batch=batch), limit=100)
    return rows, total


def test_batch_claims_are_reports_of_the_queue(tmp_path, batch_settings, database_url):
    batch_settings = on_database(batch_settings, database_url)  # on the embedded SQLite and on PostgreSQL
    manifest = write_manifest(tmp_path / "in", ["dev-001", "dev-002"])
    stats = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1, batch_id="backlog-1")
    assert (stats.checked, stats.failed, stats.batch_id) == (2, 0, "backlog-1")
    rows, total = _reports(batch_settings, batch="backlog-1")
    assert total == 2 and {r.input_claim_id for r in rows} == {"dev-001", "dev-002"}
    assert {r.owner_partner_id for r in rows} == {"8616805", "2932594"}  # the claims' partner ids
    assert _reports(batch_settings, batch="another")[1] == 0
    lines = {line["claim"]: line for line in read_jsonl(tmp_path / "out" / "reports.jsonl")}
    stored = ReportStore(session_factory(batch_settings)).get(lines["dev-001"]["report_id"])
    assert stored is not None and stored.batch_id == "backlog-1" and stored.input_claim_id == "dev-001"
    assert stored.report.verdict == lines["dev-001"]["report"]["verdict"]

    from fastapi.testclient import TestClient

    from service.api import create_app

    app_settings = batch_settings.model_copy(update={"api_keys": "rev-key:reviewer"})
    auth = {"Authorization": "Bearer rev-key"}
    with TestClient(create_app(app_settings)) as client:
        listed = client.get("/v1/checks", params={"batch": "backlog-1"}, headers=auth).json()
        assert listed["total"] == 2 and {i["batch_id"] for i in listed["items"]} == {"backlog-1"}
        one = client.get(f"/v1/checks/{stored.id}", headers=auth).json()
        assert (one["batch_id"], one["input_claim_id"]) == ("backlog-1", "dev-001")
        page = client.get(f"/reports/{stored.id}", headers=auth)
        assert page.status_code == 200 and "backlog-1" in page.text
        queue = client.get("/queue", params={"batch": "backlog-1"}, headers=auth)
        assert queue.text.count('href="/reports/') >= 2


def test_changed_trust_roots_redo_the_claim_and_supersede_its_report(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", trust_roots=None, ocr_workers=1)
    manifest = write_manifest(tmp_path / "in", ["dev-007"])
    first = run_batch(manifest, tmp_path / "out", settings=settings, workers=1)
    assert first.checked == 1
    assert read_jsonl(tmp_path / "out" / "reports.jsonl")[0]["report"]["verdict"] == "needs_more_poe"

    trusted = settings.model_copy(update={"trust_roots": DEV / "trust"})
    second = run_batch(manifest, tmp_path / "out", settings=trusted, workers=1)
    assert (second.checked, second.skipped) == (1, 0)
    assert read_jsonl(tmp_path / "out" / "reports.jsonl")[0]["report"]["verdict"] == "approvable"
    rows, total = _reports(trusted, batch=first.batch_id)
    assert total == 1 and rows[0].verdict == "approvable"  # the first report is superseded, not listed

    third = run_batch(manifest, tmp_path / "out", settings=trusted, workers=1)
    assert (third.checked, third.skipped) == (0, 1)
    changed = trusted.model_copy(update={"check_text_chars": 100_000})
    assert run_batch(manifest, tmp_path / "out", settings=changed, workers=1).checked == 1


def test_rerun_redoes_everything(tmp_path, batch_settings):
    manifest = write_manifest(tmp_path / "in", ["dev-001", "dev-002"])
    run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1)
    again = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1, rerun=True)
    assert (again.checked, again.skipped) == (2, 0)
    assert len(read_jsonl(tmp_path / "out" / "reports.jsonl")) == 2
    assert _reports(batch_settings, batch=again.batch_id)[1] == 2


def test_summary_lists_errored_claims_and_links_reports(tmp_path, batch_settings):
    manifest = write_manifest(tmp_path / "in", ["dev-001"], extra_rows=[
        {"claim_id": "lost-file", "claim_json": '{"partner": {"name": "A"}, "customer": {"name": "B"}, '
                                               '"workloads": ["MDE"]}', "files": "missing.pdf"},
        {"claim_id": "bad-claim", "claim_json": '{"partner": {}}', "files": "missing.pdf"}])
    stats = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1, server_url=SERVER)
    assert stats.failed == 2
    html = (tmp_path / "out" / "summary.html").read_text()
    errors = html[html.index('id="errors"'):html.index("<h2>Verdicts")]
    assert "lost-file" in errors and "file_missing" in errors and "missing.pdf" in errors
    assert "bad-claim" in errors and "invalid_claim" in errors
    report_id = read_jsonl(tmp_path / "out" / "reports.jsonl")[0]["report_id"]
    assert f'href="{SERVER}/reports/{report_id}"' in html
    assert f"{SERVER}/queue?batch={stats.batch_id}" in html
    csv_text = (tmp_path / "out" / "summary.csv").read_text()
    assert "error_message" in csv_text.splitlines()[0] and "file(s) not found" in csv_text


def test_out_that_is_a_file_fails_before_any_work(tmp_path, batch_settings):
    manifest = write_manifest(tmp_path / "in", ["dev-001"])
    out = tmp_path / "out.txt"
    out.write_text("not a folder")
    with pytest.raises(InvalidOutput, match="is a file"):
        run_batch(manifest, out, settings=batch_settings, workers=1)
    assert not (batch_settings.data_dir / "poecheck.db").exists()


def _cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POECHECK_DATA_DIR": str(data), "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([str(POECHECK), "batch", *args, "--workers", "1", "--quiet",
                           "--trust-roots", str(DEV / "trust")],
                          capture_output=True, text=True, timeout=300, env=env, check=False)


def test_cli_exit_status(tmp_path):
    data = tmp_path / "data"
    good = write_manifest(tmp_path / "good", ["dev-001"])
    ok = _cli(str(good), "--out", str(tmp_path / "o1"), data=data)
    assert ok.returncode == 0, ok.stderr

    bad = write_manifest(tmp_path / "bad", ["dev-001"], extra_rows=[
        {"claim_id": "gone", "claim_json": "../x.json", "files": "nowhere.pdf"}])
    failed = _cli(str(bad), "--out", str(tmp_path / "o2"), data=data)
    assert failed.returncode == 1
    assert "1 of 2 claims could not be checked" in failed.stderr and "Traceback" not in failed.stderr

    out_file = tmp_path / "o3"
    out_file.write_text("")
    usage = _cli(str(good), "--out", str(out_file), data=tmp_path / "data3")
    assert usage.returncode == 2
    lines = usage.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("poecheck: invalid_output: ") and "Traceback" not in usage.stderr
    assert not (tmp_path / "data3").exists()
