"""Bounds on what pdfium would parse to lay out each PDF page, checked before it parses anything.

pdfium decodes and parses a page's whole content (its content streams and every form XObject it
draws, once per time it is drawn) when the page is loaded, with no limit of its own: a 300 KB file
whose one content stream inflates to 300 MB keeps it busy for minutes. `check_pdf_content` walks the
page tree with pypdf (which parses objects lazily and decodes nothing itself), decodes each content
stream once with decoders that stop at the limit, and counts operators; a page or document beyond
the limits is `content_too_large` (413) before pdfium sees it. Shared streams are decoded once and
counted for every page (and every time) that uses them, as pdfium parses them.

Operators are counted roughly (a word inside a text string counts as one too), which only errs on
the side of the limit. When pypdf cannot read the page tree, every stream that is not an image,
font, embedded file or cross-reference stream is held to the per-page limits instead.
"""
from __future__ import annotations

import logging
import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from service.config import Settings
from service.errors import PdfContentTooLarge

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about damaged files are not ours to log

MB = 1024 * 1024
MAX_FORM_DEPTH = 12
_CHUNK = 64 * 1024
# An operator starts with a letter (or ' or ") after white space or a closing delimiter: map those two
# classes to b"d" and b"a" and count the pairs.
_CLASSES = bytes(ord("a") if chr(b).isascii() and (chr(b).isalpha() or chr(b) in "'\"")
                 else ord("d") if chr(b) in " \t\r\n\f\0)]>}" else ord("x") for b in range(256))
_DO = re.compile(rb"/([^\s\[\]()<>{}/%]+)\s*Do(?![\w*'\"])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_A85_DIGITS = bytes(range(ord("!"), ord("u") + 1)) + b"z"
_A85_VALUE = bytes((b - ord("!")) % 256 for b in range(256))


@dataclass(frozen=True)
class ContentLimits:
    """What one page, and the whole document, may hand pdfium to parse."""

    page_bytes: int
    page_operators: int
    document_bytes: int
    document_operators: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ContentLimits | None:
        """The configured limits; None when POECHECK_PDF_PAGE_CONTENT_MB is 0 (the check is off)."""
        if settings.pdf_page_content_mb == 0:
            return None
        return cls(page_bytes=settings.pdf_page_content_mb * MB, page_operators=settings.pdf_page_operators,
                   document_bytes=settings.pdf_content_mb * MB, document_operators=settings.pdf_operators)


class _TooLarge(Exception):
    """Decoding went past its budget."""


@dataclass
class _Measure:
    """Decoded size, operator count and the names of the XObjects drawn (with how often) of one stream."""

    size: int
    operators: int
    draws: Counter = field(default_factory=Counter)


@dataclass
class _Cost:
    size: int = 0
    operators: int = 0

    def add(self, other: _Cost, times: int = 1) -> None:
        self.size += other.size * times
        self.operators += other.operators * times


def check_pdf_content(data: bytes, *, file: str, settings: Settings) -> PdfReader | None:
    """Raise PdfContentTooLarge when a page's content, or the document's, is beyond the configured limits.
    Returns the pypdf reader whose page tree was checked (for the annotations: the file is parsed once), or
    None when the check is off or pypdf could not read the page tree."""
    limits = ContentLimits.from_settings(settings)
    if limits is None:
        return None
    try:
        from service.ingest.pdf_annotation_text import open_pdf  # pypdf (about 0.2 s): only for a PDF

        reader = open_pdf(data)
        _PageWalker(limits, file=file).check(list(reader.pages))
        return reader
    except (PdfContentTooLarge, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 (pypdf cannot read it; pdfium may: bound every stream instead)
        log.info("PDF page tree not readable for the content check (%s); checking each stream", type(exc).__name__)
        try:
            _check_raw_streams(data, file=file, limits=limits)
        except (PdfContentTooLarge, MemoryError):
            raise
        except Exception as raw_exc:  # noqa: BLE001 (then the reader's CPU and memory limits are what is left)
            log.info("PDF streams not readable for the content check (%s)", type(raw_exc).__name__)
    return None


class _PageWalker:
    """Costs pages in order against the limits; decodes each stream once."""

    def __init__(self, limits: ContentLimits, *, file: str) -> None:
        self.limits = limits
        self.file = file
        self.measures: dict[int, _Measure] = {}
        self.forms: dict[tuple[int, int], _Cost] = {}
        self.document = _Cost()

    def check(self, pages: list) -> None:
        for number, page in enumerate(pages, 1):
            cost = self._content_cost(_streams(page.get("/Contents")), _resolve(page.get("/Resources")),
                                      number=number, stack=())
            self.document.add(cost)
            if self.document.size > self.limits.document_bytes:
                raise self._error(number, f"the pages' content adds up to more than "
                                  f"{self.limits.document_bytes // MB} MB")
            if self.document.operators > self.limits.document_operators:
                raise self._error(number, f"the pages' content adds up to more than "
                                  f"{self.limits.document_operators:,} drawing operators")

    def _content_cost(self, streams: list, resources, *, number: int, stack: tuple[int, ...]) -> _Cost:
        cost = _Cost()
        for stream in streams:
            measure = self._measure(stream, number=number)
            cost.add(_Cost(measure.size, measure.operators))
            self._over_page(cost, number)
            for name, times in measure.draws.items():
                form = _form(resources, name)
                if form is None or len(stack) >= MAX_FORM_DEPTH or _key(form) in stack:
                    continue  # an image, a missing name, or a form pdfium will not enter again
                cost.add(self._form_cost(form, resources, number=number, stack=stack), times)
                self._over_page(cost, number)
        return cost

    def _form_cost(self, form, inherited, *, number: int, stack: tuple[int, ...]) -> _Cost:
        resources = _resolve(form.get("/Resources")) or inherited
        key = (_key(form), id(resources))
        if key not in self.forms:
            self.forms[key] = self._content_cost([form], resources, number=number, stack=(*stack, _key(form)))
        return self.forms[key]

    def _measure(self, stream, *, number: int) -> _Measure:
        key = _key(stream)
        if key not in self.measures:
            try:
                content = decode_bounded(stream, limit=self.limits.page_bytes)
            except _TooLarge:
                raise self._error(number, f"its content decodes to more than {self.limits.page_bytes // MB} MB") from None
            self.measures[key] = measure_content(content)
        return self.measures[key]

    def _over_page(self, cost: _Cost, number: int) -> None:
        if cost.size > self.limits.page_bytes:
            raise self._error(number, f"its content, with the forms it draws, is more than "
                              f"{self.limits.page_bytes // MB} MB")
        if cost.operators > self.limits.page_operators:
            raise self._error(number, f"its content has more than {self.limits.page_operators:,} drawing operators")

    def _error(self, number: int, why: str) -> PdfContentTooLarge:
        return PdfContentTooLarge(f"{self.file}: page {number} cannot be read: {why}. Print the PDF to a new "
                                  "file or scan it, and upload that.")


def measure_content(content: bytes) -> _Measure:
    """Size, a rough operator count and the XObject names drawn by one decoded content stream."""
    draws = Counter(_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), m[1]) for m in _DO.finditer(content))
    operators = (b"d" + content.translate(_CLASSES)).count(b"da")
    return _Measure(len(content), operators, draws)


def _resolve(obj):
    """The object behind a chain of references (None for a chain that does not end)."""
    from pypdf.generic import IndirectObject  # pypdf, as above

    for _ in range(32):
        if not isinstance(obj, IndirectObject):
            return obj
        obj = obj.get_object()
    return None


def _key(obj) -> int:
    ref = getattr(obj, "indirect_reference", None)
    return ref.idnum if ref is not None else id(obj)


def _streams(contents) -> list:
    """The content streams of a page's /Contents (one stream or an array of them)."""
    from pypdf.generic import ArrayObject, StreamObject  # pypdf, as above

    contents = _resolve(contents)
    if isinstance(contents, StreamObject):
        return [contents]
    if isinstance(contents, ArrayObject):
        return [s for s in (_resolve(x) for x in contents) if isinstance(s, StreamObject)]
    return []


def _form(resources, name: bytes):
    """The form XObject drawn as /name, or None (an image, or not there)."""
    from pypdf.generic import DictionaryObject, StreamObject  # pypdf, as above

    xobjects = _resolve(resources.get("/XObject")) if isinstance(resources, DictionaryObject) else None
    if not isinstance(xobjects, DictionaryObject):
        return None
    form = _resolve(xobjects.get("/" + name.decode("latin-1")))
    if isinstance(form, StreamObject) and form.get("/Subtype") == "/Form":
        return form
    return None


# --- decoding within a budget --------------------------------------------------------------------------


def decode_bounded(stream, *, limit: int) -> bytes:
    """The stream's decoded bytes; _TooLarge as soon as any stage would produce more than `limit`."""
    data = stream._data  # the raw, still encoded bytes (pypdf decodes only on get_data())
    filters = _resolve(stream.get("/Filter"))
    names = [str(_resolve(f)) for f in filters] if isinstance(filters, list) else [str(filters)] if filters else []
    if len(data) > limit and not names:
        raise _TooLarge
    for name in names:
        data = decode_filter(name, data, limit=limit)
    return data


def decode_filter(name: str, data: bytes, *, limit: int) -> bytes:
    """One filter stage; filters pdfium cannot use on content leave the data as it is."""
    if name in ("/FlateDecode", "/Fl"):
        return _inflate(data, limit=limit)
    if name in ("/LZWDecode", "/LZW"):
        return _lzw(data, limit=limit)
    if name in ("/RunLengthDecode", "/RL"):
        return _run_length(data, limit=limit)
    if name in ("/ASCIIHexDecode", "/AHx"):
        out = _ascii_hex(data)
    elif name in ("/ASCII85Decode", "/A85"):
        out = _ascii85(data)
    else:
        out = data
    if len(out) > limit:
        raise _TooLarge
    return out


def _inflate(data: bytes, *, limit: int) -> bytes:
    """zlib inflate that stops after `limit` bytes; a damaged tail ends the data, as in pdfium."""
    inflater = zlib.decompressobj()
    out = bytearray()
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        while chunk:
            try:
                piece = inflater.decompress(chunk, limit + 1 - len(out))
            except zlib.error:
                return bytes(out)
            out += piece
            if len(out) > limit:
                raise _TooLarge
            chunk = inflater.unconsumed_tail
            if inflater.eof:
                return bytes(out)
    return bytes(out)


def _lzw(data: bytes, *, limit: int) -> bytes:
    """LZW with 9-12 bit codes and early change (the PDF default), stopping after `limit` bytes."""
    out = bytearray()
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    width, previous = 9, None
    buffer = bits = 0
    for byte in data:
        buffer, bits = (buffer << 8) | byte, bits + 8
        while bits >= width:
            bits -= width
            code = (buffer >> bits) & ((1 << width) - 1)
            buffer &= (1 << bits) - 1
            if code == 256:
                table, width, previous = table[:258], 9, None
                continue
            if code == 257:
                return bytes(out)
            if code < len(table):
                entry = table[code]
                if previous is not None and len(table) < 4096:
                    table.append(previous + entry[:1])
            elif previous is not None and code == len(table):
                entry = previous + previous[:1]
                table.append(entry)
            else:
                return bytes(out)  # a damaged stream: pdfium stops here too
            out += entry
            if len(out) > limit:
                raise _TooLarge
            previous = entry
            if len(table) + 1 >= 1 << width and width < 12:
                width += 1
    return bytes(out)


def _run_length(data: bytes, *, limit: int) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        n = data[i]
        if n == 128:
            break
        if n < 128:
            out += data[i + 1:i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1:i + 2] * (257 - n)
            i += 2
        if len(out) > limit:
            raise _TooLarge
    return bytes(out)


def _ascii_hex(data: bytes) -> bytes:
    digits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


def _ascii85(data: bytes) -> bytes:
    """ASCII85 as base64.a85decode reads it (b"" where that raises), five digits at a time instead of one:
    reportlab's content streams are ASCII85, and a85decode was about half of the check on such a PDF."""
    body = re.sub(rb"\s", b"", data).split(b"~>", 1)[0].removeprefix(b"<~")
    if body.translate(None, _A85_DIGITS):
        return b""  # a character that is not a digit
    pieces = body.split(b"z")  # "z" is four zero bytes, between groups only
    out = []
    for index, piece in enumerate(pieces):
        if index:
            out.append(b"\0\0\0\0")
        short = -len(piece) % 5
        if short and index < len(pieces) - 1:
            return b""  # a "z" inside a group
        v = (piece + b"u" * short).translate(_A85_VALUE)
        groups = [(((a * 85 + b) * 85 + c) * 85 + d) * 85 + e
                  for a, b, c, d, e in zip(v[0::5], v[1::5], v[2::5], v[3::5], v[4::5])]
        if groups and max(groups) > 0xFFFFFFFF:
            return b""  # a group beyond 32 bits
        decoded = struct.pack(f">{len(groups)}I", *groups)
        out.append(decoded[:len(decoded) - short])  # a short last group was padded with "u"
    return b"".join(out)


# --- when pypdf cannot read the page tree ---------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n")
_SKIP = re.compile(rb"/Subtype\s*/(?:Image|Type1C|CIDFontType0C|OpenType|XML)|/Length[123]\b"
                   rb"|/Type\s*/(?:XRef|ObjStm|EmbeddedFile|Metadata)")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")


def _check_raw_streams(data: bytes, *, file: str, limits: ContentLimits) -> None:
    """Hold every stream that may be page content to the per-page limits, and all of them to the document's."""
    total = _Cost()
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048):m.start()]
        dictionary = head[head.rfind(b"obj") + 3:] if b"obj" in head else head
        if _SKIP.search(dictionary):
            continue
        end = data.find(b"endstream", m.end())
        raw = data[m.end():end if end >= 0 else len(data)]
        found = _FILTERS.search(dictionary)
        names = re.findall(rb"/[^\s/\[\]<>()]+", found[1]) if found else []
        try:
            for name in names:
                raw = decode_filter(name.decode("latin-1"), raw, limit=limits.page_bytes)
        except _TooLarge:
            raise PdfContentTooLarge(f"{file}: a content stream decodes to more than {limits.page_bytes // MB} MB. "
                                     "Print the PDF to a new file or scan it, and upload that.") from None
        measure = measure_content(raw)
        if measure.operators > limits.page_operators:
            raise PdfContentTooLarge(f"{file}: a content stream has more than {limits.page_operators:,} drawing "
                                     "operators. Print the PDF to a new file or scan it, and upload that.")
        total.add(_Cost(measure.size, measure.operators))
        if total.size > limits.document_bytes or total.operators > limits.document_operators:
            raise PdfContentTooLarge(f"{file}: the PDF's content is larger than poecheck reads. Print the PDF "
                                     "to a new file or scan it, and upload that.")
