"""Cost of parser isolation: a document read in the isolated reader process vs in-process, paired runs."""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DOCUMENTS = {
    "text_pdf": FIXTURES / "poe_dev" / "docs" / "dev-001" / "Services_Completion_Letter_Corvid.pdf",
    "msg": FIXTURES / "corpus" / "msg" / "hh__Hello_CJK.msg",
}


def run(quick: bool = False) -> dict:
    """Median ms per document both ways (interleaved), the overhead, and the reader's start-up time."""
    from service.config import Settings
    from service.ingest.dispatch import ingest_path
    from service.isolation import ParserPool

    rounds = 5 if quick else 40
    with tempfile.TemporaryDirectory(prefix="poecheck-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        pool = ParserPool()
        try:
            t0 = time.perf_counter()
            pool.parse(DOCUMENTS["text_pdf"], settings=settings).unwrap()
            out: dict = {"first_document_with_reader_start_ms": round((time.perf_counter() - t0) * 1000, 1)}
            for label, path in DOCUMENTS.items():
                here, isolated = [], []
                for _ in range(rounds):
                    t0 = time.perf_counter()
                    ingest_path(path, settings=settings)
                    here.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    pool.parse(path, settings=settings).unwrap()
                    isolated.append(time.perf_counter() - t0)
                a, b = statistics.median(here) * 1000, statistics.median(isolated) * 1000
                out[label] = {"in_process_ms": round(a, 2), "isolated_ms": round(b, 2),
                              "overhead_ms": round(b - a, 2), "ratio": round(b / a, 2)}
        finally:
            pool.close()
    return out
