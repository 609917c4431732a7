"""Reading a handwritten date: a mark that sits beside a date label ("Date:", "Datum:", "Fecha:") is read by OCR.

A reviewer reads the date a customer wrote by hand next to "Date:"; OCR of the whole page reads printed text
and leaves the handwriting as ink. Only marks beside a date label are read (one small OCR call each), scaled
so their strokes are as tall as the text tesseract reads best, as one line of text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from PIL import Image

from models.document import MarkLine
from service.errors import OcrFailed, OcrTimeout, OcrUnavailable
from service.ingest.ocr import read_image

#: A line that is a date label with no printed value after it.
DATE_LABEL = re.compile(
    r"^\W*(?:date(?:\s+signed|\s+of\s+signature)?|dated|datum|fecha|data|dato|datato|päiväys|dátum|date\s+de\s+"
    r"signature|fecha\s+de\s+firma|data\s+(?:de\s+)?assinatura|data\s+firma|ort,?\s+datum|place\s+and\s+date|"
    r"lieu\s+et\s+date|miejsce\s+i\s+data|plaats\s+en\s+datum)\s*[:.]?[\s_.…-]*$", re.IGNORECASE)
_ABOVE_REACH = 3.0  # text heights from a label above the handwriting (a label beside it: the nearest on its row)
_TARGET_HEIGHT = 48  # pixels: the stroke height tesseract reads handwriting best at (tried 32-64 on the corpora)
_TIMEOUT = 10.0
_ONE_LINE = 7  # tesseract's page-segmentation mode for a single text line


def date_label(text: str, lines: Sequence[MarkLine]) -> MarkLine | None:
    """The mark's nearest label on its row, or one just above it, when it is a date label."""
    # a line overlapping the mark (distance 0) is the handwriting itself read as text by the page's OCR
    beside = min((ln for ln in lines if ln.where == "beside" and ln.distance > 0.2), key=lambda ln: ln.distance,
                 default=None)
    above = [ln for ln in lines if ln.where == "above" and ln.distance <= _ABOVE_REACH]
    return next((ln for ln in ([beside] if beside else []) + above if DATE_LABEL.match(text[ln.start:ln.end])), None)


def line_area(box: tuple[float, float, float, float], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The part of an image of `size` that read_line reads for `box`: the box with a margin."""
    x0, y0, x1, y1 = box
    pad = max(2.0, (y1 - y0) * 0.25)
    return max(0, int(x0 - pad)), max(0, int(y0 - pad)), min(size[0], int(x1 + pad)), min(size[1], int(y1 + pad))


def read_line(image: Image.Image, box: tuple[float, float, float, float]) -> str | None:
    """What OCR reads in one handwritten line (`box` in `image` pixels); None when nothing legible."""
    crop = image.crop(line_area(box, image.size))
    factor = _TARGET_HEIGHT / max(1.0, box[3] - box[1])
    if factor > 1:
        crop = crop.resize((max(1, int(crop.width * factor)), max(1, int(crop.height * factor))), Image.LANCZOS)
    try:
        text, _conf, _words = read_image(crop.convert("L"), psm=_ONE_LINE, dpi=None, timeout=_TIMEOUT)
    except (OcrFailed, OcrTimeout, OcrUnavailable):
        return None
    text = " ".join(text.split())
    return text if re.search(r"\d", text) else None
