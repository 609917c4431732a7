"""`poecheck check` reads in a reader process forked at its start (service.isolation.start_forked): the same limits
and typed errors as the service's spawned readers, and nothing left running after it."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.ingest.hostile import flate_bomb_pdf

POECHECK = Path(sys.executable).parent / "poecheck"
CLAIM = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "claims" / "dev-001.json"


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    # the PDF content check off: the bomb is for the reader's own limits
    return {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_DATA_DIR": str(tmp_path / "data"),
            "POECHECK_PDF_PAGE_CONTENT_MB": "0", **settings}


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def _one_error_line(proc: subprocess.CompletedProcess[str] | tuple[int, str], code: str) -> str:
    """The typed error's line, last on stderr (a warning may precede it: 'parser worker ... died')."""
    returncode, stderr = proc if isinstance(proc, tuple) else (proc.returncode, proc.stderr)
    assert returncode == 2 and "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert re.match(rf"poecheck: {code}: ", last), stderr
    return last


def test_a_document_over_the_memory_cap_is_parser_memory(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(flate_bomb_pdf(gigabytes=2))
    proc = subprocess.run([str(POECHECK), "check", str(bomb), "--claim", str(CLAIM)], capture_output=True, text=True,
                          timeout=180, env=_env(tmp_path, POECHECK_PARSE_MEMORY_MB="512"), check=False)
    assert "bomb.pdf" in _one_error_line(proc, "parser_memory")
    assert not any((tmp_path / "data" / "tmp").iterdir()), "the reader's temp folder was left behind"


def test_a_reader_killed_by_a_signal_mid_document_is_parser_crashed(tmp_path):
    """The reader (the command's only child) is sent SIGSEGV while it inflates a slow document."""
    bomb = tmp_path / "slow.pdf"
    bomb.write_bytes(flate_bomb_pdf(gigabytes=4))
    command = subprocess.Popen([str(POECHECK), "check", str(bomb), "--claim", str(CLAIM)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env=_env(tmp_path, POECHECK_PARSE_MEMORY_MB="8192"))
    try:
        deadline = time.monotonic() + 120
        reader = None
        while reader is None or _rss_mb(reader) < 200:  # reading the bomb (a reader starts at ~60 MB)
            assert time.monotonic() < deadline and command.poll() is None, "the reader never read the document"
            reader = next(iter(_children(command.pid)), None)
            time.sleep(0.05)
        os.kill(reader, signal.SIGSEGV)
        _, stderr = command.communicate(timeout=60)
    finally:
        command.kill()
        command.wait()
    line = _one_error_line((command.returncode, stderr), "parser_crashed")
    assert "slow.pdf" in line and "SIGSEGV" in line


def test_the_reader_ends_with_the_command(tmp_path):
    """A command that ends on a usage error after its reader started leaves no reader behind."""
    proc = subprocess.Popen([str(POECHECK), "check", str(tmp_path / "missing.pdf"), "--claim", str(CLAIM)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    readers = []
    while proc.poll() is None:
        readers += [pid for pid in _children(proc.pid) if pid not in readers]
        time.sleep(0.01)
    _, stderr = proc.communicate()
    assert proc.returncode == 2 and "no such file" in stderr, stderr
    assert readers, "no reader was started"
    assert not [pid for pid in readers if Path(f"/proc/{pid}").exists()], "a reader outlived its command"
