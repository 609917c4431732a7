"""A plainly written `poecheck check` runs without Typer (service.cli.plain_check_arguments): the same arguments as
Typer parses, the same report and exit status, and every other command line left to Typer."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import plain_check_arguments

POECHECK = Path(sys.executable).parent / "poecheck"
DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
LETTER = str(DEV / "docs" / "dev-014" / "Certificate_of_Project_Completion_Amberfield.pdf")
CLAIM = str(DEV / "claims" / "dev-014.json")
TRUST = str(DEV / "trust")


def _typer_arguments(args: list[str]) -> dict | None:
    """What the Typer command hands to run_check for `poecheck check *args` (None: it stops before, e.g. with a
    usage error or its help)."""
    import typer

    import service.commands.check as check_command
    from service.cli import poecheck_app

    seen: list[dict] = []

    def capture(files, **kwargs):
        seen.append({"files": files, **kwargs})
        return 0

    original, check_command.run_check = check_command.run_check, capture
    try:
        typer.main.get_command(poecheck_app()).main(["check", *args], prog_name="poecheck", standalone_mode=False)
    except Exception:  # noqa: BLE001 - a usage error: Typer's to report
        return None
    finally:
        check_command.run_check = original
    if not seen:
        return None
    defaults = {"json_out": False, "trust_roots": None, "exit_zero": False}
    return {**defaults, **seen[0]}


@pytest.mark.parametrize("args", [
    pytest.param([LETTER, "--claim", CLAIM], id="file-claim"),
    pytest.param(["--claim", CLAIM, LETTER], id="claim-first"),
    pytest.param([LETTER, "-c", CLAIM, "--json"], id="short-claim-json"),
    pytest.param([LETTER, f"--claim={CLAIM}", "--exit-zero", LETTER], id="claim-equals-two-files"),
    pytest.param([LETTER, "--claim", CLAIM, "--trust-roots", TRUST, "--json", "--exit-zero"], id="all"),
    pytest.param([LETTER, "--claim", CLAIM, f"--trust-roots={TRUST}"], id="trust-equals"),
    pytest.param([LETTER, "--claim", CLAIM, "--trust-roots", "system"], id="trust-system"),
    pytest.param(["/nonexistent/letter.pdf", "--claim", CLAIM], id="missing-file"),
])
def test_a_plain_command_line_gets_the_arguments_typer_gives(args):
    plain = plain_check_arguments(args)
    assert plain is not None
    assert {"json_out": False, "trust_roots": None, "exit_zero": False, **plain} == _typer_arguments(args)


@pytest.mark.parametrize("args", [
    pytest.param([], id="nothing"),
    pytest.param([LETTER], id="no-claim"),
    pytest.param(["--claim", CLAIM], id="no-file"),
    pytest.param([LETTER, "--claim"], id="claim-without-value"),
    pytest.param([LETTER, "--claim", CLAIM, "--claim", CLAIM], id="claim-twice"),
    pytest.param([LETTER, "--claim", CLAIM, "--json", "--json"], id="flag-twice"),
    pytest.param([LETTER, "--claim", CLAIM, "--help"], id="help"),
    pytest.param([LETTER, "--claim", CLAIM, "-h"], id="h"),
    pytest.param([LETTER, "--claim", CLAIM, "--bogus"], id="unknown-option"),
    pytest.param([LETTER, "--claim", CLAIM, "--json=1"], id="flag-with-value"),
    pytest.param([LETTER, f"-c{CLAIM}"], id="short-glued"),
    pytest.param(["--claim", CLAIM, "--", LETTER], id="double-dash"),
    pytest.param(["-", "--claim", CLAIM], id="dash-file"),
    pytest.param(["", "--claim", CLAIM], id="empty-file"),
    pytest.param([LETTER, "--claim", "--json"], id="option-as-value"),
])
def test_any_other_command_line_is_left_to_typer(args):
    assert plain_check_arguments(args) is None


def _run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "COLUMNS": "80"}
    command = [str(POECHECK), *args] if code is None else [sys.executable, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=env, check=False)


def _without_time(output: str) -> dict:
    report = json.loads(output)
    report.pop("created_at")
    return report


@pytest.mark.parametrize("extra", [pytest.param(("--json",), id="json"), pytest.param((), id="table")])
def test_plain_and_typer_print_the_same_report_with_the_same_status(extra):
    plain = _run("check", LETTER, "--claim", CLAIM, "--trust-roots", TRUST, *extra)
    typer = _run("check", "--claim", CLAIM, "--trust-roots", TRUST, *extra, "--", LETTER)  # `--`: Typer parses it
    assert plain.returncode == typer.returncode == 1, plain.stderr + typer.stderr  # dev-014 is rejectable
    assert plain.stderr == typer.stderr == ""
    if extra:
        assert _without_time(plain.stdout) == _without_time(typer.stdout)
    else:
        assert plain.stdout == typer.stdout
        assert plain.stdout.startswith("rejectable")


def test_a_plain_check_does_not_load_typer():
    code = ("import sys\nfrom service.cli import main\nsys.argv[0] = 'poecheck'\ntry:\n    main()\n"
            "except SystemExit as exc:\n    assert exc.code == 1, exc.code\n"
            "assert 'typer' not in sys.modules and 'click' not in sys.modules, 'Typer loaded'\n")
    proc = _run("check", LETTER, "--claim", CLAIM, "--json", code=code)
    assert proc.returncode == 0, proc.stderr
    assert _without_time(proc.stdout)["verdict"] == "rejectable"


def test_bad_input_in_a_plain_check_is_one_line_and_exit_2():
    proc = _run("check", "/nonexistent/letter.pdf", "--claim", CLAIM)
    assert proc.returncode == 2
    assert proc.stderr.startswith("poecheck: ") and proc.stderr.count("\n") == 1, proc.stderr
