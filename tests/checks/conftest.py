"""Builders for check tests: a claim, PDF/scan pages and e-mails as Documents, a fixed reference date."""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from checks.base import CheckContext
from models import Claim, Document, EmailMeta, Part, Signature
from models.document import InkMark

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
REFERENCE = date(2025, 6, 28)


def make_claim(*, claim_date: str = REFERENCE.isoformat(), country: str = "US",
               customer: str = "Calloway Beverage Company", customer_domains=("callowaybev.com",),
               partner: str = "Brightwater Cyber Partners LLC", partner_domains=("brightwatercyber.com",)) -> Claim:
    """A minimal valid claim (customer Calloway, partner Brightwater by default)."""
    return Claim.model_validate({
        "claim_date": claim_date,
        "partner": {"name": partner, "aliases": [partner.split()[0]], "domains": list(partner_domains)},
        "customer": {"name": customer, "aliases": [customer.split()[0]], "domains": list(customer_domains),
                     "country": country},
        "workloads": ["MDE"]})


def make_ctx(claim: Claim) -> CheckContext:
    """The context the runner would build for `claim`."""
    return CheckContext.for_claim(claim)


def pdf_doc(*pages: str, name: str = "letter.pdf", ocr: bool = False,
            signatures: tuple[Signature, ...] = (), inked: bool = False) -> Document:
    """A PDF (text layer, or scanned pages with OCR text) with one part per page. `inked`: the page image
    shows a handwritten mark at every signature label (as ingestion would measure a signed page)."""
    parts = [Part(kind="image_page" if ocr else "pdf_page", path=f"{name} > page {i}", file=name, page=i, text=t,
                  source="ocr" if ocr else "text_layer", has_image=ocr, ink_marks=_pen_at_labels(t) if inked else None)
             for i, t in enumerate(pages, 1)]
    return Document(sha256=hashlib.sha256("".join(pages).encode()).hexdigest(), filename=name,
                    media_type="application/pdf", size=1, parts=parts, signatures=list(signatures))


def _pen_at_labels(text: str) -> list[InkMark]:
    pos, marks = 0, []
    for line in text.split("\n"):
        if re.search(r"s\w?[gq]n\w*ture|signature|\bsigned\b|sign here", line, re.IGNORECASE):  # OCR-tolerant
            marks.append(InkMark(offset=pos + len(line) - len(line.lstrip()), anchor="label", label=line.strip(),
                                 region=(0.1, 0.5, 0.5, 0.55), ink=0.05, inked=True))
        pos += len(line) + 1
    return marks


def email_doc(body: str, *, sender: str, to=(), cc=(), subject: str = "Completion confirmation",
              sent: datetime = datetime(2025, 3, 1, 10, 0), name: str = "mail.msg",
              attachments: tuple[tuple[str, str], ...] = ()) -> Document:
    """An Outlook e-mail with its body part and optional attachment parts (name, text)."""
    meta = EmailMeta(sender=sender, sender_email=sender.lower(), to=list(to), cc=list(cc), sent=sent, subject=subject)
    parts = [Part(kind="email_body", path=name, file=name, text=body, source="email", email=meta)]
    for att, text in attachments:
        att_meta = None
        kind = "pdf_page"
        if att.endswith(".msg"):
            kind = "email_body"
            att_meta = EmailMeta(sender_email="", subject="")
        parts.append(Part(kind=kind, path=f"{name} > {att}" + ("" if att_meta else " > page 1"),
                          file=f"{name} > {att}", page=None if att_meta else 1, text=text,
                          source="email" if att_meta else "text_layer", email=att_meta))
    return Document(sha256=hashlib.sha256(body.encode()).hexdigest(), filename=name,
                    media_type="application/vnd.ms-outlook", size=1, parts=parts)


def dev_pdf(case: str) -> tuple[Claim, list[Document]]:
    """A text-layer PDF case of fixtures/poe_dev as ingestion reads it (page images measured), and its claim."""
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    claim = Claim.model_validate_json((DEV / "claims" / f"{case}.json").read_text())
    path = next((DEV / "docs" / case).glob("*.pdf"))
    return claim, [ingest_path(path, settings=Settings())]


@pytest.fixture
def reference() -> date:
    return REFERENCE


@pytest.fixture
def build():
    """The builders above, for tests: build.claim(), build.pdf(), build.email(), build.ctx(), build.dev_pdf()."""
    from types import SimpleNamespace

    return SimpleNamespace(claim=make_claim, pdf=pdf_doc, email=email_doc, ctx=make_ctx, dev_pdf=dev_pdf)
