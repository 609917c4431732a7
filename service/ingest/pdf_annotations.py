"""One extra part per PDF page for the text its annotations and form fields show.

A visible digital-signature box, a stamp, a FreeText note or a filled form field is not in the page's
text layer. Each page that shows such text gets one part (kind "annotation", one line per annotation or
field, top to bottom) right after the page's own part. Reading them can only add warnings: it never
costs a page its text. pypdf loads only for a PDF that can have annotations.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from models.document import Part
from service.ingest.context import IngestContext
from service.ingest.pages import page_path

if TYPE_CHECKING:
    from pypdf import PdfReader

    from service.ingest.pdf_annotation_text import Line, PageText

log = logging.getLogger(__name__)

MAX_ANNOTATIONS = 200  # annotations read per page; the rest are left with a warning
MAX_CHARS = 20_000  # characters of annotation text kept per page
MAX_APPEARANCE_BYTES = 64_000  # content of one appearance, nested forms included (real ones: < 3 KB)
MAX_DOCUMENT_APPEARANCE_BYTES = 500_000  # appearance content read per PDF (a few seconds of pypdf)


@dataclass
class Budget:
    """Appearance content still to be read in one PDF (bytes): pypdf reads ~150 KB of content a second."""

    left: int
    per_appearance: int


class AnnotationReader:
    """Reads one PDF's annotations page by page, with the pypdf `reader` that checked its content
    (service.ingest.pdf_limits) when there is one, else opening it on the first page that needs it."""

    def __init__(self, data: bytes, *, file: str, pages: int, reader: PdfReader | None = None) -> None:
        # No /Annots key anywhere, not even in a compressed object stream: no page has annotations.
        self._data: bytes | None = data if b"/Annots" in data or b"/ObjStm" in data else None
        self._file = file
        self._pages = pages
        self._shared = reader
        self._reader: PdfReader | None = None
        self._budget = Budget(left=MAX_DOCUMENT_APPEARANCE_BYTES, per_appearance=MAX_APPEARANCE_BYTES)

    def append_part(self, index: int, *, ctx: IngestContext) -> None:
        """Append the annotation part of page `index` (0-based) to ctx.parts, if the page shows any text."""
        reader = self._open(ctx)
        if reader is None:
            return
        # pypdf (about 0.2 s) only for a PDF with annotations or form fields
        from service.ingest.pdf_annotation_text import read_page

        number = index + 1
        found = read_page(reader, index, limit=MAX_ANNOTATIONS, budget=self._budget)
        if found.errors:
            self._warn(ctx, f"page {number}: some annotations or form fields", found.errors)
        notes = []
        if found.more:
            notes.append(
                f"page {number}: more than {MAX_ANNOTATIONS} annotations; only the first "
                f"{MAX_ANNOTATIONS} were read"
            )
        if found.too_large:
            notes.append(f"page {number}: annotation appearances too large to read were skipped")
        lines = _new_text(found, _page_text(ctx, number))
        if lines:
            ctx.parts.append(_part(self._file, number, lines, notes))
        else:
            ctx.warnings.extend(f"{self._file}: {note}" for note in notes)

    def _open(self, ctx: IngestContext) -> PdfReader | None:
        """The pypdf reader, opened on first use; a failure is one document warning, then None."""
        if self._reader is not None or self._data is None:
            return self._reader
        data, self._data = self._data, None  # one try only
        try:
            # pypdf (about 0.2 s) only for a PDF with annotations or form fields
            from service.ingest.pdf_annotation_text import open_pdf

            reader = self._shared or open_pdf(data)
            if len(reader.pages) != self._pages:
                ctx.warnings.append(
                    f"{self._file}: annotations and form fields not read (the page tree is damaged)"
                )
                return None
        except Exception as exc:  # noqa: BLE001 (annotations must never cost the document its pages)
            self._warn(ctx, "annotations and form fields", {type(exc).__name__})
            return None
        self._reader = reader
        return reader

    def _warn(self, ctx: IngestContext, what: str, errors: set[str]) -> None:
        names = ", ".join(sorted(errors))
        log.warning("annotations of a PDF could not be read: %s", names)
        ctx.warnings.append(f"{self._file}: {what} could not be read ({names})")


def _page_text(ctx: IngestContext, number: int) -> str:
    """The text the page part shows ('' while its OCR is pending: its text layer was not usable)."""
    last = ctx.parts[-1] if ctx.parts else None
    return last.text if isinstance(last, Part) and last.page == number else ""


def _new_text(found: PageText, page_text: str) -> list[Line]:
    """Lines in reading order (top to bottom, left to right), without those the page text already shows."""
    shown = _key(page_text)
    kept = [line for line in found.lines if _key(line.text) not in shown]
    return sorted(kept, key=lambda line: (line.box[1], line.box[0]))


def _part(file: str, number: int, lines: list[Line], notes: list[str]) -> Part:
    """The page's annotation part: one line each, cut at MAX_CHARS; its box covers the lines kept."""
    # pypdf (about 0.2 s) only for a PDF with annotations or form fields
    from service.ingest.pdf_annotation_text import union

    text = "\n".join(line.text for line in lines)
    kept, start = [], 0
    for line in lines:
        if start >= MAX_CHARS:
            break
        kept.append(line.box)
        start += len(line.text) + 1
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        notes.append(f"page {number}: annotation text cut at {MAX_CHARS:,} characters")
    return Part(
        kind="annotation",
        path=f"{page_path(file, number)} > annotations",
        file=file,
        page=number,
        text=text,
        source="text_layer",
        box=union(kept),
        warnings=notes,
    )


def _key(text: str) -> str:
    return "".join(text.split())
