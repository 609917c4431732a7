"""End-to-end `poecheck check` wall time on the 1-page text PDF (table output), start-up included (target <= 0.4 s).

Beside it, the floors: a bare `python -c pass`, and the command's own imports (`python -X importtime`); and one
first run with an empty cache folder (the rule files validated and the rule patterns compiled, then stored).
Python writes and reads its bytecode as it does by default (an installed package has it compiled): when the shell
says PYTHONDONTWRITEBYTECODE, the measured commands run without it, with their bytecode in the bench's folder
(PYTHONPYCACHEPREFIX; the warm-up run writes it), else every run compiles ~60 of poecheck's modules again.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.inputs import Inputs

TARGET_S = 0.4  # issue 18: a 1-page check, start-up included


def _wall(cmd: list[str], env: dict[str, str], reps: int, *, warm_up: bool) -> float:
    """Median wall seconds of `cmd` over `reps` runs, after one untimed run that warms the page cache."""
    if warm_up:
        subprocess.run(cmd, env=env, capture_output=True, check=True)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_seconds(env: dict[str, str]) -> float:
    """Seconds the `check` command spends importing modules in the parent process (sum of top-level imports)."""
    code = ("import service.reading, service.cli; service.cli.poecheck_app(); "
            "import checks.rulebook, service.config, service.checking, service.claims, rich.table")
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True,
                         text=True, check=True).stderr
    total = 0
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if cumulative.strip().isdigit() and not name.startswith("  "):
                total += int(cumulative)
    return total / 1e6


def run(inputs: Inputs) -> dict[str, object]:
    """Median wall time of `poecheck check` and of the interpreter alone, in seconds."""
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "OMP_THREAD_LIMIT": "1",
           "POECHECK_DATA_DIR": str(inputs.folder / "data"), "PYTHONPYCACHEPREFIX": str(inputs.folder / "pycache")}
    poecheck = str(Path(sys.executable).with_name("poecheck"))
    reps, warm_up = inputs.profile.reps, not inputs.profile.quick
    command = ["check", str(inputs.text_pdfs[1]), "--claim", str(inputs.claim), "--exit-zero"]
    check = _wall([poecheck, *command], env, reps, warm_up=warm_up)
    with tempfile.TemporaryDirectory(prefix="poecheck-cache-") as cache:  # nothing validated or compiled yet
        first = _wall([poecheck, *command], {**env, "XDG_CACHE_HOME": cache}, 1, warm_up=False)
    bare = _wall([sys.executable, "-c", "pass"], env, reps, warm_up=warm_up)
    return {"check_1p_text_s": round(check, 3), "check_1p_text_first_run_s": round(first, 3),
            "python_startup_s": round(bare, 3), "check_imports_s": round(import_seconds(env), 3), "runs": reps,
            "target_s": TARGET_S}
