"""A batch claim's report keeps its page images like an upload's, and its key changes with the Tesseract that
reads the scans (issue 16, findings 4 and 5)."""
from __future__ import annotations

from batchhelp import write_manifest

from service.batch import run_batch, runner
from service.store.page_images import load_index
from service.store.reports import ReportFilter, ReportStore
from service.store.sessions import session_factory


def test_a_batch_report_keeps_the_page_images_of_its_email_and_attachment(tmp_path, batch_settings):
    manifest = write_manifest(tmp_path / "in", ["dev-010"])
    run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1, batch_id="mail-batch")
    rows, _ = ReportStore(session_factory(batch_settings)).list(ReportFilter(batch="mail-batch"), limit=10)
    entries = load_index(batch_settings, rows[0].id)
    parts = [e["part"] for e in entries]
    assert any(p.endswith(".msg > body") for p in parts)
    assert any(".pdf > page" in p for p in parts)  # the attached PDF, rendered inside the .msg


def test_the_batch_key_holds_the_tesseract_version(batch_settings, monkeypatch):
    assert runner.tesseract_version().startswith("tesseract ")
    before = runner.config_fingerprint(batch_settings)
    monkeypatch.setattr(runner, "tesseract_version", lambda: "tesseract 9.0.0 leptonica-2.0.0")
    assert runner.config_fingerprint(batch_settings) != before
