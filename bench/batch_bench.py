"""Batch throughput on the mixed backlog (dev cases cycled to 500 claims): 1 vs 2 local workers, then a 2-worker
Dask LocalCluster, each from a fresh store in the same run; and reuse detection at scale.

Local wall times include worker start-up; the Dask figure excludes the cluster's start (reported apart). Reuse:
synthetic MinHash fingerprints (random signatures, with planted near-duplicates of an earlier one under another
partner) go through the batch path, query then add, in submission order.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from bench.inputs import DEV, Inputs
from service.config import Settings


def _throughput(inputs: Inputs, label: str, *, workers: int | None = None, scheduler: str | None = None) -> dict:
    from service.batch import run_batch

    tmp = inputs.folder / f"batch-{label}"
    settings = Settings(data_dir=tmp / "data", trust_roots=DEV / "trust", ocr_workers=1)
    start = time.perf_counter()
    stats = run_batch(inputs.backlog, tmp / "out", settings=settings, workers=workers, scheduler=scheduler)
    wall = time.perf_counter() - start
    assert stats.errors == 0 and stats.checked == stats.claims, stats
    return {"claims": stats.claims, "documents": stats.documents, "wall_s": round(wall, 2),
            "claims_per_s": round(stats.claims / wall, 2), "documents_per_s": round(stats.documents / wall, 2)}


def _dask(inputs: Inputs) -> dict:
    from distributed import LocalCluster

    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        started = time.perf_counter() - start
        result = _throughput(inputs, "dask", scheduler=cluster.scheduler_address)
    return {**result, "cluster_start_s": round(started, 2)}


def _reuse(n: int, *, planted: int, tmp: Path, seed: int = 7) -> dict:
    from service.fingerprinting import NUM_PERM, Fingerprint
    from service.reuse import ReuseIndex

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


def run(inputs: Inputs) -> dict:
    """Backlog throughput with 1 and 2 local workers and on Dask (same run), and reuse detection."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    one = _throughput(inputs, "1", workers=1)
    two = _throughput(inputs, "2", workers=2)
    dask = _dask(inputs)
    n = inputs.profile.reuse_fingerprints
    return {"one_worker": one, "two_workers": two, "dask_2_workers": dask,
            "speedup_2_vs_1": round(two["claims_per_s"] / one["claims_per_s"], 2),
            "speedup_dask_vs_1": round(dask["claims_per_s"] / one["claims_per_s"], 2),
            "reuse": _reuse(n, planted=max(2, n // 500), tmp=inputs.folder), "reuse_target_s": 60}
