"""`poecheck check` can gate a script (issue 16, finding 6): exit 0 approvable, 1 needs_more_poe or rejectable,
2 bad input; --version; help in plain words; the report table readable at 80 columns."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

POECHECK = Path(sys.executable).parent / "poecheck"
DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
COMMANDS = ("", "check", "batch", "eval", "inspect", "payout", "serve")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "COLUMNS": "80"}
    return subprocess.run([str(POECHECK), *args], capture_output=True, text=True, timeout=180, env=env, check=False)


def _case(case: str) -> tuple[str, ...]:
    files = sorted(str(p) for p in (DEV / "docs" / case).iterdir())
    return (*files, "--claim", str(DEV / "claims" / f"{case}.json"), "--trust-roots", str(DEV / "trust"))


@pytest.mark.parametrize(("case", "extra", "status"), [
    pytest.param("dev-001", (), 0, id="approvable"),
    pytest.param("dev-014", (), 1, id="rejectable"),
    pytest.param("dev-014", ("--exit-zero",), 0, id="rejectable-exit-zero"),
    pytest.param("dev-014", ("--json",), 1, id="rejectable-json"),
])
def test_exit_status_follows_the_verdict(case, extra, status):
    proc = _run("check", *_case(case), *extra)
    assert proc.returncode == status, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("args", "words"), [
    pytest.param(("check", str(DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf"), "--claim",
                  str(DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf")), "is not JSON text", id="pdf-as-claim"),
    pytest.param(("check", "/nonexistent/letter.pdf", "--claim", str(DEV / "claims/dev-001.json")),
                 "no such file", id="missing-file"),
    pytest.param(("check", str(DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf"), "--claim", str(DEV)),
                 "is a folder", id="folder-as-claim"),
    pytest.param(("check", str(DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf"), "--claim",
                  str(DEV / "claims/dev-001.json"), "--trust-roots", "/nonexistent/trust"), "does not exist",
                 id="missing-trust-roots"),
])
def test_bad_input_is_exit_2_in_plain_words_with_its_code(args, words):
    proc = _run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(r"poecheck: [a-z_]+: ", lines[0]), proc.stderr
    assert words in lines[0]
    assert not re.search(r"\b[A-Z][a-z]+(Error|Exception)\b|codec|Errno", lines[0]), lines[0]


def test_version():
    proc = _run("--version")
    assert proc.returncode == 0 and re.fullmatch(r"poecheck \S+\n", proc.stdout)


@pytest.mark.parametrize("command", [pytest.param(c, id=c or "poecheck") for c in COMMANDS])
def test_help_has_no_internal_type_names_and_fits_80_columns(command):
    proc = _run(*([command] if command else []), "--help")
    assert proc.returncode == 0
    assert not re.search(r"<(bool|path|int|str|float|list\[[^]]*\])>", proc.stdout, re.IGNORECASE), proc.stdout
    assert all(len(line) <= 80 for line in proc.stdout.splitlines()), proc.stdout


def test_report_table_never_breaks_a_check_id_at_80_columns():
    from rich.console import Console

    from checks.registry import DEFAULT_CHECKS
    from models import CheckResult, Evidence, Report
    from service.commands.check import print_report

    quote = "Accepted on behalf of the Customer Company: Corvid Analytics Inc. Signature: Name: Morgan Franklin"
    ev = Evidence(file="Services_Completion_Letter_Corvid.pdf", part="Services_Completion_Letter_Corvid.pdf > page 2",
                  start=0, end=len(quote), quote=quote)
    results = [CheckResult(id=c.id, status=status, blocking=c.blocking, evidence=[ev],
                           message="customer acknowledgement found: a signed customer signature block",
                           remediation=None if status == "pass" else "Upload POE the customer acknowledged.")
               for c, status in zip(DEFAULT_CHECKS, ["pass", "warn", "fail", "not_applicable"] * 4)]
    report = Report(partner="P", customer="C", workloads=["MDE"], claim_date="2025-04-21", verdict="rejectable",
                    score=40, rules_version="r", checks=results,
                    documents=[{"filename": "Services_Completion_Letter_Corvid.pdf"}])
    console = Console(width=80, record=True, color_system=None)
    print_report(report, console=console)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    for c in results:
        assert re.search(rf"^ ?{c.id}( \*)?\s", text, re.MULTILINE), c.id
    assert "n/a" in text and "page 2:" in text
