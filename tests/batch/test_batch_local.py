"""`run_batch` on local worker processes: same reports as one by one, resumable, error rows, outputs."""
from __future__ import annotations

import csv
import os

import pytest
from batchhelp import BACKLOG, DEV, digest, read_jsonl, write_manifest

from service.batch import run_batch
from service.errors import InvalidBatchInput


@pytest.mark.ocr
def test_two_workers_match_one_by_one(tmp_path, batch_settings, expected_backlog):
    manifest = write_manifest(tmp_path / "in", list(BACKLOG))
    stats = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=2)
    assert (stats.claims, stats.checked, stats.errors) == (len(BACKLOG), len(BACKLOG), 0)
    lines = read_jsonl(tmp_path / "out" / "reports.jsonl")
    assert [line["claim"] for line in lines] == list(BACKLOG)
    got = {line["claim"]: digest(line["report"]) for line in lines}
    assert got == expected_backlog
    reuse = {cid: d["checks"]["template_reuse"] for cid, d in got.items()}
    assert reuse.pop("dev-041") == "fail"
    assert set(reuse.values()) == {"pass"}
    match = next(line for line in lines if line["claim"] == "dev-041")["report"]["checks"]
    details = next(c for c in match if c["id"] == "template_reuse")["details"]["matches"]
    assert [m["claim_id"] for m in details] == ["dev-013"] and details[0]["similarity"] >= 0.8

    again = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=2)
    assert (again.skipped, again.checked, again.documents) == (len(BACKLOG), 0, 0)
    assert read_jsonl(tmp_path / "out" / "reports.jsonl") == lines


def test_missing_file_and_bad_claim_get_error_rows(tmp_path, batch_settings):
    manifest = write_manifest(tmp_path / "in", ["dev-001"], extra_rows=[
        {"claim_id": "gone", "claim_json": "../x.json", "files": "nowhere.pdf"},
        {"claim_id": "lost-file", "claim_json": '{"partner": {"name": "A"}, "customer": {"name": "B"}, '
                                               '"workloads": ["MDE"]}', "files": "missing.pdf"},
        {"claim_id": "bad-claim", "claim_json": '{"partner": {}}', "files": "missing.pdf"},
    ])
    stats = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1)
    assert (stats.checked, stats.errors) == (1, 3)
    by_claim = {line["claim"]: line for line in read_jsonl(tmp_path / "out" / "reports.jsonl")}
    assert by_claim["dev-001"]["status"] == "ok"
    assert by_claim["gone"]["error"]["code"] == "file_missing"
    assert by_claim["lost-file"]["error"]["code"] == "file_missing"
    assert by_claim["bad-claim"]["error"]["code"] == "invalid_claim"
    with (tmp_path / "out" / "summary.csv").open() as fh:
        rows = {r["claim"]: r for r in csv.DictReader(fh)}
    assert rows["lost-file"]["verdict"] == "error" and rows["lost-file"]["partner"] == "A"
    assert rows["dev-001"]["verdict"] in ("approvable", "needs_more_poe", "rejectable")


def test_unreadable_file_is_an_error_row_and_changed_files_are_redone(tmp_path, batch_settings):
    folder = tmp_path / "in"
    claim = os.path.relpath(DEV / "claims" / "dev-002.json", folder)
    manifest = write_manifest(folder, ["dev-002"], extra_rows=[
        {"claim_id": "junk", "claim_json": claim, "files": "junk.pdf"}])
    (folder / "junk.pdf").write_bytes(b"%PDF-1.7 truncated")
    run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1)
    junk = {line["claim"]: line for line in read_jsonl(tmp_path / "out" / "reports.jsonl")}["junk"]
    assert junk["status"] == "error" and junk["error"]["code"] not in ("", None, "internal_error")
    (folder / "junk.pdf").write_bytes(b"%PDF-1.4 still broken")
    again = run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1)
    assert (again.skipped, again.errors) == (1, 1)
    assert [line["claim"] for line in read_jsonl(tmp_path / "out" / "reports.jsonl")] == ["dev-002", "junk"]


def test_summary_html_has_chart_clusters_and_partners(tmp_path, batch_settings):
    manifest = write_manifest(tmp_path / "in", ["dev-013", "dev-041", "dev-002"])
    run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1)
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "<svg" in html and "Duplicate clusters" in html
    cluster = html[html.index("Duplicate clusters"):]
    assert "dev-013" in cluster and "dev-041" in cluster and "dev-002" not in cluster
    assert "Copperline IT Services Pty Ltd" in html and "Ironleaf Consulting Group" in html


@pytest.mark.parametrize("content, message", [
    pytest.param("a,b\n1,2\n", "missing column", id="columns"),
    pytest.param("claim_id,claim_json,files\n", "empty manifest", id="empty"),
    pytest.param("claim_id,claim_json,files\nx,{},a.pdf\nx,{},b.pdf\n", "appears twice", id="duplicate"),
])
def test_bad_manifest_is_a_typed_error(tmp_path, batch_settings, content, message):
    manifest = tmp_path / "m.csv"
    manifest.write_text(content)
    with pytest.raises(InvalidBatchInput, match=message):
        run_batch(manifest, tmp_path / "out", settings=batch_settings, workers=1)


def test_input_not_found(tmp_path, batch_settings):
    with pytest.raises(InvalidBatchInput, match="not found"):
        run_batch(tmp_path / "nope.csv", tmp_path / "out", settings=batch_settings, workers=1)
