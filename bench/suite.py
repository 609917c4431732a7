"""One benchmark run: the inputs built once into a temp folder, then each bench/*_bench.py module measured on them.

A module's `run(inputs)` takes the built inputs; a module whose `run` takes `quick` instead builds its own.
A module that raises is recorded as {"error": ...} and the run goes on.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.inputs import Profile, build_inputs
from bench.report import machine

HERE = Path(__file__).resolve().parent


def module_names() -> list[str]:
    """Every benchmark module, in name order."""
    return sorted(p.stem for p in HERE.glob("*_bench.py"))


def run_suite(profile: Profile, names: Sequence[str] | None = None, *,
              log: Callable[[str], None] = lambda _: None) -> dict:
    """Build the inputs of `profile` and run the named modules (default: all); their figures with the machine."""
    started, host = datetime.now(UTC), machine()
    benchmarks: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="poecheck-bench-") as tmp:
        t0 = time.perf_counter()
        inputs = build_inputs(Path(tmp), profile)
        log(f"inputs built in {time.perf_counter() - t0:.1f} s ({profile.name} profile)")
        for name in names or module_names():
            module = importlib.import_module(f"bench.{name}")
            log(f"== {name}")
            t0 = time.perf_counter()
            try:
                if "inputs" in inspect.signature(module.run).parameters:
                    figures = module.run(inputs=inputs)
                else:
                    figures = module.run(quick=profile.quick)
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not lose the others' figures
                log(traceback.format_exc())
                figures = {"error": f"{type(exc).__name__}: {exc}"}
            logging.disable(logging.NOTSET)  # a module may silence logging while it measures; not beyond
            benchmarks[name] = {**figures, "bench_seconds": round(time.perf_counter() - t0, 1)}
            log(str(benchmarks[name]))
    return {"profile": profile.name, "started": started.isoformat(timespec="seconds"),
            "machine": host, "benchmarks": benchmarks}
