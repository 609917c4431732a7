"""Page images made by the reader (service.ingest.page_view): one per page or drawn sheet, every word box on the
image and carrying its offsets in the part text, none when Settings.page_images is off."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from service.config import Settings
from service.ingest.dispatch import ingest_path

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "poe_dev" / "docs"


def _read(path: Path, tmp_path: Path, **options):
    return ingest_path(path, settings=Settings(data_dir=tmp_path / "data", ocr_workers=1, **options))


def _assert_words_are_the_text(part) -> None:
    with_offsets = [w for image in part.images for w in image.words if w[0] >= 0]
    assert with_offsets
    for start, end, x0, y0, x1, y1, text in with_offsets:
        assert part.text[start:end] == text
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1


@pytest.mark.parametrize(("path", "kinds", "media_type"), [
    pytest.param(DEV / "dev-002/Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf", {"pdf_page"}, "image/png",
                 id="text-pdf"),
    pytest.param(DEV / "dev-010/Completion_confirmation_-_Identity_and_endpoint_protection_project.msg",
                 {"email_body", "pdf_page"}, "image/png", id="msg-with-pdf"),
    pytest.param(ROOT / "fixtures/docx/signed_letter.docx", {"document_body"}, "image/png", id="docx"),
    pytest.param(DEV / "dev-018/Scan_20240122.pdf", {"pdf_page"}, "image/jpeg", id="scan",
                 marks=pytest.mark.ocr),
])
def test_every_kind_of_document_gets_page_images_whose_words_are_its_text(path, kinds, media_type, tmp_path):
    doc = _read(path, tmp_path)
    shown = [p for p in doc.parts if p.images]
    assert {p.kind for p in shown} == kinds
    for part in shown:
        _assert_words_are_the_text(part)
        for image in part.images:
            with Image.open(io.BytesIO(image.data)) as picture:
                assert picture.size == (image.width, image.height) and picture.width <= 1200
    assert {i.media_type for p in shown for i in p.images if p.kind == "pdf_page"} <= {media_type}


def test_an_email_page_shows_its_headers(tmp_path):
    doc = _read(DEV / "dev-010/Completion_confirmation_-_Identity_and_endpoint_protection_project.msg", tmp_path)
    body = next(p for p in doc.parts if p.kind == "email_body")
    labels = [f[0] for f in body.images[0].fields]
    assert labels[:2] == ["From", "To"] and "Subject" in labels
    assert "images" not in body.model_dump()  # pictures travel with the part, never in its JSON


def test_no_page_images_when_they_are_not_kept(tmp_path):
    doc = _read(DEV / "dev-002/Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf", tmp_path, page_images=False)
    assert all(not p.images for p in doc.parts)


def test_a_long_text_pdf_renders_its_first_and_last_pages_only(tmp_path):
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(DEV / "dev-002/Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf")
    long = pdfium.PdfDocument.new()
    long.import_pages(source, [0] * 51)
    path = tmp_path / "annex.pdf"
    with path.open("wb") as fh:
        long.save(fh)
    doc = _read(path, tmp_path)
    shown = [p.page for p in doc.parts if p.kind == "pdf_page" and p.images]
    assert shown == [*range(1, 41), *range(42, 52)]  # page 41 of 51 is not rendered


def test_an_email_to_200_recipients_is_drawn_within_the_readers_cpu_limit(tmp_path):
    """What is drawn is bounded, whatever the header: the To line of 200 recipients wraps to MAX_FIELD_LINES
    lines ending '… and N more' (cutting it to one line once cost 83 s of CPU, over the reader's 30 s limit)."""
    from service.ingest.page_view import MAX_FIELD_LINES
    from service.isolation import ParserPool

    pool = ParserPool()
    try:  # read by the isolated reader, under its own CPU limit (Settings.parse_cpu_s): a typed error past it
        parsed = pool.parse(ROOT / "fixtures/corpus/msg/hh__200_recipients.msg",
                            settings=Settings(data_dir=tmp_path / "data", ocr_workers=1, page_images=True))
    finally:
        pool.close()
    body = next(p for p in parsed.unwrap().parts if p.kind == "email_body")
    assert len(body.email.to) == 200
    [image] = body.images
    assert [label for label, *_ in image.fields] == ["From", *["To"] * MAX_FIELD_LINES, "Subject"]
    drawn = " ".join(w[-1] for w in image.words)
    assert "xmailuser1@xmailserver.test; xmailuser2@xmailserver.test" in drawn
    more = int(drawn.split("… and ", 1)[1].split()[0])
    assert 150 < more < 200 and f"xmailuser{200 - more}@" in drawn and f"xmailuser{201 - more}@" not in drawn
