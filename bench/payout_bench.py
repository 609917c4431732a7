"""Payout benchmark: stream a generated usage CSV (1,000,000 rows; 10,000 in quick mode) through payout_csv.

Run with `python -m bench.payout_bench [--quick]`. The CSV is generated into a temp dir; the payout
runs in a fresh child process so its peak RSS is the computation's (interpreter and imports included).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from models.claim import WORKLOAD_IDS

FULL_TENANTS = 10_000
QUICK_TENANTS = 100
TARGET_ROWS_PER_S = 500_000
TARGET_PEAK_MB = 500


def write_usage_csv(path: Path, *, tenants: int, seed: int = 7) -> int:
    """Write `tenants` × 8 workloads × 12–13 months of plausible usage; return the row count."""
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("tenant_id,workload,month,mau,pau\n")
        for _ in range(tenants):
            tenant = (
                f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
                f"8{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}"
            )
            lines = []
            for workload in WORKLOAD_IDS:
                months = 12 + rng.getrandbits(1)
                first = 2024 * 12 + 9 - (months - 12)  # 2024-10, or 2024-09 with 13 months
                mau = rng.randrange(0, 2000)
                pau = mau + rng.randrange(0, 1500)
                for i in range(months):
                    m = first + i
                    mau = max(0, mau + rng.randrange(-60, 120))
                    pau = max(pau, mau - rng.randrange(0, 100))
                    lines.append(f"{tenant},{workload},{m // 12}-{m % 12 + 1:02d},{mau},{pau}\n")
            fh.write("".join(lines))
            rows += len(lines)
    return rows


def measure(path: Path) -> dict:
    """Stream one CSV through payout_csv in this process; rows, seconds and peak RSS."""
    import resource

    from service.payout import payout_csv

    start = time.perf_counter()
    tenants = 0
    cents = 0
    for result in payout_csv(path):
        tenants += 1
        cents += round(result.total_dollars * 100)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"tenants": tenants, "seconds": seconds, "peak_mb": peak_kb / 1024, "total_dollars": cents / 100}


def run(quick: bool = False) -> dict:
    """Generate the CSV, compute its payouts in a child process and return the figures."""
    tenants = QUICK_TENANTS if quick else FULL_TENANTS
    with tempfile.TemporaryDirectory(prefix="poecheck-payout-bench-") as tmp:
        path = Path(tmp) / "usage.csv"
        rows = write_usage_csv(path, tenants=tenants)
        size_mb = path.stat().st_size / 1e6
        out = subprocess.run(
            [sys.executable, "-m", "bench.payout_bench", "--measure", str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    figures = json.loads(out.stdout)
    rows_per_s = rows / figures["seconds"] if figures["seconds"] else float("inf")
    return {
        "name": "payout",
        "quick": quick,
        "rows": rows,
        "csv_mb": round(size_mb, 1),
        "tenants": figures["tenants"],
        "seconds": round(figures["seconds"], 3),
        "rows_per_s": round(rows_per_s),
        "peak_mb": round(figures["peak_mb"], 1),
        "total_dollars": figures["total_dollars"],
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "target_peak_mb": TARGET_PEAK_MB,
        "meets_targets": rows_per_s >= TARGET_ROWS_PER_S and figures["peak_mb"] < TARGET_PEAK_MB,
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--measure"]:
        print(json.dumps(measure(Path(argv[1]))))
        return
    print(json.dumps(run(quick="--quick" in argv), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
