"""Handwritten marks in signature areas, measured on real pages: signed scans and letters are inked;
the same pages with the signature erased, a typed `/s/` name or a name set in a font are flat."""

from __future__ import annotations

import ctypes
import io
from functools import cache
from pathlib import Path

import matplotlib
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw

from checks.base import CheckContext
from checks.customer_acknowledgement import CHECK
from models import Claim, Document
from service.config import Settings
from service.errors import PoecheckError
from service.ingest.dispatch import ingest_bytes, ingest_path
from service.ingest.ocr import parse_tsv, parse_tsv_words, tesseract_image

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
CUSTOMER_HEADING = "Accepted on behalf of the Customer"



@cache
def _ingest(rel: str) -> Document:
    return ingest_path(DEV / "docs" / rel, settings=Settings())


def _ingest_blanked(rel: str, box: tuple[float, float, float, float]) -> Document:
    """The page image with `box` (page fractions) painted white, as an uploaded PNG."""
    with Image.open(DEV / "docs" / rel) as img:
        page, dpi = img.convert("RGB"), img.info.get("dpi")
    width, height = page.size
    ImageDraw.Draw(page).rectangle((box[0] * width, box[1] * height, box[2] * width, box[3] * height), fill="white")
    buf = io.BytesIO()
    page.save(buf, format="PNG", **({"dpi": dpi} if dpi else {}))
    return ingest_bytes(buf.getvalue(), Path(rel).name, settings=Settings())


def _signature_page(doc: Document):
    return next(p for p in doc.parts if p.ink_marks)


def _mark_of(part, heading: str):
    """The mark of the block that `heading` opens (anchored to it, or to a label inside it)."""
    at = part.text.index(heading)
    following = [m for m in part.ink_marks if m.offset >= at]
    return min(following, key=lambda m: m.offset)


def _acknowledgement(case: str, doc: Document):
    claim = Claim.model_validate_json((DEV / "claims" / f"{case}.json").read_text())
    return CHECK.run(claim, [doc], CheckContext.for_claim(claim))


@pytest.mark.ocr
@pytest.mark.parametrize(
    "rel",
    [
        pytest.param("dev-004/Scan_20241202.pdf", id="scanned-pdf-table"),
        pytest.param("dev-005/signed_page_2.png", id="png-letter-two-columns"),
        pytest.param("dev-006/signed_page_2.jpg", id="jpeg-table"),
    ],
)
def test_signed_scans_are_inked(rel):
    part = _signature_page(_ingest(rel))
    assert part.source == "ocr"
    customer = _mark_of(part, CUSTOMER_HEADING)
    assert customer.inked and customer.ink > 0
    left, top, right, bottom = customer.region
    assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1


# The customer's signature, erased: dev-005 is a two-column letter, dev-006 a table whose labels the page OCR
# lost (there the block under the heading is measured, counting only ink taller than printed text).
BLANKED = [
    pytest.param("dev-005", "signed_page_2.png", (0.23, 0.285, 0.49, 0.327), id="letter-two-columns"),
    pytest.param("dev-006", "signed_page_2.jpg", (0.375, 0.108, 0.85, 0.153), id="table"),
]


@pytest.mark.ocr
@pytest.mark.parametrize(("case", "name", "box"), BLANKED)
def test_erased_signature_is_not_inked_and_fails(case, name, box):
    rel = f"{case}/{name}"
    signed = _signature_page(_ingest(rel))
    blanked_doc = _ingest_blanked(rel, box)
    blanked = _signature_page(blanked_doc)
    assert blanked.text.startswith(signed.text[:40])
    assert _mark_of(signed, CUSTOMER_HEADING).inked
    assert not _mark_of(blanked, CUSTOMER_HEADING).inked  # though the partner's signature is on the same rows

    res = _acknowledgement(case, blanked_doc)
    assert res.status == "fail"
    assert "no handwritten mark" in res.message
    assert res.remediation


@pytest.mark.ocr
@pytest.mark.parametrize(("case", "name", "box"), BLANKED)
def test_signed_scan_page_passes_with_ink_evidence(case, name, box):
    res = _acknowledgement(case, _ingest(f"{case}/{name}"))
    assert res.status == "pass", res.message
    assert "handwritten mark found in the signature area, page 1" in res.evidence[0].note


@pytest.mark.ocr
def test_ocr_word_offsets_point_into_the_text():
    """The word boxes that locate labels carry offsets into the page text that OCR returned."""
    with Image.open(DEV / "docs" / "dev-005" / "signed_page_2.png") as img:
        width, height = img.size
        block = img.crop((0, int(height * 0.2), width, int(height * 0.4)))
    tsv = tesseract_image(block, args=["--psm", "6", "tsv"], timeout=60)
    text, _, words = parse_tsv_words(tsv)
    assert text == parse_tsv(tsv)[0]
    tokens = [row.split("\t")[11] for row in tsv.splitlines()[1:]
              if row.count("\t") >= 11 and row.startswith("5\t") and row.split("\t")[11].strip()]
    assert [text[w.start:w.end] for w in words] == tokens
    assert any(text[w.start:w.end].startswith("Accepted") for w in words)


def test_typed_slash_s_name_is_flat():
    doc = _ingest("dev-034/SOW_Acceptance_and_Sign-off_Cobalt_Ridge.pdf")
    part = _signature_page(doc)
    assert part.source == "text_layer"
    assert not _mark_of(part, CUSTOMER_HEADING).inked
    assert _mark_of(part, "Delivered by").inked
    res = _acknowledgement("dev-034", doc)
    assert res.status == "fail" and "/s/" in res.message


@pytest.mark.parametrize(
    ("case", "rel"),
    [
        pytest.param("dev-001", "dev-001/Services_Completion_Letter_Corvid.pdf", id="letter"),
        pytest.param("dev-002", "dev-002/Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf", id="form-table"),
    ],
)
def test_text_layer_signature_images_are_inked(case, rel):
    doc = _ingest(rel)
    part = _signature_page(doc)
    assert part.source == "text_layer"
    assert _mark_of(part, CUSTOMER_HEADING).inked and _mark_of(part, "Delivered by").inked
    assert not any(m.inked for m in doc.parts[0].ink_marks or ())  # page 1 holds no handwritten mark
    res = _acknowledgement(case, doc)
    assert res.status == "pass" and "handwritten mark found in the signature area, page 2" in res.evidence[0].note


def _letter_without_customer_signature(typed_name: str | None) -> bytes:
    """dev-001 with the customer's signature image removed and, optionally, the name set in an italic font."""
    pdf = pdfium.PdfDocument((DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf").read_bytes())
    try:
        page = pdf[1]
        image = next(o for o in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]) if o.get_bounds()[0] < 300)
        left, bottom, _, _ = image.get_bounds()
        page.remove_obj(image)
        if typed_name:
            data = (Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSerif-BoldItalic.ttf").read_bytes()
            raw = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
            font = pdfium_c.FPDFText_LoadFont(pdf.raw, raw, len(data), pdfium_c.FPDF_FONT_TRUETYPE, True)
            obj = pdfium_c.FPDFPageObj_CreateTextObj(pdf.raw, font, 16.0)
            wide = ctypes.create_string_buffer((typed_name + "\x00").encode("utf-16-le"))
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(wide, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, left, bottom + 4)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        page.gen_content()
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


@pytest.mark.parametrize(
    ("typed_name", "reason"),
    [
        pytest.param(None, "no handwritten mark", id="signature-line-left-empty"),
        pytest.param("Morgan Franklin", "script-font name", id="name-in-a-font-no-ink"),
    ],
)
def test_letter_without_ink_is_flat(typed_name, reason):
    doc = ingest_bytes(_letter_without_customer_signature(typed_name), "letter.pdf", settings=Settings())
    part = doc.parts[1]
    if typed_name:
        assert part.text.count(typed_name) == 2  # printed name and the "signature" in a font: both are text
    assert not _mark_of(part, CUSTOMER_HEADING).inked
    assert _mark_of(part, "Delivered by").inked
    res = _acknowledgement("dev-001", doc)
    assert res.status == "fail" and reason in res.message


def test_bad_rules_file_names_the_file(tmp_path, monkeypatch):
    from checks import rulebook
    from service.ingest import ink

    for name in ("ink.yaml", "acknowledgement.yaml"):
        (tmp_path / name).write_text((rulebook.RULES_DIR / name).read_text())
    broken = (tmp_path / "ink.yaml").read_text().replace("s[il1]gn\\s+here", "s[il1]gn(\\s+here")
    (tmp_path / "ink.yaml").write_text(broken)
    monkeypatch.setattr(rulebook, "RULES_DIR", tmp_path)
    ink.rules.cache_clear()
    try:
        with pytest.raises(rulebook.RuleFileError, match="ink.yaml"):
            ink.rules()
        with pytest.raises(PoecheckError) as stopped:  # a page is never judged without its rules
            ingest_path(DEV / "docs/dev-034/SOW_Acceptance_and_Sign-off_Cobalt_Ridge.pdf", settings=Settings())
        assert isinstance(stopped.value.__cause__, rulebook.RuleFileError)
    finally:
        monkeypatch.undo()
        ink.rules.cache_clear()


def _letter_on_inherited_a4(data: bytes) -> bytes:
    """The letter with its pages' MediaBox removed and an A4 one set on the page tree (inherited, as many
    writers do): page boxes then differ from pdfium's letter-size default."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, FloatObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    tree = writer._root_object["/Pages"].get_object()
    tree[NameObject("/MediaBox")] = ArrayObject([FloatObject(v) for v in (0, 0, 595.28, 841.89)])
    for page in writer.pages:
        for box in ("/MediaBox", "/CropBox"):
            if box in page:
                del page[NameObject(box)]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        pytest.param(lambda: (DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf").read_bytes(), "pass",
                     id="signed"),
        pytest.param(lambda: _letter_without_customer_signature(None), "fail", id="customer-line-empty"),
    ],
)
def test_inherited_a4_page_box_measures_the_right_area(data, status):
    doc = ingest_bytes(_letter_on_inherited_a4(data()), "letter.pdf", settings=Settings())
    part = doc.parts[1]
    assert _mark_of(part, "Delivered by").inked
    assert _mark_of(part, CUSTOMER_HEADING).inked is (status == "pass")
    assert _acknowledgement("dev-001", doc).status == status
