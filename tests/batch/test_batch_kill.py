"""Kill `poecheck batch` with SIGKILL mid-run; the rerun reports every claim exactly once."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batchhelp import DEV, read_jsonl, write_manifest

CASES = ["dev-001", "dev-002", "dev-003", "dev-009", "dev-011", "dev-012", "dev-013", "dev-014", "dev-016",
         "dev-019", "dev-020", "dev-022", "dev-023", "dev-024", "dev-029", "dev-041"]


def _batch(manifest: Path, out: Path, data: Path) -> subprocess.Popen:
    env = {**os.environ, "POECHECK_DATA_DIR": str(data), "OMP_THREAD_LIMIT": "1"}
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "batch", str(manifest), "--out", str(out),
           "--workers", "1", "--quiet", "--trust-roots", str(DEV / "trust")]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _rows(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT claim_key FROM batch_results").fetchall()
    except sqlite3.OperationalError:
        return []


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_reports_each_claim_once(tmp_path):
    manifest = write_manifest(tmp_path / "in", CASES)
    data, out = tmp_path / "data", tmp_path / "out"
    proc = _batch(manifest, out, data)
    try:
        deadline = time.monotonic() + 120
        while len(_rows(data / "poecheck.db")) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the batch finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    killed_with = len(_rows(data / "poecheck.db"))
    assert 3 <= killed_with < len(CASES)

    rerun = _batch(manifest, out, data)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()[-2000:]
    keys = [r[0] for r in _rows(data / "poecheck.db")]
    assert sorted(keys) == sorted(CASES)
    lines = read_jsonl(out / "reports.jsonl")
    assert [line["claim"] for line in lines] == CASES
    assert all(line["status"] == "ok" for line in lines)
    reuse = next(c for c in lines[-1]["report"]["checks"] if c["id"] == "template_reuse")
    assert reuse["status"] == "fail" and reuse["details"]["matches"][0]["claim_id"] == "dev-013"
