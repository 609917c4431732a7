"""Checks ms/document after ingestion, on the 1-, 10- and 100-page text PDFs (target <= 100 ms for 10 pages).

Two figures per size, so that a warm-up cannot hide inside a median:
- cold: the first document of a fresh process after the service's warm-up (`warm_checks`, a short letter, as a
  worker or `poecheck check` does it), with the machine's pattern store as it is (checks.patterncache): what
  the process builds on its first long document (scanners' triggers, split sub-patterns) is paid there;
- warm: the median over further documents in this process, the rules loaded as in a worker.
The checks cache per-text work (dates, sentences, counts); each timed run gets the document with its text
changed (trailing newlines), so it is paid as for a new document.
"""
from __future__ import annotations

import json
import pickle
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    """Per size: the first document of a fresh process (cold) and the median of the next ones (warm), wall time
    of run_checks per ingested document."""
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
        cold = _cold(doc, inputs.claim, inputs.folder / f"checks-{pages}p.pickle")
        times = []
        for rep in range(1, inputs.profile.reps + 2):  # rep 0 is the cold process's document
            fresh = _fresh(doc, rep)
            start = time.perf_counter()
            run_checks(claim, [fresh], ctx)
            times.append(time.perf_counter() - start)
        median = statistics.median(times[1:])  # this process's first document may build what the cold one did
        out[f"{pages}p"] = {"pages": pages, "ms_per_document": round(median * 1000, 1),
                            "ms_per_page": round(median * 1000 / pages, 2),
                            "cold_ms_per_document": round(cold["wall_s"] * 1000, 1),
                            "cold_ms_per_page": round(cold["wall_s"] * 1000 / pages, 2),
                            "cold_cpu_ms_per_document": round(cold["cpu_s"] * 1000, 1)}
    out["target_ms_10_pages"] = TARGET_MS_10_PAGES
    return out


def _cold(doc: Document, claim_file: Path, pickled: Path) -> dict:
    """Wall and CPU seconds of the first document checked by a fresh interpreter, after its warm-up."""
    pickled.write_bytes(pickle.dumps(doc))
    done = subprocess.run([sys.executable, "-m", "bench.checks_bench", str(pickled), str(claim_file)],
                          capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _first_document(pickled: Path, claim_file: Path) -> dict:
    from checks.base import CheckContext
    from checks.runner import run_checks
    from service.claims import load_claim
    from service.pipeline import warm_checks

    doc = _fresh(pickle.loads(pickled.read_bytes()), 0)
    claim = load_claim(claim_file)
    warm_checks(claim)
    ctx = CheckContext.for_claim(claim)
    wall, cpu = time.perf_counter(), time.process_time()
    run_checks(claim, [doc], ctx)
    return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}


if __name__ == "__main__":  # the cold measurement's child process: python -m bench.checks_bench DOC CLAIM
    print(json.dumps(_first_document(Path(sys.argv[1]), Path(sys.argv[2]))))
