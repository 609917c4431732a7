"""Word .docx files (python-docx): one document-body part read in order (headers, body, footers), with
each embedded picture measured as a possible handwritten signature.

The body's XML is walked directly, paragraphs and tables interleaved as the document has them, so
content controls, tracked insertions, hyperlinks and text boxes are read too; deleted text and
content-control placeholders are not. A table row is one line, its cells joined with " | ".
Each picture is the token "[image]" in the text and an InkMark (anchor "mark") whose lines are the
text a reader would look at to see whose signature it is.
"""

from __future__ import annotations

import io
import warnings as pywarnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from models.document import InkMark, MarkLine, Part
from service.errors import DocumentTooLarge, MalformedDocument, UnsupportedFileType
from service.ingest.context import IngestContext

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # all entries together, uncompressed
MAX_ENTRIES = 10_000
MAX_RATIO = 200  # uncompressed / compressed size of one entry over BOMB_FLOOR bytes (XML reaches ~100)
BOMB_FLOOR = 1024 * 1024
IMAGE_TOKEN = "[image]"
PARAGRAPHS_ABOVE, PARAGRAPHS_BELOW = 3, 6
TABLE_REACH = 10  # rows above and below a picture in a table whose cells are its lines

# Handwriting: mostly light background with thin dark strokes (see looks_handwritten).
DARK = 160
MIN_DARK_SHARE, MAX_DARK_SHARE = 0.003, 0.30
MIN_ASPECT, MIN_STROKES_WIDTH = 1.5, 60
MAX_FILL = 0.45  # dark share inside the strokes' own box; a filled logo is denser

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_V = "{urn:schemas-microsoft-com:vml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_EMBEDDINGS = "word/embeddings/"
_STORY_ORDER = {"first": 0, "default": 1, "even": 2}

# Elements whose children are read as if they stood in their parent's place.
_WRAPPERS = frozenset(
    f"{_W}{t}" for t in ("sdtContent", "customXml", "hyperlink", "ins", "moveTo", "smartTag", "fldSimple",
                         "dir", "bdo")
)
_PICTURE_RID = {f"{_A}blip": f"{_R}embed", f"{_V}imagedata": f"{_R}id"}  # picture -> its relationship
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}

Span = tuple[int, int]


def ingest_docx(data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Add the document's one body part; embedded files are skipped with a warning (`depth` is unused:
    nothing inside a .docx is read as an attachment)."""
    entries = _checked_entries(data, file=file)
    embedded = sum(1 for e in entries if e.filename.startswith(_EMBEDDINGS) and not e.is_dir())
    if embedded:
        ctx.warnings.append(f"{file}: {embedded} embedded file(s) skipped (files inside a .docx are not read)")
    document = _open(data, file=file)
    reader = _Reader()
    for element, owner in _stories(document, "headerReference"):
        reader.story(element, owner)
    reader.story(document.element.body, document.part)
    for element, owner in _stories(document, "footerReference"):
        reader.story(element, owner)
    text = "".join(reader.out.chunks)
    warnings: list[str] = []
    marks = _marks(reader.pictures, text, max_pixels=ctx.settings.max_pixels, warnings=warnings)
    ctx.parts.append(
        Part(
            kind="document_body",
            path=f"{file} > body",
            file=file,
            page=None,
            text=text,
            source="text_layer",
            ink_marks=marks,
            warnings=warnings,
        )
    )


def looks_handwritten(image: Image.Image) -> bool:
    """A signature-like picture: light background with thin dark strokes, wide rather than tall (or at
    least MIN_STROKES_WIDTH pixels wide), not a solid filled logo."""
    return _handwritten(_strokes(image))


@dataclass(frozen=True)
class _Strokes:
    share: float  # dark pixels in the whole picture
    width: int  # of the dark pixels' bounding box
    height: int
    fill: float  # dark pixels in their own bounding box


def _strokes(image: Image.Image) -> _Strokes:
    grey = _grey(image)
    dark = grey.point([255 if v < DARK else 0 for v in range(256)])
    count = dark.histogram()[255]
    box = dark.getbbox()
    if not count or box is None:
        return _Strokes(0.0, 0, 0, 0.0)
    width, height = box[2] - box[0], box[3] - box[1]
    return _Strokes(count / (grey.width * grey.height), width, height, count / (width * height))


def _handwritten(s: _Strokes) -> bool:
    return (
        MIN_DARK_SHARE <= s.share <= MAX_DARK_SHARE
        and (s.width >= MIN_ASPECT * s.height or s.width >= MIN_STROKES_WIDTH)
        and s.fill < MAX_FILL
    )


def _grey(image: Image.Image) -> Image.Image:
    """Grey levels as the picture shows on a white page (transparent pixels are paper)."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        page = Image.new("RGBA", image.size, (255, 255, 255, 255))
        page.alpha_composite(image.convert("RGBA"))
        return page.convert("L")
    return image if image.mode == "L" else image.convert("L")


def _checked_entries(data: bytes, *, file: str) -> list[zipfile.ZipInfo]:
    """The archive's entries, refused before anything is unpacked when they would unpack to too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise MalformedDocument(
            f"{file}: the .docx is damaged: not a complete ZIP archive ({type(exc).__name__})."
        ) from exc
    if len(entries) > MAX_ENTRIES:
        raise MalformedDocument(f"{file}: the .docx holds more than {MAX_ENTRIES:,} entries; refused.")
    total = sum(e.file_size for e in entries)
    if total > MAX_UNPACKED_BYTES:
        raise DocumentTooLarge(
            f"{file}: the .docx unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB; "
            "upload a smaller document or a PDF of it."
        )
    for e in entries:
        if e.file_size > BOMB_FLOOR and e.file_size > MAX_RATIO * max(e.compress_size, 1):
            raise DocumentTooLarge(
                f"{file}: the .docx entry {e.filename!r} is compressed more than {MAX_RATIO}:1 "
                "(a ZIP bomb); refused."
            )
    return entries


def _open(data: bytes, *, file: str) -> Any:
    """The python-docx Document; a template or macro-enabled file is refused with what to do."""
    from docx.package import Package  # python-docx only once the ZIP entries passed the limits

    main = Package.open(io.BytesIO(data)).main_document_part
    if main.content_type != _WORD_MAIN:
        raise UnsupportedFileType(
            f"{file}: a Word template or macro-enabled document; save it as a .docx and upload that."
        )
    return main.document


def _stories(document: Any, reference: str) -> Iterator[tuple[Any, Any]]:
    """The distinct header (or footer) parts of every section: (root element, owning part)."""
    seen: set[object] = set()
    for sect_pr in document.element.xpath("./w:body/w:p/w:pPr/w:sectPr | ./w:body/w:sectPr"):
        refs = sorted(sect_pr.findall(f"{_W}{reference}"), key=lambda r: _STORY_ORDER.get(r.get(f"{_W}type"), 1))
        for ref in refs:
            part = document.part.related_parts.get(ref.get(f"{_R}id"))
            element = getattr(part, "element", None)
            if element is None:
                continue
            key = ("".join(element.itertext()), len(element.findall(f".//{_A}blip")))
            if part in seen or key in seen:
                continue
            seen.update((part, key))
            yield element, part


class _Out:
    """The part text being written, with a separator held back until more text follows (so empty
    paragraphs, cells and rows leave no stray separators) and offsets of what was written."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pos = 0
        self.pending = ""
        self.one_line = 0  # inside a table: line breaks become spaces
        self._open: list[list[int]] = []

    def write(self, s: str) -> int:
        if not s:
            return self.pos
        if self.one_line:
            s = s.replace("\n", " ")
        if self.pending and self.pos:
            self._add(self.pending)
        self.pending = ""
        for span in self._open:
            if not span:
                span.append(self.pos)
        start = self.pos
        self._add(s)
        return start

    def begin(self) -> list[int]:
        span: list[int] = []
        self._open.append(span)
        return span

    def end(self, span: list[int]) -> Span | None:
        self._open.pop()  # spans nest: the last one begun ends first
        return (span[0], self.pos) if span else None

    def checkpoint(self) -> tuple[int, int, str]:
        return len(self.chunks), self.pos, self.pending

    def rollback(self, point: tuple[int, int, str]) -> None:
        count, self.pos, self.pending = point
        del self.chunks[count:]
        for span in self._open:
            if span and span[0] >= self.pos:
                span.clear()  # it began in what was taken back

    def _add(self, s: str) -> None:
        self.chunks.append(s)
        self.pos += len(s)


@dataclass(eq=False)
class _Cell:
    row: int
    first: int  # grid columns first..stop-1
    stop: int
    last_row: int  # the last row a vertical merge carries it to
    lines: list[Span] = field(default_factory=list)  # its paragraphs and nested table rows
    span: Span | None = None


@dataclass
class _Picture:
    start: int
    rid: str
    owner: Any  # the part whose relationships hold the picture
    lines: list[Span]  # the lines of the story or cell the picture's paragraph is in
    index: int  # where its paragraph is in `lines`
    cell: _Cell | None = None
    table: list[_Cell] | None = None


class _Reader:
    """Walks stories (header, body, footer) in order, writing their text and noting each picture."""

    def __init__(self) -> None:
        self.out = _Out()
        self.pictures: list[_Picture] = []
        self._cell: _Cell | None = None
        self._table: list[_Cell] | None = None
        self._owner: Any = None

    def story(self, element: Any, owner: Any) -> None:
        self._owner = owner
        self.out.pending = "\n\n"
        self._blocks(element, [], sep="\n")
        self.out.pending = ""

    def _blocks(self, parent: Any, lines: list[Span], *, sep: str) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == f"{_W}p":
                self._paragraph(child, lines, sep=sep)
            elif tag == f"{_W}tbl":
                self._table_rows(child, lines, sep=sep)
            elif tag == f"{_W}sdt":
                if not _placeholder(child):
                    self._blocks(child, lines, sep=sep)
            elif tag in _WRAPPERS:
                self._blocks(child, lines, sep=sep)
            elif tag == f"{_MC}AlternateContent":
                self._blocks(_choice(child), lines, sep=sep)

    def _paragraph(self, p: Any, lines: list[Span], *, sep: str) -> None:
        boxes: list[Any] = []
        span = self.out.begin()
        index = len(lines)
        self._inline(p, lines, index, boxes)
        done = self.out.end(span)
        if done is not None:
            lines.append(done)
            self.out.pending = sep
        elif sep == "\n" and self.out.pending == "\n":
            self.out.pending = "\n\n"  # an empty paragraph: one blank line, however many there are
        for box in boxes:  # text boxes anchored in the paragraph follow it
            self._blocks(box, lines, sep=sep)

    def _inline(self, parent: Any, lines: list[Span], index: int, boxes: list[Any]) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == f"{_W}r":
                self._inline(child, lines, index, boxes)
            elif tag == f"{_W}t":
                self.out.write(child.text or "")
            elif tag in _RUN_TEXT:
                self.out.write(_RUN_TEXT[tag])
            elif tag in (f"{_W}drawing", f"{_W}pict"):
                self._drawing(child, lines, index, boxes)
            elif tag == f"{_MC}AlternateContent":
                self._inline(_choice(child), lines, index, boxes)
            elif tag == f"{_W}sdt":
                if not _placeholder(child):
                    self._inline(child, lines, index, boxes)
            elif tag in _WRAPPERS:
                self._inline(child, lines, index, boxes)

    def _drawing(self, element: Any, lines: list[Span], index: int, boxes: list[Any]) -> None:
        """Pictures in a drawing (DrawingML or VML) become tokens; its text boxes are read after the
        paragraph."""
        for child in element.iterchildren():
            tag = child.tag
            if tag == f"{_W}txbxContent":
                boxes.append(child)
                continue
            if tag == f"{_MC}Fallback":
                continue
            attribute = _PICTURE_RID.get(tag)
            if attribute is not None and (rid := child.get(attribute)) is not None:
                start = self.out.write(IMAGE_TOKEN)
                self.pictures.append(_Picture(start, rid, self._owner, lines, index, self._cell, self._table))
            self._drawing(child, lines, index, boxes)

    def _table_rows(self, tbl: Any, lines: list[Span], *, sep: str) -> None:
        """Each row on one line (cells joined with " | ", a vertically merged cell once); the rows are
        lines of the enclosing story or cell."""
        outer = self._cell, self._table
        cells: list[_Cell] = []
        merging: dict[int, _Cell] = {}  # grid column -> the cell a vertical merge started there
        self._table = cells
        self.out.one_line += 1
        try:
            for row, tr in enumerate(_children(tbl, f"{_W}tr")):
                column = _int(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
                kept = self.out.checkpoint()
                first: Span | None = None
                last: Span | None = None
                emitted = 0
                for tc in _children(tr, f"{_W}tc"):
                    width = max(1, _int(tc.find(f"{_W}tcPr/{_W}gridSpan"), 1))
                    merge = tc.find(f"{_W}tcPr/{_W}vMerge")
                    if merge is not None and merge.get(f"{_W}val", "continue") == "continue" and column in merging:
                        merging[column].last_row = row
                        column += width
                        continue
                    if emitted:
                        self.out.write(" | ")
                    emitted += 1
                    cell = _Cell(row, column, column + width, row)
                    cells.append(cell)
                    if merge is not None:
                        merging[column] = cell
                    else:
                        merging.pop(column, None)
                    self._cell_text(tc, cell)
                    if cell.span is not None:
                        first = first or cell.span
                        last = cell.span
                        kept = self.out.checkpoint()
                    column += width
                self.out.rollback(kept)  # trailing empty cells (or the whole row) leave nothing
                if first is not None and last is not None:
                    lines.append((first[0], last[1]))
                    self.out.pending = sep
        finally:
            self.out.one_line -= 1
            self._cell, self._table = outer

    def _cell_text(self, tc: Any, cell: _Cell) -> None:
        self._cell = cell
        pending = self.out.pending
        span = self.out.begin()
        self._blocks(tc, cell.lines, sep=" ")
        cell.span = self.out.end(span)
        self.out.pending = pending if cell.span is None else ""


def _children(parent: Any, tag: str) -> Iterator[Any]:
    """Children with `tag`, also those wrapped in content controls or custom XML."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == f"{_W}sdt" or child.tag in _WRAPPERS:
            yield from _children(child, tag)


def _choice(alternate: Any) -> Any:
    """The first choice of markup-compatibility content (Word writes the same thing as the fallback)."""
    choice = alternate.find(f"{_MC}Choice")
    return choice if choice is not None else alternate


def _placeholder(sdt: Any) -> bool:
    """A content control still showing its placeholder ("Click or tap here to enter text.")."""
    return sdt.find(f"{_W}sdtPr/{_W}showingPlcHdr") is not None


def _int(element: Any, default: int) -> int:
    try:
        return int(element.get(f"{_W}val")) if element is not None else default
    except (TypeError, ValueError):
        return default


def _marks(pictures: list[_Picture], text: str, *, max_pixels: int, warnings: list[str]) -> list[InkMark]:
    measured: dict[tuple[int, str], tuple[float, bool] | None] = {}
    marks = []
    unreadable = 0
    for picture in pictures:
        key = (id(picture.owner), picture.rid)
        if key not in measured:
            measured[key] = _measure(_blob(picture), max_pixels=max_pixels)
        result = measured[key]
        unreadable += result is None
        ink, inked = result or (0.0, False)
        marks.append(
            InkMark(offset=picture.start, anchor="mark", label="image", region=(0.0, 0.0, 0.0, 0.0),
                    ink=round(ink, 4), inked=inked, lines=_lines(picture, text))
        )
    if unreadable:
        warnings.append(f"{unreadable} picture(s) could not be measured (missing, not decodable or too large)")
    return marks


def _blob(picture: _Picture) -> bytes | None:
    part = picture.owner.related_parts.get(picture.rid) if picture.owner is not None else None
    blob = getattr(part, "blob", None)
    return blob if isinstance(blob, bytes) else None


def _measure(blob: bytes | None, *, max_pixels: int) -> tuple[float, bool] | None:
    """(dark share, looks handwritten) of a picture, or None when it cannot be decoded within max_pixels."""
    if not blob:
        return None
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(blob)) as image:
                if image.width * image.height > max_pixels:
                    return None
                image.load()
                strokes = _strokes(image)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 (one undecodable picture must not cost the document's text)
        return None
    return strokes.share, _handwritten(strokes)


def _lines(picture: _Picture, text: str) -> list[MarkLine]:
    """The text around a picture, nearest first on each side. Its own paragraph's text is beside it.
    Outside tables: the paragraphs (and table rows) above and below. In a table: its cell's other
    paragraphs (distance 0), the cells of its column above and below (distance in rows) and the other
    cells of its row."""
    lines, index, cell, table = picture.lines, picture.index, picture.cell, picture.table
    own = lines[index]
    beside: list[tuple[float, Span | None]] = [(0, (own[0], picture.start)),
                                               (0, (picture.start + len(IMAGE_TOKEN), own[1]))]
    if cell is None or table is None:
        above = list(enumerate(_nearest(text, lines[:index][::-1], PARAGRAPHS_ABOVE), 1))
        below = list(enumerate(_nearest(text, lines[index + 1 :], PARAGRAPHS_BELOW), 1))
    else:
        above = [(0, span) for span in lines[:index][::-1]]
        below = [(0, span) for span in lines[index + 1 :]]
        column_above, column_below, row = [], [], []
        for c in table:
            if c is cell:
                continue
            if c.first < cell.stop and cell.first < c.stop:  # its column
                if 0 < cell.row - c.last_row <= TABLE_REACH:
                    column_above.append((cell.row - c.last_row, c.span))
                elif 0 < c.row - cell.last_row <= TABLE_REACH:
                    column_below.append((c.row - cell.last_row, c.span))
            elif c.row <= cell.last_row and cell.row <= c.last_row:  # its row
                row.append((abs(c.first - cell.first), c.span))
        above += sorted(column_above, key=lambda item: item[0])
        below += sorted(column_below, key=lambda item: item[0])
        beside += [(0, span) for _, span in sorted(row, key=lambda item: item[0])]
    found = []
    for where, items in (("above", above), ("below", below), ("beside", beside)):
        for distance, span in items:
            if span is not None and (trimmed := _trim(text, span)) is not None:
                found.append(MarkLine(start=trimmed[0], end=trimmed[1], where=where, distance=distance))
    return found


def _nearest(text: str, spans: list[Span], limit: int) -> list[Span]:
    """The first `limit` spans that hold text."""
    out: list[Span] = []
    for span in spans:
        if len(out) == limit:
            break
        if _trim(text, span) is not None:
            out.append(span)
    return out


def _trim(text: str, span: Span) -> Span | None:
    """The span without surrounding white space (and " | " separators); None when nothing is left."""
    start, end = span
    while start < end and (text[start].isspace() or text[start] == "|"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == "|"):
        end -= 1
    return (start, end) if end > start else None
