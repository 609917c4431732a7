"""The reader registry: one line per document type, and every list of accepted types generated from it;
readers hand attachments back through the ingest context; `poecheck inspect` reads in the isolated reader."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import flate_bomb_pdf

from service.errors import MalformedDocument, UnsupportedFileType
from service.ingest import registry

ROOT = Path(__file__).resolve().parents[2]
POECHECK = Path(sys.executable).parent / "poecheck"


@pytest.mark.parametrize("reader", registry.READERS, ids=lambda r: r.label)
def test_each_reader_is_found_by_its_content_and_names(reader: registry.Reader) -> None:
    for file_type in reader.types:
        for magic in file_type.magic:
            data = magic + b"\x00" * 64
            if file_type.confirm is None or file_type.confirm(data):
                assert registry.detect_type(data) == file_type.media_type
        for ext in file_type.extensions:
            assert registry.type_from_name(f"x{ext.upper()}") == file_type.media_type
        assert registry.reader_for(file_type.media_type) is reader
    assert reader.label in registry.ACCEPTED
    assert callable(reader.load())


def test_accepted_types_are_listed_from_the_registry() -> None:
    labels = [r.label for r in registry.READERS]
    assert registry.ACCEPTED == ", ".join(labels[:-1]) + f" or {labels[-1]}"
    extensions = {e for r in registry.READERS for t in r.types for e in t.extensions}
    assert set(registry.ACCEPT_ATTRIBUTE.split(",")) == extensions


@pytest.mark.parametrize(
    ("data", "name", "error", "words"),
    [
        pytest.param(b"PK\x03\x04" + b"\x00" * 64, "notes.xlsx", UnsupportedFileType, "(a ZIP/Office file)", id="xlsx"),
        pytest.param(b"\x00\x01binary", "blob.bin", UnsupportedFileType, registry.ACCEPTED, id="unknown"),
        pytest.param(b"\x00\x01binary", "letter.pdf", MalformedDocument, "not a valid PDF file", id="named-pdf"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 64, "sign-off.docx", MalformedDocument, "not a valid DOCX file",
                     id="zip-named-docx"),
    ],
)
def test_unsupported_message(data: bytes, name: str, error: type, words: str) -> None:
    found = registry.unsupported(data, file=name, media_type=registry.detect_type(data))
    assert type(found) is error and words in found.message


def test_readers_never_import_the_dispatcher() -> None:
    """Attachments go back through IngestContext.attach: no reader module imports service.ingest.dispatch."""
    for module in {r.read_by.partition(":")[0] for r in registry.READERS}:
        path = ROOT / (module.replace(".", "/") + ".py")
        imported = {n.module for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom)}
        assert "service.ingest.dispatch" not in imported, module


def test_cli_help_names_every_accepted_type() -> None:
    out = subprocess.run([str(POECHECK), "check", "--help"], capture_output=True, text=True, timeout=60, check=True)
    assert registry.ACCEPTED in " ".join(out.stdout.split())


def test_inspect_reads_in_the_isolated_reader_under_its_limits(tmp_path: Path) -> None:
    """Before: `poecheck inspect` parsed in-process with no limits (a content-stream bomb kept it busy). The PDF
    content check is off here, so that only the reader process's memory cap can stop the bomb."""
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(flate_bomb_pdf(1))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_DATA_DIR": str(tmp_path / "data"),
           "POECHECK_PARSE_MEMORY_MB": "512", "POECHECK_PDF_PAGE_CONTENT_MB": "0"}
    proc = subprocess.run([str(POECHECK), "inspect", str(bomb)], capture_output=True, text=True, timeout=300,
                          env=env, check=False)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("poecheck: ") and ": parser_memory: " in last
