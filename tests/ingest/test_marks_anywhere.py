"""Ink first, then words: handwritten marks found anywhere on a page (service/ingest/marks.py) and read
through the lines around them (checks/findings/signature_marks.py), on POE written by outside authors."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from checks.base import CheckContext
from checks.customer_acknowledgement import CHECK as ACK
from checks.dates import CHECK as DATES
from models import Claim, Document
from service.config import Settings
from service.ingest.dispatch import ingest_path

EXT = Path(__file__).resolve().parents[2] / "fixtures" / "poe_ext"
HOLDOUT = Path(__file__).resolve().parents[2] / "fixtures" / "poe_holdout"


@cache
def _doc(case: str, corpus: Path = EXT) -> Document:
    (path,) = (corpus / "docs" / case).iterdir()
    return ingest_path(path, settings=Settings())


def _claim(case: str, corpus: Path = EXT) -> Claim:
    return Claim.model_validate_json((corpus / "claims" / f"{case}.json").read_text())


def _marks(doc: Document):
    return [(p, m) for p in doc.parts for m in p.ink_marks or () if m.anchor == "mark"]


def _lines(part, mark) -> list[str]:
    return [part.text[ln.start:ln.end] for ln in mark.lines]


def test_a_letter_signed_under_its_closing_has_a_mark_with_the_signers_lines():
    """A customer letter: closing above the pen strokes, printed name and title below; no label anywhere."""
    (part, mark), *_ = _marks(_doc("lh-001"))
    below = [part.text[ln.start:ln.end] for ln in mark.lines if ln.where == "below"]
    above = [part.text[ln.start:ln.end] for ln in mark.lines if ln.where == "above"]
    assert any("sincerely" in t.lower() or "regards" in t.lower() for t in above), above
    assert below and below[0][:1].isupper()
    assert 0 < mark.region[0] < mark.region[2] < 1 and mark.region[1] > 0.3


def test_a_customer_letter_without_signature_labels_is_acknowledged_and_dated():
    claim, doc = _claim("lh-001"), _doc("lh-001")
    ctx = CheckContext.for_claim(claim)
    ack, dates = ACK.run(claim, [doc], ctx), DATES.run(claim, [doc], ctx)
    assert ack.status == "pass", ack.message
    assert any("handwritten" in (e.note or "") for e in ack.evidence)
    assert dates.status == "pass", dates.message


def test_a_two_column_sign_off_tells_the_customers_mark_from_the_partners():
    """French PV: 'Pour le Client' and 'Pour le Prestataire' head the two columns; each mark reads its own."""
    doc = _doc("in-002")
    owners = {}
    for part, mark in _marks(doc):
        text = " ".join(_lines(part, mark))
        if "Pour le Client" in text:
            owners["client"] = mark.region[0]
        if "Pour le Prestataire" in text:
            owners["partner"] = mark.region[0]
    assert owners["client"] < 0.5 < owners["partner"]
    claim = _claim("in-002")
    assert ACK.run(claim, [doc], CheckContext.for_claim(claim)).status == "pass"


@pytest.mark.parametrize("case, why", [
    pytest.param("lh-004", "empty", id="partner-signed-only-dotted-customer-block"),
    pytest.param("es-007", "not completed", id="esign-envelope-still-sent"),
    pytest.param("es-010", "certificate", id="esign-signer-of-another-company"),
])
def test_no_false_acknowledgement(case: str, why: str):
    claim, doc = _claim(case), _doc(case)
    result = ACK.run(claim, [doc], CheckContext.for_claim(claim))
    assert result.status == "fail", result.message
    assert why in (result.message + " ".join(e.note or "" for e in result.evidence))


def test_dotted_signature_lines_are_not_ink():
    """Dotted leader lines of an empty customer block once measured as a handwritten signature."""
    doc = _doc("lh-004")
    page2 = next(p for p in doc.parts if p.page == 2)
    assert page2.ink_marks is not None
    assert not any(m.inked for m in page2.ink_marks)


_PEN = ("q 1.6 w 1 J 1 j 0 0 0.5 RG 90 {y} m 100 {y2} 112 {y3} 120 {y} c 128 {y4} 140 {y2} 150 {y} c "
        "160 {y3} 175 {y2} 188 {y} c 200 {y4} 214 {y2} 230 {y} c S Q")


def _text_only_pdf(lines: list[str], *, signed_after: int | None = None) -> bytes:
    """A one-page PDF showing `lines` of text; with `signed_after`, pen strokes (a drawn path) are drawn
    between that line and the next, as a signature between a closing and the signer's name."""
    ops = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({t}) '" for t in lines) + " ET"
    if signed_after is not None:
        y = 760 - 14 * (signed_after + 1) - 14
        ops += " " + _PEN.format(y=y, y2=y + 14, y3=y - 8, y4=y + 20)
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
             "/Resources << /Font << /F1 5 0 R >> >> >>"),
            f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


_BODY = ["", "Completion of the Microsoft Defender for Endpoint deployment", "",
         "Fabrikam Consulting deployed Defender for Endpoint to 1,200 devices between March and April 2025.",
         "", "Yours sincerely,", "", "", "Alex Morgan", "IT Director"]


@pytest.mark.parametrize("top, accepted", [
    pytest.param(["Contoso Pharmaceuticals Inc.", "12 Harbour Road, Boston MA", "www.contoso.com | Tel 617 555 0100",
                  "14 May 2025"], True, id="customer-letterhead"),
    pytest.param(["14 May 2025", "Contoso Pharmaceuticals Inc.", "12 Harbour Road", "Boston MA 02110"], False,
                 id="recipient-address-block"),
])
def test_a_signature_under_a_closing_is_the_letterheads_owners(top, accepted):
    """Nothing around the signature names a party: it is the customer's only on the customer's letterhead
    (a name with contact details), never because the recipient's address block names the customer."""
    from service.ingest.dispatch import ingest_bytes

    lines = top + _BODY
    data = _text_only_pdf(lines, signed_after=lines.index("Yours sincerely,"))
    doc = ingest_bytes(data, "letter.pdf", settings=Settings())
    assert _marks(doc), "the drawn signature was not found"
    claim = Claim.model_validate({"claim_date": "2025-06-01", "partner": {"name": "Fabrikam Consulting Ltd"},
                                  "customer": {"name": "Contoso Pharmaceuticals Inc.", "domains": ["contoso.com"]},
                                  "workloads": ["MDE"]})
    result = ACK.run(claim, [doc], CheckContext.for_claim(claim))
    assert (result.status == "pass") is accepted, result.message


def test_a_page_that_draws_nothing_is_not_rendered():
    """Text pages with no image or path objects cannot hold a handwritten mark: nothing is rendered."""
    from service.ingest.dispatch import ingest_bytes

    data = _text_only_pdf(["Completion letter", "We confirm the rollout of Defender for Endpoint.",
                           "Yours sincerely,", "A. Reader, IT Director"])
    doc = ingest_bytes(data, "letter.pdf", settings=Settings())
    (page,) = doc.parts
    assert "Yours sincerely" in page.text and page.ink_marks is None


@pytest.mark.ocr
def test_a_scanned_form_mark_is_found_without_its_label():
    doc = _doc("sc-001")
    assert _marks(doc), "no handwritten mark found on the scan"
    claim = _claim("sc-001")
    assert ACK.run(claim, [doc], CheckContext.for_claim(claim)).status == "pass"
