"""A document that blows up its reader gives that claim an error row; the batch and its worker go on."""
from __future__ import annotations

import os

from batchhelp import DEV, read_jsonl, write_manifest

from service.batch import run_batch
from tests.ingest.hostile import flate_bomb_pdf


def test_memory_bomb_is_an_error_row_and_the_batch_goes_on(tmp_path, batch_settings):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.pdf").write_bytes(flate_bomb_pdf(gigabytes=2))
    claim = os.path.relpath(DEV / "claims" / "dev-001.json", folder)
    manifest = write_manifest(folder, ["dev-001", "dev-002"], extra_rows=[
        {"claim_id": "bomb", "claim_json": claim, "files": "bomb.pdf"},
    ])
    settings = batch_settings.model_copy(update={"parse_memory_mb": 512, "pdf_page_content_mb": 0})
    stats = run_batch(manifest, tmp_path / "out", settings=settings, workers=1)
    assert (stats.claims, stats.checked, stats.errors) == (3, 2, 1)
    by_claim = {line["claim"]: line for line in read_jsonl(tmp_path / "out" / "reports.jsonl")}
    assert by_claim["bomb"]["error"]["code"] == "parser_memory"
    assert {by_claim[c]["status"] for c in ("dev-001", "dev-002")} == {"ok"}
    assert not any((settings.data_dir / "tmp").iterdir())
