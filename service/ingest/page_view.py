"""Page images made while a document is read: what a reviewer sees, and where each word sits on it.

A text PDF page is rendered by pdfium, a scan is kept as OCR read it (upright), an e-mail or .docx body is
drawn as a plain page. Word boxes are fractions of the image and carry the word's offsets in the part text,
so evidence (offsets into that text) is boxed exactly. All of it runs in the isolated reader: the server
only stores and serves the PNGs (service.store.page_images).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import lru_cache

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

from models.document import EmailMeta, PageImage, Part
from service.ingest.ink import PageWords
from service.ingest.ocr import OcrWord

WIDTH = 1200  # stored image width (px)
MAX_PIXELS = 4_000_000  # a very tall page is drawn narrower
JPEG_QUALITY = 75  # scans: paper grain makes a PNG four times larger and twenty times slower to write
PNG_LEVEL = 1  # rendered pages: half the time of zlib's default level for a fifth more bytes
# Rendered pages are stored as a PNG with a grey palette: the same pixels as a greyscale PNG, as small, in half
# the time (PNG's per-row filters, which Pillow tries five of on every row of a greyscale image, are not used).
_GREYS = bytes(v for v in range(256) for _ in range(3))
# Drawn pages (e-mails, .docx): a letter-shaped sheet, a readable font, a bounded number of sheets.
SHEET_HEIGHT = 1553
MARGIN = 70
FONT_SIZE = 22
LINE_HEIGHT = 32
MAX_SHEETS = 10
MAX_FIELD_LINES = 3  # a header of many recipients: this many lines, the last ending "… and N more"
_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_WORD = re.compile(r"\S+")
FIRST_PAGES, LAST_PAGES = 40, 10  # text PDF pages rendered of a long document


def encode(image: Image.Image, *, photo: bool = False) -> bytes:
    """`image` in greyscale as a PNG (sharp text of rendered pages), or a JPEG when it is a `photo` (a scan)."""
    out = io.BytesIO()
    grey = image if image.mode == "L" else image.convert("L")
    if photo:
        grey.save(out, format="JPEG", quality=JPEG_QUALITY)
    else:
        paletted = Image.frombytes("P", grey.size, grey.tobytes())
        paletted.putpalette(_GREYS)
        paletted.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue()


def scan_image(image: Image.Image, words: Sequence[OcrWord], text: str, *, offsets: bool = True) -> PageImage:
    """A scanned page as OCR read it (`image` upright, `words` boxes in its pixels with offsets into `text`).
    `offsets`: False when the part's text is not `text` (the page kept its text layer): words keep only their text."""
    width, height = image.size
    boxes = tuple((w.start if offsets else -1, w.end if offsets else -1, *_fractions(w.box, width, height),
                   text[w.start:w.end]) for w in words)
    return _page_image(image, boxes, photo=True)


def pdf_page_image(page: pdfium.PdfPage, text: str, *, words: PageWords | None = None) -> PageImage | None:
    """A text-layer PDF page rendered, with the words of `text` (as pdf.py cleaned it) from the character boxes
    (`words`, when the caller has read them). A rotated page keeps no word boxes (its character boxes are in
    unrotated page space)."""
    left, bottom, right, top = page.get_bbox()
    width_pt, height_pt = max(right - left, 1.0), max(top - bottom, 1.0)
    scale = min(WIDTH / width_pt, (MAX_PIXELS / (width_pt * height_pt)) ** 0.5)
    try:
        bitmap = page.render(scale=scale, grayscale=True)
    except pdfium.PdfiumError:
        return None
    try:
        image = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    boxes: tuple = ()
    if not page.get_rotation():
        if words is not None:
            found = words.at(scale=scale, origin=(left, top))
        else:
            textpage = page.get_textpage()
            try:
                found = PageWords(textpage).at(scale=scale, origin=(left, top))
            finally:
                textpage.close()
        if found and found[-1].end <= len(text):
            boxes = tuple((w.start, w.end, *_fractions(w.box, image.width, image.height), text[w.start:w.end])
                          for w in found)
    return _page_image(image, boxes)


def drawn_pages(part: Part) -> tuple[PageImage, ...]:
    """An e-mail (headers, then body) or a document body drawn as plain pages, at most MAX_SHEETS."""
    sheets = _Sheets()
    if part.email is not None:
        for label, items in _header_lines(part.email):
            sheets.field(label, items)
        sheets.rule()
    sheets.text(part.text)
    return sheets.done()


def _header_lines(meta: EmailMeta) -> list[tuple[str, list[str]]]:
    """(label, values) of the header lines drawn: several values (recipients) for To and Cc, one for the rest."""
    lines = [("From", [meta.sender or meta.sender_email or ""]), ("To", list(meta.to)), ("Cc", list(meta.cc)),
             ("Sent", [meta.sent.isoformat(sep=" ") if meta.sent else ""]), ("Subject", [meta.subject or ""])]
    return [(label, [v for v in values if v]) for label, values in lines
            if any(values) or label in ("From", "To", "Subject")]


class _Sheets:
    """Lays text out line by line on letter-shaped sheets, recording each word's box. Every step is linear in
    what is drawn, and what is drawn is bounded (MAX_SHEETS, MAX_FIELD_LINES), whatever the length of the text."""

    def __init__(self) -> None:
        self.font = _font()
        self._advance: dict[str, float] = {}
        self.pages: list[tuple[Image.Image, list, list]] = []
        self.y = SHEET_HEIGHT  # forces a first sheet

    def _line(self) -> tuple[ImageDraw.ImageDraw, list, list, int] | None:
        """The drawing surface and the y of the next line (a new sheet when this one is full)."""
        if self.y + LINE_HEIGHT > SHEET_HEIGHT - MARGIN:
            if len(self.pages) >= MAX_SHEETS:
                return None
            self.pages.append((Image.new("L", (WIDTH, SHEET_HEIGHT), 255), [], []))
            self.y = MARGIN
        image, words, fields = self.pages[-1]
        y = self.y
        self.y += LINE_HEIGHT
        return ImageDraw.Draw(image), words, fields, y

    def field(self, label: str, values: Sequence[str]) -> None:
        """A header line ('To: …') that is not part of the text, each drawn line boxed by its label. Many values
        wrap onto at most MAX_FIELD_LINES lines, the last one saying how many more there are."""
        head = f"{label}: "
        indent = self._width(head)
        for index, shown in enumerate(self._field_lines(values, WIDTH - 2 * MARGIN - indent)):
            line = self._line()
            if line is None:
                return
            draw, words, fields, y = line
            if index == 0:
                draw.text((MARGIN, y), head, font=self.font, fill=90)
                for m in _WORD.finditer(head):
                    words.append((-1, -1, (MARGIN, y, MARGIN + self._width(m.group()), y + LINE_HEIGHT - 6), m.group()))
            x = MARGIN + indent
            draw.text((x, y), shown, font=self.font, fill=0)
            right = x + self._width(shown)
            fields.append((label, (MARGIN - 4, y - 2, right + 4, y + LINE_HEIGHT - 4)))
            left, end = x, 0
            for m in _WORD.finditer(shown):
                left += self._width(shown[end:m.start()])
                width = self._width(m.group())
                words.append((-1, -1, (left, y, left + width, y + LINE_HEIGHT - 6), m.group()))
                left, end = left + width, m.end()

    def _field_lines(self, values: Sequence[str], room: float) -> list[str]:
        """`values` joined by '; ' on at most MAX_FIELD_LINES lines of width `room`, a value too wide for a line
        cut with an ellipsis, and '… and N more' ending the last line when not all of them fit."""
        sep = self._width("; ")
        lines: list[list[str]] = [[]]
        width = 0.0
        for count, value in enumerate(values):
            value = self._cut(" ".join(value.split()), room)
            extra = self._width(value) + (sep if lines[-1] else 0.0)
            if lines[-1] and width + extra > room:
                if len(lines) == MAX_FIELD_LINES:
                    return self._more(lines, room, len(values) - count)
                lines.append([])
                width, extra = 0.0, extra - sep
            lines[-1].append(value)
            width += extra
        return ["; ".join(line) for line in lines]

    def _more(self, lines: list[list[str]], room: float, left: int) -> list[str]:
        """`lines` full, with '… and N more' (N counting the values taken off the last line for room) at its end."""
        last = lines[-1]
        while True:
            tail = f"… and {left} more"
            if not last or self._width("; ".join([*last, tail])) <= room:
                break
            last.pop()
            left += 1
        return ["; ".join(line) for line in lines[:-1]] + ["; ".join([*last, tail])]

    def _cut(self, value: str, room: float) -> str:
        """`value`, cut with an ellipsis when it is wider than `room` (measured only up to where it is cut)."""
        ellipsis = self._char("…")
        width, cut = 0.0, 0
        for index, ch in enumerate(value):
            width += self._char(ch)
            if width > room:
                return value[:cut] + "…"
            if width + ellipsis <= room:
                cut = index + 1
        return value

    def rule(self) -> None:
        line = self._line()
        if line is not None:
            draw, _, _, y = line
            draw.line((MARGIN, y + LINE_HEIGHT // 2, WIDTH - MARGIN, y + LINE_HEIGHT // 2), fill=170, width=2)

    def text(self, text: str) -> None:
        """Every line of `text`, wrapped at the sheet width (a word wider than a line is broken); words keep their
        offsets in `text`. Stops at the last sheet."""
        limit = WIDTH - 2 * MARGIN
        pos = 0
        for raw in text.split("\n"):
            row: list[tuple[int, int, float, float]] = []  # (start, end, left, right) in raw and on the line
            x = 0.0
            for start, end, width in self._pieces(raw, limit):
                gap = self._width(raw[row[-1][1]:start]) if row else 0.0
                if row and x + gap + width > limit:
                    if not self._draw(raw, row, pos):
                        return
                    row, x, gap = [], 0.0, 0.0
                row.append((start, end, x + gap, x + gap + width))
                x += gap + width
            if not self._draw(raw, row, pos):
                return
            pos += len(raw) + 1

    def _pieces(self, raw: str, limit: float):
        """(start, end, width) of each word of `raw`, a word wider than `limit` in pieces that fit."""
        for m in _WORD.finditer(raw):
            start, width = m.start(), 0.0
            for index in range(m.start(), m.end()):
                advance = self._char(raw[index])
                if width + advance > limit and index > start:
                    yield start, index, width
                    start, width = index, 0.0
                width += advance
            yield start, m.end(), width

    def _draw(self, raw: str, row: list[tuple[int, int, float, float]], pos: int) -> bool:
        """One line of words (`row`, offsets in `raw`, which starts at `pos` in the text); False when all sheets
        are full."""
        line = self._line()
        if line is None:
            return False
        if row:
            draw, words, _, y = line
            draw.text((MARGIN, y), raw[row[0][0]:row[-1][1]], font=self.font, fill=0)  # one call per line
            for start, end, left, right in row:
                words.append((pos + start, pos + end, (MARGIN + left, y, MARGIN + right, y + LINE_HEIGHT - 6),
                              raw[start:end]))
        return True

    def _char(self, ch: str) -> float:
        advance = self._advance.get(ch)
        if advance is None:
            advance = self._advance[ch] = self.font.getlength(ch)
        return advance

    def _width(self, text: str) -> float:
        """Width of `text` from each character's advance (the font's own measure costs ~50 µs a call)."""
        return sum(self._char(ch) for ch in text)

    def done(self) -> tuple[PageImage, ...]:
        """The sheets, the last one cut below its text (a short e-mail is a short picture)."""
        out = []
        for index, (image, words, fields) in enumerate(self.pages):
            if index == len(self.pages) - 1:
                image = image.crop((0, 0, WIDTH, min(SHEET_HEIGHT, max(self.y + MARGIN, SHEET_HEIGHT // 4))))
            size = image.size
            out.append(PageImage(data=encode(image), width=size[0], height=size[1],
                                 words=tuple((s, e, *_fractions(box, *size), w) for s, e, box, w in words),
                                 fields=tuple((label, *_fractions(box, *size)) for label, box in fields)))
        return tuple(out)


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(_FONT_FILE, FONT_SIZE, layout_engine=ImageFont.Layout.BASIC)
    except OSError:  # no DejaVu: Pillow's own scalable font
        return ImageFont.load_default(size=FONT_SIZE)


def _page_image(image: Image.Image, words: tuple, *, photo: bool = False) -> PageImage:
    if image.width > WIDTH:  # a scan: shrunk by whole steps (box filter) first, then to the width: half the time
        image = image.resize((WIDTH, max(1, round(image.height * WIDTH / image.width))), Image.Resampling.BILINEAR,
                             reducing_gap=1.0)
    return PageImage(data=encode(image, photo=photo), media_type="image/jpeg" if photo else "image/png",
                     width=image.width, height=image.height, words=words)


def _fractions(box: Sequence[float], width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    return (round(max(0.0, x0 / width), 4), round(max(0.0, y0 / height), 4),
            round(min(1.0, x1 / width), 4), round(min(1.0, y1 / height), 4))


def pdf_page_images(page: pdfium.PdfPage, text: str, *, enabled: bool, index: int = 0, count: int = 1,
                    words: PageWords | None = None) -> tuple[PageImage, ...]:
    """The rendered page (see pdf_page_image) when page images are kept (Settings.page_images) and page `index`
    of `count` is one a reviewer looks at: of a long PDF, the first FIRST_PAGES and the last LAST_PAGES
    (the cover and the sign-off), so a 200-page annex costs no more than 50 renderings."""
    shown = enabled and (index < FIRST_PAGES or index >= count - LAST_PAGES)
    image = pdf_page_image(page, text, words=words) if shown else None
    return (image,) if image is not None else ()


DRAWN_KINDS = ("email_body", "document_body", "attachment")


def with_drawn_pages(parts: Sequence[Part]) -> list[Part]:
    """The parts, each e-mail body, document body and text attachment given its drawn pages."""
    return [p.model_copy(update={"images": drawn_pages(p)})
            if p.kind in DRAWN_KINDS and not p.images and (p.text or p.email is not None) else p for p in parts]
