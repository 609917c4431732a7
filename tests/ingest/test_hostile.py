"""Hostile files read through the isolated reader: a typed error or a safe result, memory below the cap."""
from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import (
    TEXT_PDF,
    flate_bomb_pdf,
    jpeg_pdf_polyglot,
    js_and_attachment_pdf,
    msg_with_attachments,
    nested_msg,
    png_header,
    text_pdf,
)

from models import Document
from service.config import Settings
from service.isolation import REUSE_SHARE, Parsed, ParserPool, memory_mb

CAP_MB = 512  # a small cap keeps the bombs quick; the default is 1024 MB


@pytest.fixture(scope="module")
def pool():
    pool = ParserPool()
    yield pool
    pool.close()


@pytest.fixture
def capped(settings: Settings) -> Settings:
    # the PDF content check (service/ingest/pdf_limits.py) off: these bombs are for the reader's own limits
    return settings.model_copy(update={"parse_memory_mb": CAP_MB, "ocr_workers": 1, "pdf_page_content_mb": 0})


def parse(pool: ParserPool, data: bytes, name: str, settings: Settings, *, display_name: str | None = None
          ) -> Parsed:
    folder = settings.data_dir / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    parsed = pool.parse(path, settings=settings, display_name=display_name)
    assert parsed.usage.peak_rss_mb < settings.parse_memory_mb, parsed.usage
    assert not any((settings.data_dir / "tmp").iterdir()), "the reader's temp folder was left behind"
    return parsed


def error_code(parsed: Parsed) -> str:
    assert parsed.error is not None, "expected a typed error"
    assert parsed.error.http_status in (413, 415, 422), parsed.error.http_status
    assert "\n" not in parsed.error.message
    return parsed.error.code


def attachments(doc: Document) -> list[str]:
    return [p.path for p in doc.parts if p.kind == "attachment"]


def test_flate_bomb_is_a_memory_error_and_the_next_document_is_read(pool, capped):
    bomb = flate_bomb_pdf(gigabytes=2)
    assert len(bomb) < 10_000
    assert error_code(parse(pool, bomb, "bomb.pdf", capped)) == "parser_memory"
    after = parse(pool, TEXT_PDF.read_bytes(), "after.pdf", capped).unwrap()
    assert [p.source for p in after.parts] == ["text_layer"] * 4


@pytest.fixture
def own_pool():
    pool = ParserPool()
    yield pool
    pool.close()


def settled_address_space(pid: int) -> float:
    """A new reader's address space once it has loaded its modules (unchanged for half a second)."""
    last, since = None, time.monotonic()
    while time.monotonic() - since < 0.5:
        size = memory_mb(pid)[0]
        if size != last:
            last, since = size, time.monotonic()
        time.sleep(0.05)
    return last


def test_bomb_filling_a_small_room_at_once_is_a_memory_error(own_pool, capped):
    """Under a cap 48 MB above a loaded reader, the bomb kills the reader within milliseconds: still
    parser_memory (the reader reports its address space on its reply pipe; the parent's samples came too late)."""
    own_pool.warm(1)
    size = settled_address_space(own_pool._idle[-1].pid)
    tight = capped.model_copy(update={"parse_memory_mb": max(256, int(size) + 48)})
    assert error_code(parse(own_pool, flate_bomb_pdf(gigabytes=2), "bomb.pdf", tight)) == "parser_memory"


def test_reader_too_full_for_the_next_cap_is_replaced(own_pool, settings):
    """A reader whose address space takes more than REUSE_SHARE of the next document's cap (left by earlier
    documents under a larger cap) is replaced for it; under a cap with room it is kept."""
    assert parse(own_pool, TEXT_PDF.read_bytes(), "first.pdf", settings).unwrap().parts
    reader = own_pool._idle[-1].pid
    roomy = settings.model_copy(update={"parse_memory_mb": int(memory_mb(reader)[0] / REUSE_SHARE) + 64})
    assert parse(own_pool, TEXT_PDF.read_bytes(), "kept.pdf", roomy).unwrap().parts
    assert own_pool._idle[-1].pid == reader
    tight = settings.model_copy(update={"parse_memory_mb": int(memory_mb(reader)[0] / REUSE_SHARE) - 8})
    assert parse(own_pool, TEXT_PDF.read_bytes(), "replaced.pdf", tight).unwrap().parts
    assert own_pool._idle[-1].pid != reader
    assert memory_mb(reader) is None, "the replaced reader is still running"


@pytest.mark.parametrize(("limits", "wording"), [
    pytest.param({"parse_timeout_s": 0.5}, "longer than 0.5 s", id="wall-time"),
    pytest.param({"parse_cpu_s": 1}, "1 s of CPU time", id="cpu-time"),
])
def test_slow_document_is_stopped_and_the_next_document_is_read(pool, settings, limits, wording):
    """Without the memory cap the bomb takes seconds (3 GB): the time limits stop it first."""
    slow = settings.model_copy(update={"parse_memory_mb": 8192, "pdf_page_content_mb": 0, **limits})
    parsed = parse(pool, flate_bomb_pdf(gigabytes=4), "slow.pdf", slow)
    assert error_code(parsed) == "parser_timeout"
    assert wording in parsed.error.message
    # the next document gets the ordinary limits: a fresh reader plus the page's ink pass can take over 0.5 s
    assert parse(pool, TEXT_PDF.read_bytes(), "after.pdf", settings).unwrap().parts


def test_reader_killed_by_a_signal_is_parser_crashed(pool, settings):
    """A reader that dies of a crash signal mid-document (sent here from outside) is replaced."""
    slow = settings.model_copy(update={"parse_memory_mb": 8192, "pdf_page_content_mb": 0})
    pool.warm(1)
    reader = pool._idle[-1].pid  # the worker the next parse takes
    crash = threading.Timer(0.3, os.kill, (reader, signal.SIGSEGV))
    crash.start()
    parsed = parse(pool, flate_bomb_pdf(gigabytes=4), "crash.pdf", slow)
    crash.join()
    assert error_code(parsed) == "parser_crashed"
    assert "SIGSEGV" in parsed.error.message
    # the next document gets the ordinary limits: a fresh reader plus the page's ink pass can take over 0.5 s
    assert parse(pool, TEXT_PDF.read_bytes(), "after.pdf", settings).unwrap().parts


BuildCase = Callable[[], bytes]


@pytest.mark.parametrize(("build", "name", "code"), [
    pytest.param(lambda: png_header(20_000, 20_000), "huge.png", "image_too_large", id="20000x20000-png"),
    pytest.param(lambda: text_pdf("Page of a long upload", pages=5000), "long.pdf", "too_many_pages",
                 id="5000-pages"),
    pytest.param(lambda: nested_msg(50), "deep.msg", "nesting_too_deep", id="msg-nested-50"),
    pytest.param(lambda: b"", "empty.pdf", "empty_file", id="zero-bytes"),
    pytest.param(lambda: b"%", "one.pdf", "malformed", id="one-byte"),
    pytest.param(lambda: b"\x00", "nul.msg", "empty_file", id="one-nul-byte"),
])
def test_refused_with_a_typed_error(pool, capped, build: BuildCase, name: str, code: str):
    assert error_code(parse(pool, build(), name, capped)) == code


def test_msg_with_1000_attachments_keeps_the_first_ones(pool, capped):
    doc = parse(pool, msg_with_attachments(1000), "many.msg", capped).unwrap()
    assert doc.parts[0].kind == "email_body"
    notes = [p.path for p in doc.parts if p.path.startswith("many.msg > note-")]
    assert len(notes) == capped.max_attachments - 2  # after the corpus message's own two attachments
    assert notes[-1] == f"many.msg > note-{len(notes) - 1}.txt"
    assert any(f"more than {capped.max_attachments} attachments" in w for w in doc.warnings)


def test_path_traversal_name_is_only_a_label(pool, capped, tmp_path: Path):
    name = "../../etc/passwd.pdf"
    before = {p for p in tmp_path.parent.rglob("*") if p.is_file()}
    doc = parse(pool, text_pdf("A letter with a hostile name"), "upload.pdf", capped, display_name=name).unwrap()
    assert doc.filename == name
    assert doc.parts[0].path == f"{name} > page 1"
    new = {p for p in tmp_path.parent.rglob("*") if p.is_file()} - before
    assert all(p.is_relative_to(capped.data_dir) for p in new), new
    assert not (capped.data_dir.parent.parent / "etc").exists()


def test_javascript_is_ignored_and_embedded_file_read_as_attachment(pool, capped):
    data = js_and_attachment_pdf()
    assert b"/JavaScript" in data and b"/EmbeddedFiles" in data
    doc = parse(pool, data, "scripted.pdf", capped).unwrap()
    assert [p.kind for p in doc.parts] == ["pdf_page"] * 4 + ["attachment"]
    assert attachments(doc) == ["scripted.pdf > statement.txt"]
    assert doc.parts[-1].text.startswith("Embedded statement of work")
    assert not any("app." in p.text for p in doc.parts)


@pytest.mark.ocr
def test_jpeg_with_a_pdf_inside_is_read_as_the_jpeg(pool, capped):
    data = jpeg_pdf_polyglot()
    assert data.startswith(b"\xff\xd8") and b"%PDF-" in data[:1024]
    doc = parse(pool, data, "invoice.pdf", capped).unwrap()
    assert doc.media_type == "image/jpeg"
    assert [(p.kind, p.source) for p in doc.parts] == [("image_page", "ocr")]
    assert "Statement of work" in doc.parts[0].text
    assert "hiding" not in doc.parts[0].text


@pytest.mark.ocr
def test_300_dpi_scan_is_read_under_the_default_cap(pool, settings, fixtures_dir: Path):
    """OCR of a full page (tesseract inherits the reader's address-space cap) still works at 1024 MB."""
    default = settings.model_copy(update={"parse_memory_mb": Settings.model_fields["parse_memory_mb"].default})
    scan = fixtures_dir / "corpus" / "pdf_scanned" / "ocrmypdf__c02-22.pdf"
    parsed = parse(pool, scan.read_bytes(), scan.name, default)
    doc = parsed.unwrap()
    assert [p.source for p in doc.parts] == ["ocr"]
    assert len(doc.parts[0].text) > 500
    assert parsed.usage.ocr_peak_rss_mb < default.parse_memory_mb
