"""What a PDF page's annotations show, read with pypdf (its text extraction follows form XObjects).

A visible digital-signature box ("Digitally signed by …, Date: …"), a stamp or a FreeText note is
drawn by the annotation's normal appearance stream; a filled form shows its field values. Here each
becomes one line of text with the annotation's rectangle; service.ingest.pdf_annotations makes the part.
"""

from __future__ import annotations

import io
import logging
import math
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

if TYPE_CHECKING:
    from service.ingest.pdf_annotations import Budget

# pypdf logs each repair of a damaged file, sometimes quoting it; what we lose is our own warning.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_HIDDEN = 1 << 1 | 1 << 5  # annotation flags Hidden and NoView
_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16
_SKIPPED_SUBTYPES = {"/Link", "/Popup"}  # no text of their own
_MAX_PARENTS = 32  # a field tree deeper than this is treated as damaged (cycles)
_MAX_NESTING = 8  # form XObjects inside an appearance
_MAX_OPTIONS = 1_000  # choice-field options searched for a display text

Box = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the page


@dataclass
class Line:
    """The text one annotation or form field shows, on one line, and where it sits on the page."""

    text: str
    box: Box


@dataclass
class PageText:
    """What one page's annotations show, in /Annots order, and what could not be read."""

    lines: list[Line] = field(default_factory=list)
    errors: set[str] = field(default_factory=set)  # exception type names, never messages
    too_large: bool = False  # an appearance was skipped for its size
    more: bool = False  # the page has more annotations than were read


def open_pdf(data: bytes) -> PdfReader:
    """The PDF opened by pypdf; an encrypted one with the empty user password (pdfium opened it so)."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def read_page(reader: PdfReader, index: int, *, limit: int, budget: Budget) -> PageText:
    """The lines shown by the first `limit` annotations of page `index`; failures are recorded, not raised."""
    found = PageText()
    fields: dict[int, Line] = {}  # one line per form field (by object), however many widgets it has
    try:
        page = reader.pages[index]
        annots = _resolve(page.get("/Annots"))
        if not isinstance(annots, ArrayObject) or not annots:
            return found
        found.more = len(annots) > limit
        frame = _Frame.of(page)
        for ref in annots[:limit]:
            try:
                _read_annotation(page, _resolve(ref), frame, found, fields, budget)
            except Exception as exc:  # noqa: BLE001 (one bad annotation must not hide the others)
                found.errors.add(type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 (nor cost the page its text)
        found.errors.add(type(exc).__name__)
    found.lines.extend(fields.values())
    return found


@dataclass(frozen=True)
class _Frame:
    """The visible page box and rotation, to turn PDF rectangles into page fractions (top-left origin)."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotate: int

    @classmethod
    def of(cls, page: Any) -> _Frame:
        x0, y0, x1, y1 = (float(v) for v in page.cropbox)
        return cls(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), int(page.rotation) % 360)

    def box(self, rect: Any) -> Box | None:
        """`rect` as fractions of the page as displayed; None when it has no area or is off the page."""
        xs = float(rect[0]), float(rect[2])
        ys = float(rect[1]), float(rect[3])
        width, height = self.x1 - self.x0, self.y1 - self.y0
        if not all(math.isfinite(v) for v in (*xs, *ys)) or width <= 0 or height <= 0:
            return None
        corners = [self._turn((x - self.x0) / width, (self.y1 - y) / height) for x in xs for y in ys]
        us, vs = [c[0] for c in corners], [c[1] for c in corners]
        left, top, right, bottom = (
            round(min(max(v, 0.0), 1.0), 4) for v in (min(us), min(vs), max(us), max(vs))
        )
        return (left, top, right, bottom) if left < right and top < bottom else None

    def _turn(self, fx: float, fy: float) -> tuple[float, float]:
        if self.rotate == 90:
            return 1 - fy, fx
        if self.rotate == 180:
            return 1 - fx, 1 - fy
        if self.rotate == 270:
            return fy, 1 - fx
        return fx, fy


def _read_annotation(
    page: Any, annot: Any, frame: _Frame, found: PageText, fields: dict[int, Line], budget: Budget
) -> None:
    if not isinstance(annot, DictionaryObject):
        return
    subtype = annot.get("/Subtype")
    if subtype in _SKIPPED_SUBTYPES or _int(annot.get("/F")) & _HIDDEN or "/Rect" not in annot:
        return
    box = frame.box(_resolve(annot["/Rect"]))
    if box is None:
        return  # no area: an invisible signature or a hidden field
    if subtype == "/Widget":
        field_dict = _field_of(annot)
        line = _field_line(field_dict) if field_dict is not None else None
        if line is not None:
            known = fields.get(id(field_dict))
            if known is not None:  # another widget of the same field (radio buttons)
                known.box = union([known.box, box])
            else:
                fields[id(field_dict)] = Line(line, box)
            return
        if field_dict is not None and _inherited(field_dict, "/FT") == "/Btn":
            return  # an unset check box or a push button: its appearance is a glyph or a caption
    text = _appearance_text(page, annot, found, budget)
    if subtype == "/FreeText":
        contents = _clean(_text(annot.get("/Contents")))
        if contents and _key(contents) not in _key(text):
            text = f"{text} {contents}".strip()
    if text:
        found.lines.append(Line(text, box))


def _appearance_text(page: Any, annot: DictionaryObject, found: PageText, budget: Budget) -> str:
    """The text drawn by the annotation's normal appearance (the state /AS selects, if several)."""
    appearance = _resolve(annot.get("/AP"))
    if not isinstance(appearance, DictionaryObject):
        return ""
    normal = _resolve(appearance.get("/N"))
    if isinstance(normal, DictionaryObject) and not isinstance(normal, StreamObject):
        normal = _resolve(normal.get(annot.get("/AS", "")))
    if not isinstance(normal, StreamObject):
        return ""
    size = _content_bytes(normal, limit=min(budget.per_appearance, budget.left))
    if size is None:
        found.too_large = True
        return ""
    budget.left -= size
    return _clean(page.extract_xform_text(normal))


def _content_bytes(form: StreamObject, *, limit: int) -> int | None:
    """Content bytes of a form XObject and the forms it draws; None past `limit` or too deeply nested."""
    seen: set[int] = set()
    todo: list[tuple[StreamObject, int]] = [(form, 0)]
    total = 0
    while todo:
        stream, depth = todo.pop()
        if id(stream) in seen:
            continue
        if depth > _MAX_NESTING:
            return None
        seen.add(id(stream))
        total += len(stream.get_data())
        if total > limit:
            return None
        resources = _resolve(stream.get("/Resources"))
        xobjects = _resolve(resources.get("/XObject")) if isinstance(resources, DictionaryObject) else None
        if isinstance(xobjects, DictionaryObject):
            for value in xobjects.values():
                inner = _resolve(value)
                if isinstance(inner, StreamObject) and inner.get("/Subtype") == "/Form":
                    todo.append((inner, depth + 1))
    return total


def _field_of(widget: DictionaryObject) -> DictionaryObject | None:
    """The form field a widget belongs to (the widget itself when field and widget are merged)."""
    if "/T" in widget or "/FT" in widget:
        return widget
    parent = _resolve(widget.get("/Parent"))
    return parent if isinstance(parent, DictionaryObject) else None


def _field_line(field_dict: DictionaryObject) -> str | None:
    """'Label: value' for a field with a value; None for signatures, push buttons and empty fields."""
    kind = _inherited(field_dict, "/FT")
    value = _resolve(_inherited(field_dict, "/V"))
    if value is None or kind not in ("/Tx", "/Btn", "/Ch"):
        return None
    flags = _int(_inherited(field_dict, "/Ff"))
    if kind == "/Btn":
        if flags & _PUSHBUTTON:
            return None
        state = _text(value)
        if flags & _RADIO:
            shown = _option(field_dict, state) if state != "Off" else "none selected"
        else:
            shown = "unchecked" if state in ("Off", "") else "checked"
    elif kind == "/Ch":
        chosen = value if isinstance(value, ArrayObject) else [value]
        shown = ", ".join(_option(field_dict, _text(v)) for v in chosen if _text(v))
    else:
        shown = _text(value)
    shown = _clean(shown)
    if not shown:
        return None
    label = _clean(_text(field_dict.get("/TU")) or _text(field_dict.get("/T"))) or "Field"
    return f"{label}: {shown}"


def _option(field_dict: DictionaryObject, value: str) -> str:
    """The display text of an export value, from /Opt ([export, display] pairs, or a radio's list)."""
    options = _resolve(_inherited(field_dict, "/Opt"))
    if not isinstance(options, ArrayObject):
        return value
    for index, option in enumerate(options[:_MAX_OPTIONS]):
        option = _resolve(option)
        if isinstance(option, ArrayObject) and len(option) >= 2 and _text(option[0]) == value:
            return _text(option[1])
        if not isinstance(option, ArrayObject) and value == str(index):  # radio states named by index
            return _text(option)
    return value


def _inherited(field_dict: DictionaryObject, key: str) -> Any:
    node: Any = field_dict
    for _ in range(_MAX_PARENTS):
        if not isinstance(node, DictionaryObject):
            return None
        if key in node:
            return node[key]
        node = _resolve(node.get("/Parent"))
    return None


def union(boxes: list[Box]) -> Box:
    """The smallest box holding all `boxes`."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _int(value: Any) -> int:
    value = _resolve(value)
    return int(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0


def _text(value: Any) -> str:
    value = _resolve(value)
    if isinstance(value, NameObject):
        return value[1:]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _clean(text: str) -> str:
    """One line: control and private-use characters dropped, whitespace collapsed; '' without letters."""
    kept = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or (c != "\ufffd" and unicodedata.category(c) not in ("Cc", "Co", "Cs"))
    )
    line = " ".join(kept.split())
    return line if any(c.isalnum() for c in line) else ""


def _key(text: str) -> str:
    return "".join(text.split())
