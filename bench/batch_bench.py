"""Batch throughput with 1 and 2 local workers on an OCR-heavy backlog, and reuse detection at scale.

Throughput: a manifest of scanned dev cases (image-only PDFs, PNG and JPEG pages; >= 50 pages in full
mode) is run twice in the same process, with fresh stores, with --workers 1 and --workers 2; wall time
includes worker start-up. Reuse: synthetic MinHash fingerprints (random signatures, with planted
near-duplicates of an earlier one under another partner) go through the batch path, query then add,
in submission order.
"""
from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from service.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "fixtures" / "poe_dev"
#: Scanned cases and their page counts (image-only PDFs: 2 pages each; image files: 1 page each).
SCANNED = {"dev-004": 2, "dev-018": 2, "dev-005": 2, "dev-006": 2}


def _manifest(folder: Path, pages_wanted: int) -> tuple[Path, int]:
    """Copies of the scanned dev cases as distinct claims of one partner until `pages_wanted` pages."""
    import json

    cases = {c["case"]: c for c in map(json.loads, (DEV / "labels.jsonl").read_text().splitlines())}
    claim = json.loads((DEV / cases["dev-004"]["claim"]).read_text())
    path = folder / "manifest.csv"
    pages, n = 0, 0
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["claim_id", "claim_json", "files"])
        while pages < pages_wanted:
            case = list(SCANNED)[n % len(SCANNED)]
            w.writerow([f"scan-{n:03d}", json.dumps({**claim, "claim_id": f"scan-{n:03d}"}),
                        ";".join(os.path.relpath(DEV / f, folder) for f in cases[case]["files"])])
            pages += SCANNED[case]
            n += 1
    return path, pages


def _throughput(manifest: Path, pages: int, workers: int, tmp: Path) -> dict:
    from service.batch import run_batch

    settings = Settings(data_dir=tmp / f"data-{workers}", ocr_workers=1)
    start = time.perf_counter()
    stats = run_batch(manifest, tmp / f"out-{workers}", settings=settings, workers=workers)
    wall = time.perf_counter() - start
    assert stats.errors == 0 and stats.checked == stats.claims
    return {"workers": workers, "claims": stats.claims, "documents": stats.documents, "pages": pages,
            "wall_s": round(wall, 2), "pages_per_s": round(pages / wall, 3)}


def _reuse(n: int, *, planted: int, tmp: Path, seed: int = 7) -> dict:
    from service.reuse import NUM_PERM, Fingerprint, ReuseIndex

    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32 - 1, size=(n, NUM_PERM), dtype=np.uint64)
    partners = [f"partner-{i % 997}" for i in range(n)]
    copies = {}
    for k in rng.choice(np.arange(n // 2, n), size=planted, replace=False):
        src = int(rng.integers(0, n // 2))  # sources are never copies themselves
        keep = rng.random(NUM_PERM) < 0.85  # about 85% of positions agree: a copy with small edits
        sigs[k] = np.where(keep, sigs[src], sigs[k])
        partners[k] = f"copier-{k}"
        copies[int(k)] = src
    group = {**{src: src for src in copies.values()}, **copies}  # copies of one source form a group
    index = ReuseIndex()
    found, false = 0, 0
    start = time.perf_counter()
    for i in range(n):
        fp = Fingerprint(claim_id=str(i), partner=partners[i], file="poe.pdf", hashvalues=sigs[i])
        hits = {int(m.claim_id) for m in index.query_fingerprints([fp], partner=partners[i])}
        found += copies.get(i) in hits
        false += sum(1 for j in hits if i not in group or group.get(j) != group[i])
        index.add_fingerprints([fp])
    seconds = time.perf_counter() - start
    load_s = _store_load(index, tmp)
    return {"fingerprints": n, "store": load_s, "planted_duplicates": planted, "found": found, "false_matches": false,
            "seconds": round(seconds, 2), "per_fingerprint_ms": round(1000 * seconds / n, 4)}


def _store_load(index, tmp: Path) -> dict:
    """Seconds to save every fingerprint to a fresh SQLite store and to build the service's index from it."""
    from service.reuse import ReuseIndex
    from service.store.fingerprints import save_fingerprints

    settings = Settings(data_dir=tmp / "data-reuse")
    start = time.perf_counter()
    save_fingerprints(settings, list(index._entries.values()), source="batch")
    saved = time.perf_counter()
    loaded = ReuseIndex.from_store(settings)
    assert len(loaded) == len(index)
    return {"save_s": round(saved - start, 2), "load_s": round(time.perf_counter() - saved, 2)}


def run(quick: bool = False) -> dict:
    """Throughput 1 vs 2 workers (same run) and reuse detection over synthetic fingerprints."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="poecheck-batch-bench-") as tmp_name:
        tmp = Path(tmp_name)
        manifest, pages = _manifest(tmp, 4 if quick else 52)
        one = _throughput(manifest, pages, 1, tmp)
        two = _throughput(manifest, pages, 2, tmp)
        reuse = _reuse(2_000 if quick else 100_000, planted=20 if quick else 200, tmp=tmp)
    return {"quick": quick, "one_worker": one, "two_workers": two,
            "speedup_2_vs_1": round(two["pages_per_s"] / one["pages_per_s"], 2),
            "reuse": reuse, "reuse_target_s": 60, "speedup_target": 1.7}
