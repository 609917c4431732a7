"""Bad input and limits: typed errors with stable codes, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.errors import (
    DocumentTooLarge,
    EmptyFile,
    FileMissing,
    ImageBomb,
    MalformedDocument,
    TooManyPages,
    UnsupportedFileType,
)
from service.ingest.dispatch import ingest_bytes, ingest_path

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        pytest.param(b"", "a.pdf", EmptyFile, id="empty"),
        pytest.param(b"\n  \n", "a.pdf", EmptyFile, id="whitespace"),
        pytest.param(b"hello, a new user\n", "notes.txt", UnsupportedFileType, id="text"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 40, "a.xlsx", UnsupportedFileType, id="zip"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 40, "a.docx", MalformedDocument, id="named-docx"),
        pytest.param(b"oops\n", "a.pdf", MalformedDocument, id="named-pdf"),
        pytest.param(b"not outlook", "a.msg", MalformedDocument, id="named-msg"),
        pytest.param(b"%PDF-1.4\n%%EOF\n", "a.pdf", MalformedDocument, id="pdf-header-only"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "a.png", MalformedDocument, id="truncated-png"),
    ],
)
def test_bad_bytes(data: bytes, name: str, error: type[Exception], settings: Settings) -> None:
    with pytest.raises(error) as info:
        ingest_bytes(data, name, settings=settings)
    assert "\n" not in info.value.message


def test_truncated_pdf(settings: Settings) -> None:
    data = (CORPUS / "pdf_text" / "sf__pdflatex-4-pages.pdf").read_bytes()
    try:
        doc = ingest_bytes(data[: len(data) // 2], "cut.pdf", settings=settings)
    except MalformedDocument:
        return
    assert doc.parts


def test_too_many_pages(settings: Settings) -> None:
    with pytest.raises(TooManyPages):
        ingest_path(
            CORPUS / "pdf_text" / "qpdf__merge-implicit-ranges.pdf",
            settings=settings.model_copy(update={"max_pages": 50}),
        )


def test_image_bomb_refused_from_header(settings: Settings) -> None:
    with pytest.raises(ImageBomb) as info:
        ingest_path(
            CORPUS / "images" / "tess__trainingital.tif",
            settings=settings.model_copy(update={"max_pixels": 10_000_000}),
        )
    assert info.value.code == "image_too_large"


def test_file_too_large(settings: Settings) -> None:
    with pytest.raises(DocumentTooLarge):
        ingest_path(
            CORPUS / "pdf_text" / "sf__GeoTopo-komprimiert.pdf",
            settings=settings.model_copy(update={"max_file_bytes": 1000}),
        )


def test_missing_file(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(FileMissing):
        ingest_path(tmp_path / "nope.pdf", settings=settings)


def test_attachment_limit_is_a_warning(settings: Settings) -> None:
    doc = ingest_path(
        CORPUS / "msg" / "hh__attachmentsOrder.msg",
        settings=settings.model_copy(update={"max_attachments": 2}),
    )
    assert len({p.file for p in doc.parts if " > " in p.file}) == 2
    assert any("attachments; the rest skipped" in w for w in doc.warnings)


def test_unreadable_attachment_keeps_the_mail(settings: Settings) -> None:
    doc = ingest_path(CORPUS / "msg" / "poi__attachment_test_msg.msg", settings=settings)
    (stub,) = [p for p in doc.parts if p.kind == "attachment" and p.source == "none"]
    assert stub.file == "poi__attachment_test_msg.msg > test-unicode.doc"
    assert stub.warnings[0].startswith("unsupported_type:")
    assert doc.parts[0].kind == "email_body" and doc.warnings == [f"{stub.file}: {stub.warnings[0]}"]


def test_word_attachments_are_read(settings: Settings) -> None:
    doc = ingest_path(CORPUS / "msg" / "hh__attachmentsOrder.msg", settings=settings)
    bodies = [p for p in doc.parts if p.kind == "document_body"]
    assert [(p.file, p.text) for p in bodies] == [(f"hh__attachmentsOrder.msg > {c}.docx", c) for c in "ABCD"]
    assert not doc.warnings


def test_empty_password_pdf_opens(settings: Settings) -> None:
    doc = ingest_path(CORPUS / "pdf_text" / "pypdf__r6-owner-password.pdf", settings=settings)
    assert doc.parts[0].source == "text_layer" and doc.parts[0].text


def test_damaged_page_tree_keeps_good_pages(settings: Settings) -> None:
    doc = ingest_path(CORPUS / "pdf_malformed" / "pdfjs__Pages-tree-refs.pdf", settings=settings)
    assert doc.parts[0].text
    assert any(p.warnings for p in doc.parts[1:])
