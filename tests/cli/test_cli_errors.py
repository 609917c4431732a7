"""The `poecheck` process on bad usage and bad input: one line on stderr, exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

POECHECK = Path(sys.executable).parent / "poecheck"


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run(
        [str(POECHECK), *args], capture_output=True, text=True, timeout=120, env=env, check=False, cwd=cwd
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("check",), "Missing argument"),
        (("check", "--bogus", "x"), "No such option: --bogus"),
        (("nosuch",), "No such command 'nosuch'"),
        (("payout", "/nonexistent/claim.json"), "file_missing"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args: tuple[str, ...], expected: str) -> None:
    proc = _run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("poecheck: ")
    assert expected in lines[0]
    assert "Traceback" not in proc.stderr


def test_no_arguments_prints_help_and_exits_2() -> None:
    proc = _run()
    assert proc.returncode == 2
    assert "Usage: poecheck" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_invalid_claim_json_names_the_problem(tmp_path: Path, fixtures_dir: Path) -> None:
    claim = tmp_path / "claim.json"
    claim.write_text('{"partner": {"id": "1"}, "workloads": ["not_a_workload"]}')
    doc = fixtures_dir / "poe_dev" / "docs" / "dev-001" / "Services_Completion_Letter_Corvid.pdf"
    proc = _run("check", str(doc), "--claim", str(claim))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("poecheck: ")
    assert "Traceback" not in proc.stderr


def test_bad_setting_in_the_environment_is_one_line_and_exit_2(fixtures_dir: Path) -> None:
    """A POECHECK_* value Settings rejects names the variable and why, without a traceback."""
    doc = fixtures_dir / "poe_dev" / "docs" / "dev-001" / "Services_Completion_Letter_Corvid.pdf"
    claim = fixtures_dir / "poe_dev" / "claims" / "dev-001.json"
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_MAX_PAGES": "abc"}
    for args in (("check", str(doc), "--claim", str(claim)), ("check", str(doc), "--claim", str(claim), "--json")):
        proc = subprocess.run([str(POECHECK), *args], capture_output=True, text=True, timeout=120, env=env,
                              check=False)
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert lines == [lines[0]] and lines[0].startswith("poecheck: invalid_setting: POECHECK_MAX_PAGES: ")
        assert "valid integer" in lines[0] and not proc.stdout
