"""Hostile uploads through POST /v1/checks: the reader process fails, the server answers 4xx and goes on."""
from __future__ import annotations

from pathlib import Path

import pytest
from apihelp import DEV, KEYS, REVIEWER, auth, dev_case, multipart, no_temp_files

from service.config import Settings
from tests.ingest.hostile import flate_bomb_pdf, text_pdf

LETTER = DEV / "docs" / "dev-001" / "Services_Completion_Letter_Corvid.pdf"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # the PDF content check off: the flate bombs here are for the reader's own limits
    return Settings(data_dir=tmp_path / "data", api_keys=KEYS, check_workers=1, queue_limit=2,
                    trust_roots=DEV / "trust", parse_memory_mb=512, pdf_page_content_mb=0)


def _upload(client, name: str, data: bytes):
    claim, _ = dev_case("dev-001")
    return client.post("/v1/checks", headers=auth(REVIEWER), files=[("claim", (None, claim)),
                                                                      ("files", (name, data))])


def test_memory_bomb_is_413_and_the_next_check_runs(client, settings):
    r = _upload(client, "bomb.pdf", flate_bomb_pdf(gigabytes=2))
    assert (r.status_code, r.json()["code"]) == (413, "parser_memory"), r.text
    assert "512 MB" in r.json()["message"]
    assert no_temp_files(settings)
    claim, files = dev_case("dev-001")
    after = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert after.status_code == 201, after.text
    assert after.json()["verdict"] == "approvable"
    assert client.get("/v1/checks", headers=auth(REVIEWER)).json()["total"] == 1


def test_slow_document_is_422_parser_timeout(client, settings):
    settings.parse_timeout_s = 0.5
    settings.parse_memory_mb = 8192
    r = _upload(client, "slow.pdf", flate_bomb_pdf(gigabytes=4))
    assert (r.status_code, r.json()["code"]) == (422, "parser_timeout"), r.text
    assert no_temp_files(settings)


def test_path_traversal_file_name_stays_in_the_data_dir(client, settings, tmp_path: Path):
    settings.keep_uploads = True
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    r = _upload(client, "../../etc/passwd.pdf", text_pdf("Completion letter with a hostile file name"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert [d["filename"] for d in body["documents"]] == ["passwd.pdf"]
    new = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    assert all(p.is_relative_to(settings.data_dir) for p in new), new
    assert settings.data_dir / "uploads" / body["id"] / "passwd.pdf" in new
    assert not (settings.data_dir.parent.parent / "etc").exists()
    assert no_temp_files(settings)
