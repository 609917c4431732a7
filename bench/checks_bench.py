"""Checks ms/document after ingestion, on the 1-, 10- and 100-page text PDFs (target <= 100 ms for 10 pages).

The checks cache per-text work (dates, sentences, counts); each timed run gets the document with its text
changed (trailing newlines), so it is paid as for a new document, while the rules stay loaded as in a worker.
"""
from __future__ import annotations

import statistics
import time

from bench.inputs import Inputs
from models import Document

TARGET_MS_10_PAGES = 100


def _fresh(doc: Document, rep: int) -> Document:
    """The document with a short whitespace tag appended to each part's text: equal content, keys unseen in
    earlier runs.

    Each part gets its own tag (a number written in binary as newlines and spaces), so pages repeated inside
    the built PDFs are paid for each time too. The tag is at most a dozen characters whatever the page count
    (n newlines per part would make a 100-page document's pages longer than a 10-page one's).
    """
    n = len(doc.parts)
    return doc.model_copy(update={"parts": [p.model_copy(update={"text": p.text + _tag(1 + rep * n + i)})
                                            for i, p in enumerate(doc.parts)]})


def _tag(k: int) -> str:
    return "\n" + format(k, "b").replace("0", " ").replace("1", "\n")


def run(inputs: Inputs) -> dict:
    """Median wall time of run_checks per ingested document; the process's first run is reported apart (warm-up)."""
    from checks.base import CheckContext
    from checks.runner import run_checks
    from service.claims import load_claim
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    settings = Settings(data_dir=inputs.folder / "data")
    claim = load_claim(inputs.claim)
    ctx = CheckContext.for_claim(claim)
    out: dict = {}
    for pages, path in inputs.text_pdfs.items():
        doc = ingest_path(path, settings=settings)
        times = []
        for rep in range(inputs.profile.reps + 1):
            fresh = _fresh(doc, rep)
            start = time.perf_counter()
            run_checks(claim, [fresh], ctx)
            times.append(time.perf_counter() - start)
            if "first_run_ms" not in out and rep == 0:
                out["first_run_ms"] = round(times[0] * 1000, 1)
        median = statistics.median(times[1:])
        out[f"{pages}p"] = {"pages": pages, "ms_per_document": round(median * 1000, 1),
                            "ms_per_page": round(median * 1000 / pages, 2)}
    out["target_ms_10_pages"] = TARGET_MS_10_PAGES
    return out
