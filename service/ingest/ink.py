"""Handwritten marks in a page's signature areas: ink near each signature label that is neither
recognised text nor a ruled line.

A signature block's text says who should sign; only the page image says whether someone did. For
every signature label (checks/rules/ink.yaml) the area on and above its line, to the right of the
label, is measured; recognised words and long straight runs (ruled lines, table borders) are
blanked first, so a typed `/s/ Name` or a name set in a script font leaves the area empty.
"""

from __future__ import annotations

import ctypes
import logging
import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from checks.rulebook import RULES_DIR, RuleFileError, load_yaml
from models.document import InkMark
from service.ingest.ink_render import AreaRendering
from service.ingest.ocr import MIN_CONF, OcrWord

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

_REGION_KEYS = ("above", "below", "width", "ruled_line", "word_pad", "tall_word", "block_depth", "lost_depth",
                "strip", "tall_band")
_LEAD = " |•*·>-_"  # table borders, bullets and rules before a line's first word
_RENDER_MAX_PIXELS = 4_000_000  # a poster-sized page is rendered coarser, never larger than this
_RUN = re.compile(r"\S+")  # a word of the text layer (NULs included: pdf.py drops them)


@dataclass(frozen=True)
class _Rules:
    labels: re.Pattern
    headings: tuple[tuple[str, re.Pattern], ...]  # (customer | partner | generic, pattern)
    region: dict[str, float]
    dark: int
    min_ink: float
    min_spread: float
    render_dpi: int


@lru_cache(maxsize=1)
def rules() -> _Rules:
    """ink.yaml, with the block headings of acknowledgement.yaml, validated once."""
    data, ack = load_yaml("ink.yaml"), load_yaml("acknowledgement.yaml")
    path = RULES_DIR / "ink.yaml"
    try:
        labels = re.compile("|".join(f"(?:{item['pattern']})" for item in data["signature_labels"]), re.IGNORECASE)
        party = f"(?:{data['heading_party']})"
        headings = tuple(
            (key.split("_")[0], re.compile(item["pattern"].replace("{customer}", party).replace("{partner}", party),
                                           re.IGNORECASE))
            for key in ("customer_headings", "partner_headings", "generic_headings") for item in ack[key])
        region = {k: float(data["region"][k]) for k in _REGION_KEYS}
        return _Rules(labels, headings, region, int(data["dark"]), float(data["inked"]["min_ink"]),
                      float(data["inked"]["min_spread"]), int(data["render_dpi"]))
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuleFileError(f"{path}: {type(exc).__name__}: {exc}") from exc


def has_signature_label(text: str) -> bool:
    """A line of `text` starts with a signature label (cheap: decides whether a page is rendered)."""
    rx = rules().labels
    return any(rx.match(line.lstrip(_LEAD)) for line in text.split("\n"))


def has_signature_anchor(text: str) -> bool:
    """A signature label or a signature-block heading starts a line of `text`."""
    return has_signature_label(text) or any(_heading_at(line) for line in text.split("\n"))


def guarded(measure: Callable[[], list[InkMark]], *, page: int, warnings: list[str]) -> list[InkMark] | None:
    """Run `measure`; a failure becomes a page warning and no ink evidence (never the loss of the page's
    text). A bad rules file still stops ingestion."""
    try:
        return measure()
    except RuleFileError:
        raise
    except Exception as exc:  # noqa: BLE001 (measuring ink must never cost the page its text)
        log.warning("signature areas of a page not measured: %s", type(exc).__name__)
        warnings.append(f"page {page}: signature areas could not be measured ({type(exc).__name__})")
        return None


def text_layer_marks(page: pdfium.PdfPage, text: str, *, labels: bool, anywhere: Sequence[Box] = (),
                     plain: Sequence[bool] = (), textpage: pdfium.PdfTextPage | None = None,
                     words: PageWords | None = None) -> list[InkMark]:
    """Marks of a text-layer PDF page (`text` as pdf.py cleaned it): words from the character
    boxes, ink from a low-resolution rendering (a signature image or drawing is not text).
    `labels`: measure the areas next to signature labels; `anywhere`: the boxes (PDF points, page origin
    bottom left) of the page's image and path objects, where service.ingest.marks looks for handwriting;
    `plain`: which of them are rules or rectangles (service.ingest.pdf_drawn). The page is rendered only when
    a label is measured or some of those boxes could hold a mark.
    `words`: the page's words when the caller has them, else read from `textpage` (else one is opened)."""
    if page.get_rotation():
        return []  # character boxes are in unrotated page space; the text rules decide such a page
    if not labels and len(plain) == len(anywhere) and all(plain):
        return []  # rules and rectangles only: nothing to measure (see service.ingest.marks._areas)
    left, _, _, top = page.get_bbox()  # the visible box, inherited boxes included
    scale = render_scale(page)
    if words is not None:
        found = words.at(scale=scale, origin=(left, top))
    else:
        own = textpage is None
        if own:
            textpage = page.get_textpage()
        try:
            found = pdf_words(textpage, scale=scale, origin=(left, top))
        finally:
            if own:
                textpage.close()
    return _text_layer_marks(page, text, found, scale=scale, origin=(left, top), labels=labels,
                             anywhere=anywhere, plain=plain)


def render_scale(page: pdfium.PdfPage) -> float:
    """The scale a text page is rendered at for the ink measures: render_dpi, coarser for a poster-sized page."""
    left, bottom, right, top = page.get_bbox()
    return min(rules().render_dpi / 72, (_RENDER_MAX_PIXELS / max((right - left) * (top - bottom), 1.0)) ** 0.5)


def _text_layer_marks(page: pdfium.PdfPage, text: str, words: list[OcrWord], *, scale: float,
                      origin: tuple[float, float], labels: bool, anywhere: Sequence[Box],
                      plain: Sequence[bool]) -> list[InkMark]:
    if not words or words[-1].end > len(text):
        return []
    # scipy (about 0.7 s) only for a page that may hold a signature
    from service.ingest.marks import areas_read, find_marks

    left, top = origin
    regions = [((x0 - left) * scale, (top - y1) * scale, (x1 - left) * scale, (top - y0) * scale)
               for x0, y0, x1, y1 in anywhere]
    size = (math.ceil(page.get_width() * scale), math.ceil(page.get_height() * scale))  # as page.render sizes it
    look = areas_read(words, regions, size, plain=plain) if regions else []
    if not labels and not look:
        return []
    found = signature_areas(text, words, size, scanned=False) if labels else None
    rendering = AreaRendering(page, size=size)  # drawn only where the measures read it
    try:
        rendering.draw([*(a.region for a in found.areas), *look] if found else look)
        marks = measure_areas(rendering.image, found) if found else []
        if look:
            marks += find_marks(text, words, rendering.image, scanned=False, regions=regions, plain=plain,
                                reveal=lambda box: rendering.draw([box]))
    finally:
        rendering.close()
    return marks


class PageWords:
    """A text page's whitespace-separated words, their boxes read once in PDF points (a call per character) and
    placed on any rendering of the page: the ink measure's and the reviewer's page image."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self._textpage = textpage
        self._points: list[tuple[int, int, float, float, float, float]] | None = None

    def at(self, *, scale: float, origin: tuple[float, float]) -> list[OcrWord]:
        """The words with boxes in pixels of a rendering at `scale` whose top left is `origin` (PDF points);
        offsets are those of the text once CR LF became LF and NULs were dropped (as pdf.py keeps it)."""
        if self._points is None:
            self._points = _word_points(self._textpage)
        x0, y0 = origin
        return [OcrWord(start, end, ((left - x0) * scale, (y0 - top) * scale, (right - x0) * scale,
                                     (y0 - bottom) * scale), 100.0)
                for start, end, left, bottom, right, top in self._points]


def pdf_words(textpage: pdfium.PdfTextPage, *, scale: float, origin: tuple[float, float]) -> list[OcrWord]:
    """Whitespace-separated words with boxes in pixels of a rendering at `scale` whose top left is `origin`
    (PDF points); see PageWords.at."""
    return PageWords(textpage).at(scale=scale, origin=origin)


def _word_points(textpage: pdfium.PdfTextPage) -> list[tuple[int, int, float, float, float, float]]:
    """(start, end, left, bottom, right, top) of each word: the union of its characters' boxes in PDF points
    (a word without a box of any size keeps none: it is not listed). Empty when the page has characters
    outside the BMP (offsets would not line up). The words are the runs of non-space characters, found by a
    regex (re's \\s is str.isspace); a NUL belongs to its run but has no offset, nor has the CR of a CR LF."""
    raw = textpage.get_text_range()
    if len(raw) != textpage.count_chars():
        return []
    charbox, handle = _char_box(), ctypes.cast(textpage.raw, ctypes.c_void_p)
    cl, cr, cb, ct = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    rl, rr, rb, rt = ctypes.byref(cl), ctypes.byref(cr), ctypes.byref(cb), ctypes.byref(ct)
    nul = "\x00" in raw
    words: list[tuple[int, int, float, float, float, float]] = []
    dropped, last = 0, 0  # characters without an offset before `last` (NULs, CRs of CR LF)
    for run in _RUN.finditer(raw):
        first, stop = run.span()
        dropped += raw.count("\r\n", last, first)  # a run holds no white space: a CR LF lies between runs
        last = stop
        found = False  # the word's box so far, each edge compared as min() and max() would
        x0 = y0 = x1 = y1 = 0.0
        nuls = 0
        for i in range(first, stop):
            if nul and raw[i] == "\x00":
                nuls += 1
                continue
            if not charbox(handle, i, rl, rr, rb, rt):
                raise pdfium.PdfiumError("Failed to get charbox.")
            left, right, bottom, top = cl.value, cr.value, cb.value, ct.value
            if right > left and top > bottom:
                if not found:
                    found, x0, y0, x1, y1 = True, left, bottom, right, top
                    continue
                # plain comparisons (PLR1730): a min() or max() call per edge would cost as much as the box itself
                if left < x0:  # noqa: PLR1730
                    x0 = left
                if bottom < y0:  # noqa: PLR1730
                    y0 = bottom
                if right > x1:  # noqa: PLR1730
                    x1 = right
                if top > y1:  # noqa: PLR1730
                    y1 = top
        if found:
            start = first - dropped
            words.append((start, start + stop - first - nuls, x0, y0, x1, y1))
        dropped += nuls
    return words


@lru_cache(maxsize=1)
def _char_box() -> Callable[..., int]:
    """pdfium's FPDFText_GetCharBox without pypdfium2's argument types: ctypes converts a typed pointer argument
    per call, which cost two thirds of a page's word boxes. Called with a c_void_p handle, an int and byrefs of
    c_double (the C signature: FPDF_TEXTPAGE, int, double* x4; returns FPDF_BOOL)."""
    address = ctypes.cast(pdfium_c.FPDFText_GetCharBox, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(ctypes.c_int)(address)


@dataclass(frozen=True)
class _Anchor:
    start: int
    end: int
    box: Box
    kind: str = "label"  # or the heading's owner: customer | partner | generic


def page_marks(text: str, words: Sequence[OcrWord], image: Image.Image, *, scanned: bool) -> list[InkMark]:
    """One InkMark per signature label found on the page (`words` carry offsets into `text`).

    `scanned`: words are OCR guesses (low-confidence or unusually tall ones may be the signature
    itself), and a heading block whose labels the OCR lost is measured under its heading, counting
    only ink taller than printed text.
    """
    return measure_areas(image, signature_areas(text, words, image.size, scanned=scanned))


@dataclass(frozen=True)
class _Area:
    region: Box  # pixels
    offset: int
    anchor: str  # label | heading
    label: str
    tall_only: bool  # a block whose labels the OCR lost: only ink taller than printed text counts


@dataclass(frozen=True)
class SignatureAreas:
    """The areas page_marks measures on a page image, found from its words alone (before a text page is rendered),
    with the page's text height and the boxes of its recognised words (blanked before measuring)."""

    h: float
    recognised: list[Box]
    areas: list[_Area]


def signature_areas(text: str, words: Sequence[OcrWord], size: tuple[int, int], *, scanned: bool) -> SignatureAreas:
    """The signature areas of a page image of `size` (see page_marks)."""
    if not words:
        return SignatureAreas(0.0, [], [])
    h = float(statistics.median(w.box[3] - w.box[1] for w in words))
    lines = _lines(text, words, h)
    headings = [a for line in lines for a in _anchors(text, line, h, _heading_at)]
    blocks = _blocks(headings, h, size)
    labels = [(a, _owner(a, headings, blocks)) for line in lines for a in _anchors(text, line, h, _label_at)]
    if scanned and headings:  # OCR lines run across columns: a label outside every block is ambiguous
        labels = [(a, o) for a, o in labels if o is not None]
    recognised = [w.box for w in words if _recognised(w, h, scanned)]
    areas = [(label.box, owner, label) for label, owner in labels]
    if scanned:  # a block whose labels the OCR lost: the area under its heading, where only tall ink counts
        areas += [(area, i, None) for i, area in _lost(headings, blocks, labels, h)]
    out = []
    for box, owner, label in areas:
        block = blocks[owner] if owner is not None else None
        region = _region(box, block, h, size) if label else box
        if region[2] - region[0] < 2 * h or region[3] - region[1] < h:
            continue
        offset = headings[owner].start if owner is not None else label.start
        quote = text[label.start:label.end] if label else text[headings[owner].start:headings[owner].end]
        out.append(_Area(region, offset, "label" if owner is None else "heading", quote, label is None))
    return SignatureAreas(h, recognised, out)


def measure_areas(image: Image.Image, found: SignatureAreas) -> list[InkMark]:
    """An InkMark per area of `found`, measured on `image`."""
    if not found.areas:
        return []
    from service.ingest.ink_pixels import measure  # numpy pixel work only for a page with a signature area

    grey = image if image.mode == "L" else image.convert("L")
    marks = []
    for area in found.areas:
        ink, inked = measure(grey, area.region, found.recognised, found.h, rules=rules(), tall_only=area.tall_only)
        marks.append(InkMark(offset=area.offset, anchor=area.anchor, label=area.label, ink=round(ink, 5),
                             inked=inked, region=tuple(round(v / s, 4) for v, s in zip(area.region, grey.size * 2))))
    return marks


# ---------------------------------------------------------------- text anchors on the page


def _lines(text: str, words: Sequence[OcrWord], h: float) -> list[list[OcrWord]]:
    """Words grouped by text line; a line is split where a wide gap starts another column."""
    out: list[list[OcrWord]] = []
    for w in sorted(words, key=lambda w: w.start):
        prev = out[-1][-1] if out else None
        same_line = prev is not None and "\n" not in text[prev.end:w.start]
        if same_line and w.box[0] - prev.box[2] < 1.5 * h and abs(w.box[1] - prev.box[1]) < h:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _heading_at(line: str) -> tuple[str, re.Match] | None:
    if not line[:1].isupper() or line.rstrip().endswith(".") or len(line) > 90:
        return None
    for kind, rx in rules().headings:
        m = rx.match(line)
        if m and len(line) - m.end() <= 30:
            return kind, m
    return None


def _label_at(line: str) -> tuple[str, re.Match] | None:
    m = rules().labels.match(line)
    return ("label", m) if m else None


def _anchors(text: str, line: list[OcrWord], h: float,
             find: Callable[[str], tuple[str, re.Match] | None]) -> list[_Anchor]:
    """Matches of `find` that start a (column) line, with the box of the words they cover."""
    raw = text[line[0].start:line[-1].end]
    found = find(raw.lstrip(_LEAD))
    if not found:
        return []
    kind, m = found
    start = line[0].start + len(raw) - len(raw.lstrip(_LEAD))
    stop = start + m.end()
    covered = [w for w in line if w.start < max(stop, start + 1)]
    box = (min(w.box[0] for w in covered), min(w.box[1] for w in covered),
           max(w.box[2] for w in covered), max(w.box[3] for w in covered))
    return [_Anchor(start, stop, box, kind)]


def _blocks(headings: list[_Anchor], h: float, size: tuple[int, int]) -> list[Box]:
    """The area under each heading: to the next heading on its row (right) or below it (down)."""
    width, height = size
    depth = rules().region["block_depth"]
    out = []
    for a in headings:
        x0, top, _, y1 = a.box
        right, bottom = float(width), min(float(height), y1 + depth * h)
        for b in headings:
            if b is a:
                continue
            if abs(b.box[1] - top) < h and b.box[0] > x0:
                right = min(right, b.box[0] - 0.5 * h)
        for b in headings:
            if b is not a and b.box[1] > y1 and b.box[0] < right and b.box[2] > x0 - h:
                bottom = min(bottom, b.box[1])
        out.append((max(0.0, x0 - h), y1, right, bottom))
    return out


def _owner(a: _Anchor, headings: list[_Anchor], blocks: list[Box]) -> int | None:
    """The heading whose block holds the label, and under whose own words the label starts."""
    cx, cy = (a.box[0] + a.box[2]) / 2, (a.box[1] + a.box[3]) / 2
    inside = [i for i, b in enumerate(blocks)
              if b[0] <= cx <= b[2] and b[1] <= cy <= b[3] and a.box[0] < headings[i].box[2]]
    return max(inside, key=lambda i: blocks[i][1]) if inside else None


def _lost(headings: list[_Anchor], blocks: list[Box], labels: list[tuple[_Anchor, int | None]],
          h: float) -> list[tuple[int, Box]]:
    """Blocks that may be the customer's and hold no label the OCR read, with the area under their heading
    where a signature would be (not as deep as the block: a lost heading below must not lend its ink)."""
    depth = rules().region["lost_depth"] * h
    return [(i, (b[0], b[1], b[2], min(b[3], b[1] + depth))) for i, (a, b) in enumerate(zip(headings, blocks))
            if a.kind != "partner" and all(o != i for _, o in labels)]


# ---------------------------------------------------------------- measuring ink


def _recognised(w: OcrWord, h: float, scanned: bool) -> bool:
    if not scanned:
        return True
    return w.conf >= MIN_CONF and w.box[3] - w.box[1] <= rules().region["tall_word"] * h


def _region(label: Box, block: Box | None, h: float, size: tuple[int, int]) -> Box:
    """The signature area of a label: from its left edge (a signature may sit above it) rightwards,
    from a few text heights above it to just below its line, kept inside its heading's block."""
    g = rules().region
    x0, y0, x1, y1 = label
    left, right = x0, min(float(size[0]), x1 + g["width"] * h)
    top, bottom = max(0.0, y0 - g["above"] * h), min(float(size[1]), y1 + g["below"] * h)
    if block is not None:
        right, top = min(right, block[2]), max(top, block[1])
    return (left, top, right, bottom)
