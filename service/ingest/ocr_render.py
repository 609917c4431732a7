"""A PDF page rendered in grey for OCR, drawn straight into a one-byte-per-pixel bitmap when that gives the same
pixels.

A page that draws only grey images (the usual scan: a DeviceGray JPEG, a bilevel CCITT or JBIG2 image) comes out
of pdfium's grey bitmap with exactly the pixels of a colour rendering converted to grey by Pillow, in half the
time and without the colour buffer and its two conversions. Anything else is rendered in colour and converted
by Pillow as before: pdfium's grey formula differs from Pillow's by a level here and there, which could change a
recognised word.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

_GREY_SPACES = frozenset({pdfium_c.FPDF_COLORSPACE_DEVICEGRAY, pdfium_c.FPDF_COLORSPACE_CALGRAY})
MAX_IMAGES = 4  # more objects than this is not a plain scan (and reading each image's colour space costs)


def render_grey(page: pdfium.PdfPage, *, scale: float) -> Image.Image:
    """The page at `scale` as a mode "L" image, on white, annotations drawn (raises pdfium.PdfiumError)."""
    grey = _grey_images_only(page)
    bitmap = page.render(scale=scale, force_bitmap_format=pdfium_c.FPDFBitmap_Gray) if grey \
        else page.render(scale=scale)
    try:
        return bitmap.to_pil() if grey else bitmap.to_pil().convert("L")  # grey: the image holds the bitmap's buffer
    finally:
        bitmap.close()


def _grey_images_only(page: pdfium.PdfPage) -> bool:
    """The page draws nothing but images in a grey colour space (no text, paths, forms or annotations)."""
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    if not 0 < count <= MAX_IMAGES or pdfium_c.FPDFPage_GetAnnotCount(page.raw) != 0:
        return False
    for obj in page.get_objects(max_depth=1):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return False
        try:
            if obj.get_metadata().colorspace not in _GREY_SPACES:
                return False
        except pdfium.PdfiumError:
            return False
    return True
