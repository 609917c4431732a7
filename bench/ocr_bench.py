"""Ingestion costs: text extraction ms/page (pypdfium2 vs pypdf) and poecheck OCR time vs bare tesseract.

The OCR ratio compares, in the same run and on the same pages, poecheck's whole ingestion of a scanned
file (render, encode, OCR, parse) per page with the bare `tesseract` CLI on the rendered page image.
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from service.config import Settings
from service.ingest import ingest_bytes
from service.ingest.ocr import LANG, PSM, parse_tsv

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
TEXT_PDFS = [p for p in sorted((FIXTURES / "corpus" / "pdf_text").glob("*.pdf")) if "password" not in p.name]
SCANS = [
    FIXTURES / "poe_dev" / "docs" / "dev-004" / "Scan_20241202.pdf",
    FIXTURES / "poe_dev" / "docs" / "dev-018" / "Scan_20240122.pdf",
]
ROUNDS = 3  # OCR rounds; text extraction runs three times as many
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _text_pypdfium2(data: bytes) -> int:
    pdf = pdfium.PdfDocument(data)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(pdf)
    finally:
        pdf.close()


def _text_pypdf(data: bytes) -> int:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        page.extract_text()
    return len(reader.pages)


def _ms_per_page(fn, files: list[bytes], rounds: int) -> float:
    best = []
    for _ in range(rounds):
        start, pages = time.perf_counter(), 0
        for data in files:
            pages += fn(data)
        best.append((time.perf_counter() - start) * 1000 / pages)
    return round(min(best), 3)


def text_extraction(rounds: int) -> dict[str, float]:
    logging.disable(logging.CRITICAL)
    files = [p.read_bytes() for p in TEXT_PDFS]
    settings = Settings()

    def poecheck(data: bytes) -> int:
        return len(ingest_bytes(data, "bench.pdf", settings=settings).parts)

    return {
        "pages": sum(_text_pypdfium2(d) for d in files),
        "pypdfium2_ms_per_page": _ms_per_page(_text_pypdfium2, files, rounds),
        "pypdf_ms_per_page": _ms_per_page(_text_pypdf, files, rounds),
        "poecheck_ingest_ms_per_page": _ms_per_page(poecheck, files, rounds),
    }


def _render_pages(path: Path, folder: Path, dpi: int) -> list[Path]:
    pdf = pdfium.PdfDocument(path)
    out = []
    try:
        for index, page in enumerate(pdf):
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            target = folder / f"{path.stem}-{index + 1}.pgm"
            image.save(target)
            out.append(target)
            page.close()
    finally:
        pdf.close()
    return out


def _tesseract(image: Path, *, psm: int, dpi: int) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        ["tesseract", str(image), "stdout", "-l", LANG, "--psm", str(psm), "--dpi", str(dpi), "tsv"],
        capture_output=True,
        env=ENV,
        check=True,
    )
    return time.perf_counter() - start, proc.stdout.decode()


def ocr_ratio(rounds: int) -> dict[str, object]:
    settings = Settings(ocr_workers=1)
    dpi = settings.ocr_dpi
    poe: list[float] = []
    bare: list[float] = []
    psm: dict[int, list[float]] = {3: [], 6: []}
    with tempfile.TemporaryDirectory() as tmp:
        images = {path: _render_pages(path, Path(tmp), dpi) for path in SCANS}
        for _ in range(rounds):
            for path, pages in images.items():
                data = path.read_bytes()
                start = time.perf_counter()
                ingest_bytes(data, path.name, settings=settings)
                poe.append((time.perf_counter() - start) / len(pages))
                bare.append(sum(_tesseract(image, psm=PSM, dpi=dpi)[0] for image in pages) / len(pages))
        for image in [i for pages in images.values() for i in pages]:
            for mode, confidences in psm.items():
                _, tsv = _tesseract(image, psm=mode, dpi=dpi)
                confidences.append(parse_tsv(tsv)[1] or 0.0)
    poe_s, bare_s = statistics.median(poe), statistics.median(bare)
    return {
        "pages": sum(len(p) for p in images.values()),
        "poecheck_s_per_page": round(poe_s, 3),
        "bare_tesseract_s_per_page": round(bare_s, 3),
        "ratio": round(poe_s / bare_s, 3),
        "target_ratio": 1.10,
        "mean_confidence_psm3": round(statistics.mean(psm[3]), 1),
        "mean_confidence_psm6": round(statistics.mean(psm[6]), 1),
    }


def run(quick: bool = False) -> dict[str, object]:
    """Both measurements, for bench/results.json."""
    rounds = 1 if quick else ROUNDS
    return {"text_extraction": text_extraction(rounds * 3), "ocr": ocr_ratio(rounds)}
