"""Page images kept with a report: a downscaled PNG of each OCR'd top-level page and its word boxes.

The originals are deleted after a check (unless POECHECK_KEEP_UPLOADS), so the reviewer's page view
uses these PNGs. Word boxes come from one Tesseract TSV run per page that evidence quotes, on a
~200 dpi rendering; boxes are stored as fractions of the page so any image size can show them.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from models import Document, Report
from service.config import Settings
from service.errors import PoecheckError

log = logging.getLogger(__name__)

PAGE_WIDTH = 1200  # stored PNG width (px)
OCR_WIDTH = 1700  # width used to find word boxes (~200 dpi for a letter page)
MIN_MATCH = 70.0  # rapidfuzz ratio a window of words needs to count as the quote
#: Page images are decoded in the server process: an uploaded image larger than this (after a JPEG's
#: reduced decoding) keeps no page image, so one upload cannot take hundreds of MB there.
MAX_PAGE_IMAGE_PIXELS = 20_000_000
_PDF = "application/pdf"
_REPORT_ID = re.compile(r"^[0-9a-f]{32}$")


def report_dir(settings: Settings, report_id: str) -> Path:
    """Folder of a report's page images."""
    if not _REPORT_ID.match(report_id):
        raise ValueError("bad report id")
    return settings.files_dir / "pages" / report_id


def save_page_images(settings: Settings, report_id: str, docs: Sequence[Document], files: dict[str, Path],
                     report: Report) -> int:
    """Write the PNGs and index.json for `report_id`; returns how many pages were kept."""
    cited = {e.part for c in report.checks for e in c.evidence}
    folder = report_dir(settings, report_id)
    entries = []
    for doc in docs:
        path = files.get(doc.filename)
        if path is None:
            continue
        for part in doc.parts:
            if not (part.has_image and part.source == "ocr" and part.file == doc.filename and part.page):
                continue
            image = _page_image(path, doc.media_type, part.page)
            if image is None:
                continue
            words = _word_boxes(image, timeout=settings.ocr_timeout_s) if part.path in cited else []
            if image.width > PAGE_WIDTH:
                image = image.resize((PAGE_WIDTH, round(image.height * PAGE_WIDTH / image.width)))
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{len(entries) + 1}.png"
            image.save(folder / name, format="PNG", optimize=True)
            entries.append({"n": len(entries) + 1, "part": part.path, "file": part.file, "page": part.page,
                            "image": name, "width": image.width, "height": image.height, "words": words})
    if entries:
        (folder / "index.json").write_text(json.dumps(entries), encoding="utf-8")
    return len(entries)


def load_index(settings: Settings, report_id: str) -> list[dict]:
    """The page entries of a report ([] when none were kept)."""
    path = report_dir(settings, report_id) / "index.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def image_file(settings: Settings, report_id: str, n: int) -> Path | None:
    """The PNG of page entry `n`, or None."""
    for entry in load_index(settings, report_id):
        if entry["n"] == n:
            return report_dir(settings, report_id) / entry["image"]
    return None


def delete_pages(settings: Settings, report_id: str) -> None:
    """Remove a report's page images."""
    shutil.rmtree(report_dir(settings, report_id), ignore_errors=True)


def _page_image(path: Path, media_type: str, page: int):
    """The page as a grey PIL image about OCR_WIDTH wide, or None when it cannot be rendered."""
    from PIL import Image, ImageOps

    try:
        if media_type == _PDF:
            import pypdfium2 as pdfium

            pdf = pdfium.PdfDocument(str(path))
            try:
                pg = pdf[page - 1]
                scale = min(OCR_WIDTH / pg.get_width(), 300 / 72)
                bitmap = pg.render(scale=scale)
                image = bitmap.to_pil().convert("L")
                bitmap.close()
                pg.close()
            finally:
                pdf.close()
        elif media_type.startswith("image/"):
            with Image.open(path) as img:
                img.seek(page - 1)
                if img.width * img.height > MAX_PAGE_IMAGE_PIXELS:
                    img.draft("L", (OCR_WIDTH, max(1, OCR_WIDTH * img.height // img.width)))  # JPEG: 1/2 to 1/8
                if img.width * img.height > MAX_PAGE_IMAGE_PIXELS:
                    log.warning("page image of page %d not kept: %d x %d pixels", page, img.width, img.height)
                    return None
                image = (ImageOps.exif_transpose(img) if page == 1 else img.copy()).convert("L")
        else:
            return None
    except Exception as exc:  # noqa: BLE001 - a page that cannot be rendered only loses its picture
        log.warning("page image of page %d not kept: %s", page, type(exc).__name__)
        return None
    if image.width > OCR_WIDTH:
        image = image.resize((OCR_WIDTH, round(image.height * OCR_WIDTH / image.width)))
    return image


def _word_boxes(image, *, timeout: float) -> list[list]:
    """Words with boxes as fractions of the page: [x0, y0, x1, y1, text]."""
    from service.ingest.ocr import tesseract_image

    try:
        tsv = tesseract_image(image, args=["-l", "eng", "--psm", "6", "tsv"], timeout=timeout)
    except PoecheckError as exc:
        log.warning("word boxes not found: %s", exc.code)
        return []
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append([round(left / image.width, 4), round(top / image.height, 4),
                      round((left + width) / image.width, 4), round((top + height) / image.height, 4),
                      cols[11]])
    return words


def _norm(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalnum())


def highlight_boxes(words: Sequence[Sequence], quote: str) -> list[tuple[float, float, float, float]]:
    """Boxes of the run of words that best matches `quote` (fuzzy: the page was OCR'd again)."""
    from rapidfuzz import fuzz

    wanted = [t for t in (_norm(x) for x in quote.split()) if t]
    tokens = [_norm(str(w[4])) for w in words]
    if not wanted or not tokens:
        return []
    target = " ".join(wanted)
    size = min(len(wanted), len(tokens))
    best, best_at = 0.0, -1
    for start in range(len(tokens) - size + 1):
        window = tokens[start:start + size]
        if not window[0] and not window[-1]:
            continue
        score = fuzz.ratio(target, " ".join(t for t in window if t))
        if score > best:
            best, best_at = score, start
    if best < MIN_MATCH:
        return []
    return [tuple(w[:4]) for w in words[best_at:best_at + size] if _norm(str(w[4]))]
