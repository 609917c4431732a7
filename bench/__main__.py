"""Run the benchmark modules (bench/*_bench.py, each with run(quick) -> dict); write bench/results.json.

Usage: python -m bench [--quick] [module ...]
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    names = [a for a in argv if a != "--quick"]
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    results_file = HERE / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    modules = names or sorted(p.stem for p in HERE.glob("*_bench.py"))
    for name in modules:
        print(f"== {name}", flush=True)
        results[name] = importlib.import_module(f"bench.{name}").run(quick=quick)
        print(json.dumps(results[name], indent=2), flush=True)
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {results_file}")


if __name__ == "__main__":
    main(sys.argv[1:])
