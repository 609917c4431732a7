"""`poecheck inspect` as a real process: readable output, JSON, exit code 2 with one line per bad file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"
POECHECK = Path(sys.executable).parent / "poecheck"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run(
        [str(POECHECK), "inspect", *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_inspect_prints_parts_and_email_metadata() -> None:
    proc = _run(str(CORPUS / "msg" / "hh__Outer_mail.msg"))
    assert proc.returncode == 0, proc.stderr
    assert "hh__Outer_mail.msg > OUTER 1.pdf > page 1" in proc.stdout
    assert "text_layer" in proc.stdout and "IPM.Note" in proc.stdout


def test_inspect_bad_files_exit_2_and_keep_good_ones() -> None:
    bad = sorted((CORPUS / "pdf_malformed").glob("*.pdf")) + [
        CORPUS / "pdf_text" / "pypdf__r2-user-password.pdf"
    ]
    good = CORPUS / "pdf_text" / "sf__minimal-document.pdf"
    proc = _run("--json", str(good), *[str(p) for p in bad if p.name != "pdfjs__scan-bad.pdf"])
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = proc.stderr.strip().splitlines()
    assert errors and all(line.startswith("poecheck: ") for line in errors)
    assert any(": encrypted: " in line for line in errors)
    docs = json.loads(proc.stdout)
    assert docs[0]["filename"] == "sf__minimal-document.pdf"
    assert len(docs) + len(errors) == len(bad)
