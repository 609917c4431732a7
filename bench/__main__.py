"""Run the benchmarks in one go: build the inputs into a temp folder, run every bench/*_bench.py, write the results.

Usage: python -m bench [--quick] [module ...]   (`make bench`; --quick: the tiny smoke profile)

Writes bench/results.json (merged with earlier results when only some modules run) and, for the full
profile once every module has figures, the Markdown table bench/RESULTS.md and the README's copy.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from bench.inputs import FULL, SMOKE
from bench.report import write_markdown
from bench.suite import module_names, run_suite

HERE = Path(__file__).resolve().parent


def missing_modules(results: dict) -> list[str]:
    """The benchmark modules without figures in `results` (the table is written only when there are none)."""
    return sorted(set(module_names()) - set(results.get("benchmarks", {})))


def main(argv: list[str]) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("--")] or None
    results_file = HERE / "results.json"
    earlier = json.loads(results_file.read_text()) if results_file.exists() else {}
    results = run_suite(SMOKE if quick else FULL, names, log=lambda line: print(line, flush=True))
    if names and earlier.get("profile") == results["profile"]:
        results = {**earlier, **results, "benchmarks": {**earlier.get("benchmarks", {}), **results["benchmarks"]}}
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {results_file}")
    if quick:
        return
    if missing := missing_modules(results):  # a partial run on a fresh checkout (results.json is not committed) must not shrink the table
        print(f"RESULTS.md and the README table not rewritten: no figures for {', '.join(missing)}")
    else:
        print(f"wrote {write_markdown(results, HERE / 'RESULTS.md')}")


if __name__ == "__main__":
    main(sys.argv[1:])
