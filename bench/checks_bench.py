"""Checks ms/document after ingestion, on a 10-page text PDF built from dev-corpus letters (target <= 100 ms)."""
from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "poe_dev"


def build_pdf(pages: int) -> bytes:
    """Concatenate text-PDF letters of the dev corpus until `pages` pages."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    sources = sorted(FIXTURES.glob("docs/dev-00[123]/*.pdf")) + sorted(FIXTURES.glob("docs/dev-01[2-6]/*.pdf"))
    while len(writer.pages) < pages:
        for src in sources:
            for page in PdfReader(src).pages:
                if len(writer.pages) < pages:
                    writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def run(quick: bool = False) -> dict:
    """Median wall time of run_checks on an ingested 10-page PDF (first run reported apart: warm-up)."""
    from checks.base import CheckContext
    from checks.runner import run_checks
    from service.claims import load_claim
    from service.config import Settings
    from service.ingest import ingest_bytes

    pages = 2 if quick else 10
    doc = ingest_bytes(build_pdf(pages), f"bench-{pages}p.pdf", settings=Settings())
    claim = load_claim(FIXTURES / "claims" / "dev-001.json")
    ctx = CheckContext.for_claim(claim)
    t0 = time.perf_counter()
    run_checks(claim, [doc], ctx)
    first = time.perf_counter() - t0
    times = []
    for _ in range(3 if quick else 15):
        from checks.nlp import parse

        parse.cache_clear()  # measure tokenising too, as a new document would pay it
        t0 = time.perf_counter()
        run_checks(claim, [doc], ctx)
        times.append(time.perf_counter() - t0)
    return {
        "checks_pages": pages,
        "checks_first_run_ms": round(first * 1000, 1),
        "checks_ms_per_document": round(statistics.median(times) * 1000, 1),
        "checks_ms_per_page": round(statistics.median(times) * 1000 / pages, 2),
        "checks_target_ms_10_pages": 100,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
