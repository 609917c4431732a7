"""Type detection by content, and the text helpers (junk detection, HTML and RTF bodies)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.ingest import detect, registry
from service.ingest.pdf import text_is_usable
from service.ingest.text import html_to_text, rtf_to_text

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"
POE_DEV = CORPUS.parent / "poe_dev" / "docs"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"%PDF-1.7\n...", registry.PDF, id="pdf"),
        pytest.param(b"junk before\n%PDF-1.4\n", registry.PDF, id="pdf-after-junk"),
        pytest.param(b"\x89PNG\r\n\x1a\n....", registry.PNG, id="png"),
        pytest.param(b"\xff\xd8\xff\xe0....", registry.JPEG, id="jpeg"),
        pytest.param(b"II*\x00....", registry.TIFF, id="tiff-le"),
        pytest.param(b"MM\x00*....", registry.TIFF, id="tiff-be"),
        pytest.param(b"From: a@b.example\nTo: c@d.example\nSubject: hi\n\nbody", registry.EML, id="eml"),
        pytest.param(b"Subject: only one header\n\nbody", None, id="one-header"),
        pytest.param(b"hello world: this is text\nand more", None, id="text"),
        pytest.param(b"PK\x03\x04rest", registry.ZIP, id="zip"),
        # an Outlook message whose attached PDF header falls in the first KiB is still a message
        pytest.param(
            detect.OLE_MAGIC + b"\x00" * 100 + b"%PDF-1.7" + "__substg1.0_".encode("utf-16-le"),
            registry.MSG,
            id="msg-holding-pdf-bytes",
        ),
    ],
)
def test_detect_type(data: bytes, expected: str | None) -> None:
    assert registry.detect_type(data) == expected


@pytest.mark.parametrize("folder", ["msg", "pdf_text", "images"])
def test_corpus_types_ignore_the_extension(folder: str) -> None:
    for path in (CORPUS / folder).iterdir():
        found = registry.detect_type(path.read_bytes())
        assert found == registry.type_from_name(path.name), path.name


def test_msg_with_small_pdf_attachment_keeps_its_body() -> None:
    """Regression: a small .msg with a PDF attachment was taken for a PDF, losing the e-mail body."""
    data = (POE_DEV / "dev-010" / "Completion_confirmation_-_Identity_and_endpoint_protection_project.msg")
    assert registry.detect_type(data.read_bytes()) == registry.MSG


@pytest.mark.parametrize(
    ("text", "usable"),
    [
        pytest.param("Services completion letter", True, id="words"),
        pytest.param("", False, id="empty"),
        pytest.param("  \n ", False, id="blank"),
        pytest.param("\ue000\ue001\ue002ab\ue003\ue004c", False, id="private-use"),
        pytest.param("\ufffd\ufffd\ufffd\ufffdabc", False, id="replacement"),
    ],
)
def test_text_is_usable(text: str, usable: bool) -> None:
    assert text_is_usable(text) is usable


def test_html_to_text() -> None:
    html = b"<html><head><style>p{}</style></head><body><p>Hello</p><p>a new user<br>line</p></body></html>"
    assert [line for line in html_to_text(html).splitlines() if line] == ["Hello", "a new user", "line"]


def test_rtf_to_text() -> None:
    rtf = rb"{\rtf1\ansi\ansicpg1251{\fonttbl{\f0 Arial;}}\f0 Hello\par \'cf\'f0\'e8\u1074?\par{\*\gen skip}end}"
    assert rtf_to_text(rtf) == "Hello\nПрив\nend"
