"""Word .docx POE: reading order, tables, signature images and the lines around them, hostile archives."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.shared import Inches
from PIL import Image, ImageDraw

from models.document import InkMark, Part
from service.config import Settings
from service.errors import DocumentTooLarge, MalformedDocument, UnsupportedFileType
from service.ingest import registry
from service.ingest.dispatch import ingest_bytes, ingest_path
from service.ingest.docx import looks_handwritten

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "docx" / "signed_letter.docx"
POECHECK = Path(sys.executable).parent / "poecheck"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

LETTER = [
    "Dear Northwind team,",
    "Fabrikam confirms that Northwind deployed Microsoft Defender for Endpoint on 1,200 devices.",
    "Kind regards,",
]
BELOW_SIGNATURE = ["Jane Doe", "Chief Information Officer, Fabrikam Inc.", "12 March 2024"]


def signature_image(*, transparent: bool = False) -> Image.Image:
    """A pen signature: thin strokes, loops and an underline on white (or on nothing)."""
    img = Image.new("RGBA" if transparent else "RGB", (480, 160), (255, 255, 255, 0 if transparent else 255))
    pen = ImageDraw.Draw(img)
    ink = (20, 20, 60, 255)
    pen.line([(30, 110), (60, 40), (85, 115), (120, 45), (150, 105), (185, 50), (215, 100)], fill=ink, width=3)
    pen.arc((200, 40, 280, 120), 180, 520, fill=ink, width=3)
    pen.arc((270, 60, 340, 110), 0, 300, fill=ink, width=2)
    pen.line([(330, 95), (380, 55), (420, 100)], fill=ink, width=3)
    pen.line([(40, 135), (440, 128)], fill=ink, width=2)
    return img


def logo_image() -> Image.Image:
    """A company logo: a solid filled badge with white lettering."""
    img = Image.new("RGB", (400, 200), "white")
    pen = ImageDraw.Draw(img)
    pen.rounded_rectangle((60, 60, 340, 140), radius=20, fill=(0, 40, 110))
    pen.text((150, 92), "FABRIKAM", fill="white")
    return img


def png(img: Image.Image) -> io.BytesIO:
    out = io.BytesIO()
    img.save(out, "PNG")
    out.seek(0)
    return out


def build(fill: Callable[[docx.document.Document], None]) -> bytes:
    document = docx.Document()
    fill(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def signed_letter(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.header.paragraphs[0].text = "Fabrikam Inc. - 1 Main Street, Springfield"
    section.footer.paragraphs[0].text = "Fabrikam Inc. confidential"
    for line in LETTER:
        document.add_paragraph(line)
    document.add_paragraph()
    document.add_paragraph().add_run().add_picture(png(signature_image()), width=Inches(2))
    for line in BELOW_SIGNATURE:
        document.add_paragraph(line)


def sign_off_table(document: docx.document.Document) -> None:
    document.add_paragraph("Acceptance of the Defender deployment")
    table = document.add_table(rows=4, cols=3)
    rows = [("", "Customer", "Partner"), ("Signature", "", ""), ("Name", "Jane Doe", "Bob Smith"),
            ("Date", "12 March 2024", "11 March 2024")]
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    table.cell(1, 1).paragraphs[0].add_run().add_picture(png(signature_image()), width=Inches(1.5))
    document.add_paragraph("Thank you for your business.")


def tables_only(document: docx.document.Document) -> None:
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Project summary"
    table.cell(0, 2).text = "Status"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Defender"
    table.cell(1, 1).text = "Onboarding"
    table.cell(1, 2).text = "Done"
    table.cell(2, 1).text = "Policies"
    nested = table.cell(2, 2).add_table(rows=1, cols=2)
    nested.cell(0, 0).text = "Phase 2"
    nested.cell(0, 1).text = "Done"


def logo_letter(document: docx.document.Document) -> None:
    document.add_paragraph().add_run().add_picture(png(logo_image()), width=Inches(2))
    document.add_paragraph("Services completion letter")


def read(data: bytes, settings: Settings, name: str = "poe.docx") -> Part:
    doc = ingest_bytes(data, name, settings=settings)
    assert doc.media_type == registry.DOCX
    (part,) = doc.parts
    assert (part.kind, part.path, part.file, part.page, part.source) == (
        "document_body", f"{name} > body", name, None, "text_layer"
    )
    return part


def lines_of(part: Part, mark: InkMark) -> list[tuple[str, float, str]]:
    return [(ln.where, ln.distance, part.text[ln.start:ln.end]) for ln in mark.lines]


def assert_signed_letter(part: Part) -> None:
    assert part.text.splitlines() == [
        "Fabrikam Inc. - 1 Main Street, Springfield", "", *LETTER, "", "[image]", *BELOW_SIGNATURE, "",
        "Fabrikam Inc. confidential",
    ]
    (mark,) = part.ink_marks
    assert part.text[mark.offset:].startswith("[image]")
    assert (mark.anchor, mark.label, mark.region, mark.inked) == ("mark", "image", (0, 0, 0, 0), True)
    assert 0.003 < mark.ink < 0.3
    assert lines_of(part, mark) == [
        ("above", 1, "Kind regards,"), ("above", 2, LETTER[1]), ("above", 3, LETTER[0]),
        *[("below", i, line) for i, line in enumerate(BELOW_SIGNATURE, start=1)],
    ]  # the footer is another story: not below the signature


def test_signed_letter_reads_in_order_with_the_signature(settings: Settings) -> None:
    assert_signed_letter(read(build(signed_letter), settings))


def test_signed_letter_fixture(settings: Settings) -> None:
    doc = ingest_path(FIXTURE, settings=settings)
    assert doc.media_type == registry.DOCX and not doc.warnings
    assert_signed_letter(doc.parts[0])


def test_sign_off_table_signature_belongs_to_its_column(settings: Settings) -> None:
    part = read(build(sign_off_table), settings)
    assert part.text.splitlines() == [
        "Acceptance of the Defender deployment",
        " | Customer | Partner",
        "Signature | [image]",
        "Name | Jane Doe | Bob Smith",
        "Date | 12 March 2024 | 11 March 2024",
        "Thank you for your business.",
    ]
    (mark,) = part.ink_marks
    assert mark.inked
    assert lines_of(part, mark) == [
        ("above", 1, "Customer"), ("below", 1, "Jane Doe"), ("below", 2, "12 March 2024"),
        ("beside", 0, "Signature"),
    ]


def test_signature_in_a_merged_cell_with_its_label_and_name(settings: Settings) -> None:
    def fill(document: docx.document.Document) -> None:
        table = document.add_table(rows=3, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Customer", "Partner"
        block = table.cell(1, 0).merge(table.cell(2, 0))
        block.paragraphs[0].add_run("Signed:")
        block.add_paragraph().add_run().add_picture(png(signature_image()), width=Inches(1.5))
        block.add_paragraph("Jane Doe")
        table.cell(1, 1).text, table.cell(2, 1).text = "Bob Smith", "11 March 2024"

    part = read(build(fill), settings)
    assert part.text.splitlines() == ["Customer | Partner", "Signed: [image] Jane Doe | Bob Smith", "11 March 2024"]
    (mark,) = part.ink_marks
    assert lines_of(part, mark) == [
        ("above", 0, "Signed:"), ("above", 1, "Customer"), ("below", 0, "Jane Doe"),
        ("beside", 0, "Bob Smith"), ("beside", 0, "11 March 2024"),
    ]


def test_text_box_follows_its_paragraph_once(settings: Settings) -> None:
    box = '<w:txbxContent><w:p><w:r><w:t>Approved by the customer</w:t></w:r></w:p></w:txbxContent>'

    def fill(document: docx.document.Document) -> None:
        document.element.body.insert(0, parse_xml(
            f'<w:p {W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
            'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
            'xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:t>Acceptance</w:t></w:r><w:r><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r></w:p>'
        ))
        document.add_paragraph("Next paragraph")

    assert read(build(fill), settings).text == "Acceptance\nApproved by the customer\nNext paragraph"


def test_table_only_document_merged_cells_once(settings: Settings) -> None:
    part = read(build(tables_only), settings)
    assert part.text.splitlines() == [
        "Project summary | Status",
        "Defender | Onboarding | Done",
        "Policies | Phase 2 | Done",
    ]
    assert part.ink_marks == []


def test_filled_logo_is_not_handwriting(settings: Settings) -> None:
    part = read(build(logo_letter), settings)
    assert part.text == "[image]\nServices completion letter"
    (mark,) = part.ink_marks
    assert not mark.inked and mark.ink > 0.1
    assert lines_of(part, mark) == [("below", 1, "Services completion letter")]


def test_empty_document(settings: Settings) -> None:
    part = read(build(lambda document: None), settings)
    assert part.text == "" and part.ink_marks == [] and not part.warnings


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        pytest.param(signature_image(), True, id="pen-strokes"),
        pytest.param(signature_image(transparent=True), True, id="strokes-on-transparent"),
        pytest.param(logo_image(), False, id="filled-logo"),
        pytest.param(Image.new("RGB", (300, 100), "white"), False, id="blank"),
        pytest.param(Image.new("L", (300, 100), 30), False, id="solid-dark"),
        pytest.param(Image.new("RGBA", (300, 100), (0, 0, 0, 0)), False, id="transparent-only"),
    ],
)
def test_looks_handwritten(image: Image.Image, expected: bool) -> None:
    assert looks_handwritten(image) is expected


def test_ruled_line_is_not_handwriting() -> None:
    img = Image.new("RGB", (400, 100), "white")
    ImageDraw.Draw(img).line([(20, 60), (380, 60)], fill="black", width=2)
    assert not looks_handwritten(img)


def test_content_controls_revisions_and_placeholders(settings: Settings) -> None:
    def fill(document: docx.document.Document) -> None:
        body = document.element.body
        body.insert(0, parse_xml(
            f'<w:p {W}><w:r><w:t xml:space="preserve">Customer: </w:t></w:r>'
            '<w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>Fabrikam</w:t></w:r></w:sdtContent></w:sdt>'
            '<w:del w:id="1" w:author="x"><w:r><w:delText>Contoso</w:delText></w:r></w:del>'
            '<w:ins w:id="2" w:author="x"><w:r><w:t xml:space="preserve"> Inc.</w:t></w:r></w:ins></w:p>'
        ))
        body.insert(1, parse_xml(
            f'<w:sdt {W}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r>'
            '<w:t>Click or tap here to enter text.</w:t></w:r></w:p></w:sdtContent></w:sdt>'
        ))
        body.insert(2, parse_xml(f'<w:p {W}><w:r><w:t>Date:</w:t><w:tab/><w:t>12 March 2024</w:t></w:r></w:p>'))

    assert read(build(fill), settings).text == "Customer: Fabrikam Inc.\nDate:\t12 March 2024"


def test_embedded_files_are_skipped_with_a_warning(settings: Settings) -> None:
    out = io.BytesIO(build(signed_letter))
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
        archive.writestr("word/embeddings/Workbook1.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    doc = ingest_bytes(out.getvalue(), "letter.docx", settings=settings)
    assert doc.warnings == ["letter.docx: 2 embedded file(s) skipped (files inside a .docx are not read)"]
    assert doc.parts[0].ink_marks and doc.parts[0].ink_marks[0].inked


def test_undecodable_picture_keeps_the_text(settings: Settings) -> None:
    src = zipfile.ZipFile(io.BytesIO(build(signed_letter)))
    entries = {n: src.read(n) for n in src.namelist()}
    (media,) = [n for n in entries if n.startswith("word/media/")]
    entries[media] = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    part = read(_zip(entries), settings)
    assert "Kind regards,\n\n[image]\nJane Doe" in part.text
    (mark,) = part.ink_marks
    assert (mark.inked, mark.ink) == (False, 0) and mark.lines
    assert part.warnings == ["1 picture(s) could not be measured (missing, not decodable or too large)"]


def test_docx_attached_to_an_email_is_read(settings: Settings) -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "jane@fabrikam.example", "bob@northwind.example", "Sign-off"
    mail.set_content("Signed letter attached.")
    mail.add_attachment(build(signed_letter), maintype="application", subtype="octet-stream",
                        filename="letter.docx")
    doc = ingest_bytes(mail.as_bytes(), "mail.eml", settings=settings)
    body = next(p for p in doc.parts if p.kind == "document_body")
    assert body.path == "mail.eml > letter.docx > body" and "Kind regards," in body.text
    assert body.ink_marks and body.ink_marks[0].inked


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bomb(size: int) -> bytes:
    """A .docx with one extra entry of `size` zero bytes (compressed about 1000:1)."""
    out = io.BytesIO(build(signed_letter))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("word/media/pad.bin", "w") as f:
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            f.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "error"),
    [
        pytest.param(lambda: build(signed_letter)[:3000], "cut.docx", MalformedDocument, id="truncated"),
        pytest.param(lambda: _zip({"word/document.xml": b"<x"}), "bad.docx", MalformedDocument, id="not-a-package"),
        pytest.param(lambda: _bomb(250 * 1024 * 1024), "bomb.docx", DocumentTooLarge, id="zip-bomb"),
        pytest.param(lambda: _bomb(8 * 1024 * 1024), "ratio.docx", DocumentTooLarge, id="compression-ratio"),
        pytest.param(lambda: _zip({"notes.txt": b"hi"}), "notes.zip", UnsupportedFileType, id="plain-zip"),
        pytest.param(lambda: _zip({"xl/workbook.xml": b"<x/>"}), "book.xlsx", UnsupportedFileType, id="xlsx"),
        pytest.param(lambda: _zip({"notes.txt": b"hi"}), "notes.docx", MalformedDocument, id="zip-named-docx"),
    ],
)
def test_bad_archives_are_typed_errors(make: Callable[[], bytes], name: str, error: type[Exception],
                                       settings: Settings) -> None:
    with pytest.raises(error) as info:
        ingest_bytes(make(), name, settings=settings)
    assert "\n" not in info.value.message and info.value.message.startswith(name)


def test_macro_enabled_document_is_unsupported(settings: Settings) -> None:
    data = build(signed_letter)
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = {n: src.read(n) for n in src.namelist()}
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    with pytest.raises(UnsupportedFileType, match="save it as a .docx"):
        ingest_bytes(_zip(entries), "macro.docm", settings=settings)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(build(signed_letter), registry.DOCX, id="docx"),
        pytest.param(build(signed_letter)[:3000], registry.DOCX, id="truncated-docx"),
        pytest.param(_zip({"notes.txt": b"word/document.xml"}), registry.ZIP, id="name-in-content"),
        pytest.param(_zip({"notes.txt": b"hello"}), registry.ZIP, id="plain-zip"),
    ],
)
def test_detection(data: bytes, expected: str) -> None:
    assert registry.detect_type(data) == expected


def test_type_from_name() -> None:
    assert registry.type_from_name("Sign-off.DOCX") == registry.DOCX
    assert registry.DOCX in registry.SUPPORTED and ".docx" in registry.ACCEPTED


def test_inspect_shows_the_text(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(build(signed_letter))
    proc = subprocess.run([str(POECHECK), "inspect", "--text", str(path)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "letter.docx > body" in proc.stdout and "document_body" in proc.stdout
    for line in [*LETTER, "[image]", *BELOW_SIGNATURE]:
        assert line in proc.stdout
