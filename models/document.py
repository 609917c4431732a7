"""A parsed POE file: parts (pages, e-mail bodies, attachments) with text and provenance."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TextSource = Literal["text_layer", "ocr", "email", "none"]
PartKind = Literal["pdf_page", "image_page", "email_body", "attachment", "annotation", "document_body"]


class EmailMeta(BaseModel):
    """Headers of an e-mail part (from .msg or .eml)."""

    model_config = ConfigDict(frozen=True)
    sender: str | None = Field(default=None, description="From: display name and address.")
    sender_email: str | None = Field(default=None, description="Sender's address, lower-case.")
    to: list[str] = Field(default_factory=list, description="To: addresses.")
    cc: list[str] = Field(default_factory=list, description="Cc: addresses.")
    sent: datetime | None = Field(default=None, description="Date the e-mail was sent.")
    subject: str | None = None
    message_id: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="Transport headers (Received, etc.).")
    message_class: str | None = Field(default=None, description="Outlook message class, e.g. IPM.Note.")


class MarkLine(BaseModel):
    """A line of text near a handwritten mark: what a reader looks at to tell whose signature it is."""

    model_config = ConfigDict(frozen=True)
    start: int = Field(ge=0, description="Offset of the line (its part of the mark's column) in the part text.")
    end: int = Field(ge=0)
    where: Literal["above", "below", "beside"] = Field(description="Where the line sits relative to the mark.")
    distance: float = Field(ge=0, description="Gap between the mark and the line, in text heights (or table rows); "
                            "a line above that starts left of the mark's column counts 3 more.")


class InkMark(BaseModel):
    """What the page image shows in one signature area: a handwritten mark, or nothing but typed text."""

    model_config = ConfigDict(frozen=True)
    offset: int = Field(ge=0, description="Offset in the part text of what the area belongs to (see anchor).")
    anchor: Literal["label", "heading", "mark"] = Field(
        description="label: the signature label itself; heading: the heading of the block whose column holds "
        "the label (two-column pages, or a scan whose page OCR lost the label); mark: a handwritten mark found "
        "anywhere on the page, read through the lines around it (`lines`).")
    label: str = Field(description="The signature label as read, e.g. 'Signature:'; the block heading when "
                       "the OCR lost the label (then only ink taller than printed text counts).")
    region: tuple[float, float, float, float] = Field(
        description="Area measured (left, top, right, bottom) as fractions of the page.")
    ink: float = Field(ge=0, le=1, description="Share of the area that is ink, not recognised text or ruled lines.")
    inked: bool = Field(description="A handwritten mark (signature image, drawing or pen) is in the area.")
    lines: list[MarkLine] = Field(default_factory=list, description="For a mark: the text lines around it, "
                                  "nearest first within each side.")
    reading: str | None = Field(default=None, description="For a mark beside a date label (a date written by hand, "
                                "not a signature): what OCR reads in it, '' when not legible; None for other marks.")


class PageImage(BaseModel):
    """A part as a reviewer sees it: a rendered or scanned page, or an e-mail or .docx body drawn as a plain page,
    with where its words are, so quoted evidence can be boxed. Made by the reader, stored with the report."""

    model_config = ConfigDict(frozen=True)
    data: bytes = Field(repr=False, description="The greyscale image file.")
    media_type: Literal["image/png", "image/jpeg"] = Field(
        default="image/png", description="PNG for rendered and drawn pages, JPEG for scans (a photo of paper).")
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    words: tuple[tuple[int, int, float, float, float, float, str], ...] = Field(
        default=(), repr=False, description="(start, end, left, top, right, bottom, text): the word's offsets in "
        "the part text (-1, -1 when it is not from that text) and its box as fractions of the image.")
    fields: tuple[tuple[str, float, float, float, float], ...] = Field(
        default=(), description="Drawn lines that are not in the part text, by label (an e-mail's 'From', 'To', "
        "'Cc', 'Sent', 'Subject'), with their boxes.")


class Part(BaseModel):
    """One unit of text: a PDF page, an image page, an e-mail body, or an attachment stub."""

    model_config = ConfigDict(frozen=True)
    kind: PartKind
    path: str = Field(description="Where it sits: 'mail.msg > quote.pdf > page 2'.")
    file: str = Field(description="File chain without the page: 'mail.msg > quote.pdf'.")
    page: int | None = Field(default=None, description="1-based page number for pages.")
    text: str = ""
    source: TextSource = Field(description="Where the text came from.")
    ocr_confidence: float | None = Field(default=None, description="Tesseract mean word confidence 0-100.")
    email: EmailMeta | None = None
    width: int | None = Field(default=None, description="Page image width in pixels (OCR'd pages).")
    height: int | None = Field(default=None, description="Page image height in pixels (OCR'd pages).")
    has_image: bool = Field(default=False, description="The page has a rendered image (scan).")
    box: tuple[float, float, float, float] | None = Field(
        default=None, description="Where the part sits on its page (left, top, right, bottom as fractions), "
        "for annotation parts.")
    ink_marks: list[InkMark] | None = Field(
        default=None, description="Signature areas measured in the page image; None when not measured "
        "(no signature label or block heading on the page, or not a page).")
    warnings: list[str] = Field(default_factory=list)
    images: tuple[PageImage, ...] = Field(
        default=(), exclude=True, repr=False, description="How the part looks (when Settings.page_images); "
        "kept out of JSON: it travels from the reader to the report's store.")


class Signature(BaseModel):
    """A PDF digital signature and what validating it showed (validated offline by the service)."""

    model_config = ConfigDict(frozen=True)
    field: str = Field(description="Signature field name.")
    file: str = Field(description="File chain of the signed PDF.")
    signer_name: str | None = None
    signer_email: str | None = None
    signer_org: str | None = None
    signing_time: datetime | None = None
    timestamp_trusted: bool = Field(default=False, description="Signing time comes from a trusted timestamp.")
    intact: bool = Field(description="The signed bytes are unchanged.")
    trusted: bool = Field(description="The certificate chains to a configured trust root.")
    no_trust_roots: bool = Field(
        default=False, description="Intact and unchanged, but no trust roots were configured, so whether its "
        "certificate chains to a trusted root (who signed) was not verified.")
    coverage: str | None = Field(default=None, description="pyHanko's coverage level.")
    modified_after: bool = Field(default=False, description="Changes after signing beyond what DocMDP allows.")
    summary: str = Field(default="", description="pyHanko's summary or the validation error.")
    kind: Literal["signature", "doc_timestamp"] = Field(
        default="signature", description="An approval/certification signature or a document timestamp."
    )
    reason: str | None = Field(default=None, description="Why the signature is not valid; None when valid.")
    expired: bool = Field(default=False, description="The certificate was outside its validity at signing time.")
    modification: str | None = Field(default=None, description="pyHanko's modification level after signing.")
    revocation: str = Field(default="not performed", description="Which revocation check was done (offline).")

    @property
    def valid(self) -> bool:
        """Intact, trusted and not modified after signing."""
        return self.intact and self.trusted and not self.modified_after

    @property
    def unverified(self) -> bool:
        """Intact and unchanged, and nothing against it but that no trust roots are configured."""
        return self.no_trust_roots and self.intact and not self.modified_after


class Document(BaseModel):
    """One uploaded file, and everything found inside it (attachments flattened, paths kept)."""

    model_config = ConfigDict(frozen=True)
    sha256: str
    filename: str
    media_type: str = Field(description="Type detected from content, e.g. application/pdf.")
    size: int = Field(ge=0, description="Bytes.")
    parts: list[Part] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list, description="Digital signatures found (PDF).")

    @property
    def text(self) -> str:
        """All parts' text, separated by blank lines (for fingerprints, not for evidence offsets)."""
        return "\n\n".join(p.text for p in self.parts if p.text)
