"""Annotation appearances and form-field values of PDFs: one 'annotation' part after its page's part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf.errors import PdfReadError

from models.document import Document, Part
from service.config import Settings
from service.ingest import pdf_annotation_text, pdf_annotations
from service.ingest.dispatch import ingest_bytes, ingest_path

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"
SIGNED = CORPUS / "pdf_signed"
WARNING = re.compile(
    r"^\S+\.pdf: (page \d+: some annotations or form fields|annotations and form fields) "
    r"could not be read \(\w+(, \w+)*\)$"
)


def _annotations(doc: Document) -> list[Part]:
    return [p for p in doc.parts if p.kind == "annotation"]


def _after_its_page(doc: Document, part: Part) -> None:
    page = doc.parts[doc.parts.index(part) - 1]
    assert (page.kind, page.page, page.file) == ("pdf_page", part.page, part.file)
    assert part.path == f"{page.path} > annotations"


def _valid_box(box: tuple[float, float, float, float] | None) -> None:
    assert box is not None
    left, top, right, bottom = box
    assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1


# --- real signed PDFs: the visible signature box ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "signer", "date", "box"),
    [
        pytest.param(
            "digitorus__hello_hsm.pdf",
            "Paul van Brouwershaven",
            "2012.08.24 12:22:14",
            (0.061, 0.074, 0.242, 0.112),
            id="acrobat-style-box",
        ),
        pytest.param(
            "qpdf__digitally-signed.pdf",
            "John Doe",
            "2019.09.27 20:54:52",
            (0.118, 0.110, 0.300, 0.179),
            id="name-beside-box",
        ),
        pytest.param(
            "pyhanko__sig-with-ski-sid.pdf",
            "Alice <alice@example.com>",
            "2021-05-24 01:36:10",
            (0.033, 0.514, 0.967, 0.931),
            id="pyhanko-stamp",
        ),
        pytest.param(
            "endesive__pdf-acrobat.pdf",
            "mak@trisoft.co",
            "2020.03.15 10:36:39",
            (0.704, 0.045, 0.986, 0.175),
            id="acrobat-polish",
        ),
    ],
)
def test_signature_box_text_is_read(
    name: str, signer: str, date: str, box: tuple, settings: Settings
) -> None:
    doc = ingest_path(SIGNED / name, settings=settings)
    (part,) = _annotations(doc)
    assert part.page == 1 and part.file == name and part.source == "text_layer"
    assert signer in part.text and date in part.text
    assert "Digitally signed" in part.text or "podpisany" in part.text
    _after_its_page(doc, part)
    assert part.box == pytest.approx(box, abs=0.002)
    assert not doc.warnings


def test_two_signature_boxes_one_line_each_top_first(settings: Settings) -> None:
    doc = ingest_path(SIGNED / "pyhanko__minimal-two-fields-signed-twice.pdf", settings=settings)
    (part,) = _annotations(doc)
    first, second = part.text.splitlines()
    assert "Digitally signed by Lord Testerino" in first and "20:11:25" in first  # Sig2, the upper box
    assert "20:11:51" in second
    _valid_box(part.box)


@pytest.mark.parametrize("name", ["nsp__signed-once.pdf", "pyhanko__sig-no-signed-attrs.pdf"])
def test_invisible_signature_adds_nothing(name: str, settings: Settings) -> None:
    doc = ingest_path(SIGNED / name, settings=settings)
    assert not _annotations(doc)
    assert doc.signatures  # the signature is still validated


# --- PDFs built here -----------------------------------------------------------------------------------


def _pdf(*objects: str | bytes) -> bytes:
    """A PDF whose object n is objects[n-1]; object 1 must be the catalog."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        raw = body.encode("latin-1") if isinstance(body, str) else body
        out += f"{number} 0 obj\n".encode() + raw + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(content: str | bytes, extra: str = "") -> bytes:
    data = content.encode("latin-1") if isinstance(content, str) else content
    return f"<< /Length {len(data)} {extra} >>\nstream\n".encode() + data + b"\nendstream"


def _appearance(*lines: str, width: int = 200, height: int = 40) -> bytes:
    """A form XObject that writes `lines` in Helvetica (object 4), one under the other."""
    shown = " 0 -10 Td ".join(f"({line}) Tj" for line in lines)
    return _stream(
        f"BT /Helv 8 Tf 2 {height - 10} Td {shown} ET",
        f"/Type /XObject /Subtype /Form /BBox [0 0 {width} {height}] "
        "/Resources << /Font << /Helv 4 0 R >> >>",
    )


def _one_page(
    annots: str,
    *more: str | bytes,
    page_text: str = "Order form",
    extra: str = "",
    fields: str = "",
    box: str = "0 0 600 800",
) -> bytes:
    """Catalog, pages, one page with `annots`, Helvetica, the page content; `more` are objects 6, 7, …"""
    acroform = f"/AcroForm << /Fields [{fields}] /DR << /Font << /Helv 4 0 R >> >> >>" if fields else ""
    return _pdf(
        f"<< /Type /Catalog /Pages 2 0 R {acroform} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{box}] /Resources << /Font << /F1 4 0 R >> >> "
        f"/Contents 5 0 R /Annots [{annots}] {extra} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        _stream(f"BT /F1 12 Tf 50 750 Td ({page_text}) Tj ET"),
        *more,
    )


def _free_text(rect: str, contents: str, extra: str = "") -> str:
    return f"<< /Type /Annot /Subtype /FreeText /Rect [{rect}] /Contents ({contents}) {extra} >>"


def _form() -> bytes:
    """A filled form (600 x 800 pt page) with each kind of field, a note, a stamp and a signature box."""
    widget = "/Type /Annot /Subtype /Widget /P 3 0 R"
    objects: list[str | bytes] = [
        # 6: text field whose appearance repeats its value (it must be read once)
        (
            f"<< {widget} /FT /Tx /T (customer) /TU (Customer name) /V (Jane Doe) /Rect [100 600 300 620] "
            "/AP << /N 20 0 R >> >>"
        ),
        (  # 7: checked box
            f"<< {widget} /FT /Btn /T (approved) /V /Yes /AS /Yes /Rect [100 560 115 575] "
            "/AP << /N << /Yes 21 0 R /Off 21 0 R >> >> >>"
        ),
        f"<< {widget} /FT /Btn /T (rush) /V /Off /AS /Off /Rect [300 560 315 575] >>",  # 8: unchecked box
        (  # 9: choice field, export value shown by its display text
            f"<< {widget} /FT /Ch /T (workload) /Opt [[(m365) (Microsoft 365)] [(azure) (Azure)]] /V (m365) "
            "/Rect [100 520 300 540] >>"
        ),
        "<< /FT /Btn /Ff 49152 /T (size) /V /Large /Kids [11 0 R 12 0 R] >>",  # 10: radio group
        f"<< {widget} /Parent 10 0 R /AS /Off /Rect [100 480 115 495] >>",  # 11
        f"<< {widget} /Parent 10 0 R /AS /Large /Rect [200 480 215 495] >>",  # 12
        f"<< {widget} /FT /Tx /T (notes) /Rect [100 440 300 460] >>",  # 13: empty field: no line
        f"<< {widget} /FT /Btn /Ff 65536 /T (submit) /Rect [100 400 160 420] /AP << /N 22 0 R >> >>",  # 14
        _free_text("350 700 550 740", "Approved by J. Smith"),  # 15: a note without appearance
        "<< /Type /Annot /Subtype /Stamp /Rect [350 650 550 690] /AP << /N 23 0 R >> >>",  # 16
        _free_text("350 300 550 340", "hidden note", "/F 2"),  # 17: hidden
        "<< /Type /Annot /Subtype /Link /Rect [50 740 150 760] /A << /S /URI /URI (https://x.test) >> >>",
        f"<< {widget} /FT /Sig /T (Sig1) /Rect [100 100 300 160] /AP << /N 24 0 R >> >>",  # 19
        _appearance("Jane Doe"),  # 20
        _appearance("4"),  # 21
        _appearance("Submit"),  # 22
        _appearance("PAID 2025-03-12"),  # 23
        _appearance("Digitally signed by Jane Doe", "Date: 2025.03.12 14:02:11 +01'00'", height=60),  # 24
    ]
    annots = " ".join(f"{n} 0 R" for n in (6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19))
    return _one_page(annots, *objects, fields="6 0 R 7 0 R 8 0 R 9 0 R 10 0 R 13 0 R 14 0 R 19 0 R")


def test_fillable_form_fields_notes_stamps_and_signature(settings: Settings) -> None:
    doc = ingest_bytes(_form(), "form.pdf", settings=settings)
    page, part = doc.parts
    assert page.text.strip() == "Order form"
    assert part.kind == "annotation" and part.page == 1 and part.path == "form.pdf > page 1 > annotations"
    assert part.text.splitlines() == [
        "Approved by J. Smith",
        "PAID 2025-03-12",
        "Customer name: Jane Doe",
        "approved: checked",
        "rush: unchecked",
        "workload: Microsoft 365",
        "size: Large",
        "Digitally signed by Jane Doe Date: 2025.03.12 14:02:11 +01'00'",
    ]
    assert part.box == pytest.approx((100 / 600, 60 / 800, 550 / 600, 700 / 800), abs=1e-4)
    assert not doc.warnings and not part.warnings


def test_pdf_without_annotations_has_no_extra_part(settings: Settings) -> None:
    doc = ingest_bytes(_one_page(""), "plain.pdf", settings=settings)
    assert [p.kind for p in doc.parts] == ["pdf_page"]
    doc = ingest_path(CORPUS / "pdf_text" / "sf__minimal-document.pdf", settings=settings)
    assert not _annotations(doc) and not doc.warnings


def test_text_the_page_already_shows_is_not_repeated(settings: Settings) -> None:
    data = _one_page(
        "6 0 R 7 0 R",
        _free_text("50 700 300 740", "Order  form"),
        "<< /Type /Annot /Subtype /Stamp /Rect [50 600 300 640] /AP << /N 8 0 R >> >>",
        _appearance("Order", "form"),
    )
    doc = ingest_bytes(data, "flattened.pdf", settings=settings)
    assert [p.kind for p in doc.parts] == ["pdf_page"]


def test_box_follows_page_rotation(settings: Settings) -> None:
    data = _one_page(
        "6 0 R",
        _free_text("0 0 100 50", "Checked by Jane Doe"),
        box="0 0 200 100",
        extra="/Rotate 90",
        page_text="Delivery note for Contoso",
    )
    (part,) = _annotations(ingest_bytes(data, "rotated.pdf", settings=settings))
    assert part.box == pytest.approx((0.0, 0.0, 0.5, 0.5))  # the lower-left corner turns to the top-left


# --- damaged and oversized annotations -------------------------------------------------------------------


def test_damaged_annotations_become_a_warning_and_the_rest_is_read(settings: Settings) -> None:
    form = "/Type /XObject /Subtype /Form /BBox [0 0 9 9]"
    data = _one_page(
        "6 0 R 7 0 R 8 0 R 99 0 R 42",  # and a missing object, and a number
        _free_text("/a /b /c /d", "bad rectangle"),  # 6: a rectangle of names
        "<< /Type /Annot /Subtype /Stamp /Rect [50 600 300 640] /AP << /N 9 0 R >> >>",  # 7
        _free_text("50 500 300 540", "Still read"),  # 8
        _stream(
            "/Me Do /Bad Do", f"{form} /Resources << /XObject << /Me 9 0 R /Bad 10 0 R >> >>"
        ),  # 9: loops
        _stream(b"x\x9c\xff\xfe\xfd", f"{form} /Filter /FlateDecode"),  # 10: not Flate data
        page_text="Statement of work, page text",
    )
    doc = ingest_bytes(data, "damaged.pdf", settings=settings)
    page, part = doc.parts
    assert page.text.strip() == "Statement of work, page text"
    assert part.kind == "annotation" and "Still read" in part.text
    assert doc.warnings and all(WARNING.match(w) for w in doc.warnings), doc.warnings
    assert "could not convert" not in " ".join(doc.warnings)  # the type only, never the message


def test_annotations_unreadable_keeps_the_pages(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(data: bytes) -> None:
        raise PdfReadError("object 7 says Jane Doe")

    monkeypatch.setattr(pdf_annotation_text, "open_pdf", fail)
    doc = ingest_bytes(_form(), "form.pdf", settings=settings)
    assert [(p.kind, p.text.strip()) for p in doc.parts] == [("pdf_page", "Order form")]
    assert doc.warnings == ["form.pdf: annotations and form fields could not be read (PdfReadError)"]


def test_pdf_without_annots_key_is_not_opened_twice(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(data: bytes) -> None:
        raise AssertionError("opened")

    monkeypatch.setattr(pdf_annotation_text, "open_pdf", fail)
    doc = ingest_path(CORPUS / "pdf_malformed" / "qpdf__bad2_no-startxref.pdf", settings=settings)
    assert doc.parts and not doc.warnings


def test_caps_on_annotations_and_characters(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = [
        _free_text(f"50 {700 - 60 * i} 300 {740 - 60 * i}", f"Note number {i} for the record")
        for i in range(3)
    ]
    data = _one_page("6 0 R 7 0 R 8 0 R", *notes)
    monkeypatch.setattr(pdf_annotations, "MAX_ANNOTATIONS", 2)
    (part,) = _annotations(ingest_bytes(data, "many.pdf", settings=settings))
    assert part.text.splitlines() == ["Note number 0 for the record", "Note number 1 for the record"]
    assert part.warnings == ["page 1: more than 2 annotations; only the first 2 were read"]
    monkeypatch.setattr(pdf_annotations, "MAX_CHARS", 40)
    (part,) = _annotations(ingest_bytes(data, "many.pdf", settings=settings))
    assert part.text == "Note number 0 for the record\nNote number"
    assert "page 1: annotation text cut at 40 characters" in part.warnings


def test_oversized_appearance_is_skipped(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _one_page(
        "6 0 R 7 0 R",
        "<< /Type /Annot /Subtype /Stamp /Rect [50 600 300 640] /AP << /N 8 0 R >> >>",
        _free_text("50 500 300 540", "Small note"),
        _appearance("A stamp drawn at length"),
    )
    monkeypatch.setattr(pdf_annotations, "MAX_APPEARANCE_BYTES", 20)
    doc = ingest_bytes(data, "big.pdf", settings=settings)
    (part,) = _annotations(doc)
    assert part.text == "Small note"
    assert part.warnings == ["page 1: annotation appearances too large to read were skipped"]
