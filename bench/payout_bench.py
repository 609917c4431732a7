"""Payout benchmark: stream the generated usage CSV (1,000,000 rows in the full profile) through payout_csv.

The payout runs in a fresh child process so its peak RSS is the computation's (interpreter and imports included).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from models.claim import WORKLOAD_IDS

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
    from bench.memory_bench import vm_hwm_mb
    from service.payout import payout_csv

    start = time.perf_counter()
    tenants = 0
    cents = 0
    for result in payout_csv(path):
        tenants += 1
        cents += round(result.total_dollars * 100)
    seconds = time.perf_counter() - start
    return {"tenants": tenants, "seconds": seconds, "peak_mb": vm_hwm_mb(), "total_dollars": cents / 100}


def run(inputs) -> dict:
    """Compute the payouts of the benchmark's usage CSV in fresh child processes; the median run's figures."""
    runs = []
    for _ in range(min(inputs.profile.reps, 3)):
        out = subprocess.run(
            [sys.executable, "-m", "bench.payout_bench", "--measure", str(inputs.usage_csv)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        runs.append(json.loads(out.stdout))
    figures = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    rows = inputs.usage_rows
    rows_per_s = rows / figures["seconds"] if figures["seconds"] else float("inf")
    return {
        "rows": rows,
        "runs": len(runs),
        "csv_mb": round(inputs.usage_csv.stat().st_size / 1e6, 1),
        "tenants": figures["tenants"],
        "seconds": round(figures["seconds"], 3),
        "rows_per_s": round(rows_per_s),
        "peak_mb": round(figures["peak_mb"], 1),
        "total_dollars": figures["total_dollars"],
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "target_peak_mb": TARGET_PEAK_MB,
    }


def main(argv: list[str]) -> None:
    """The child side: `python -m bench.payout_bench --measure CSV` prints the figures as JSON."""
    print(json.dumps(measure(Path(argv[1]))))


if __name__ == "__main__":
    main(sys.argv[1:])
