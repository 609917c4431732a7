"""The `poecheck` entry point: typed errors as one line, rules checked before judging. The commands live in
service/commands/ (registered on service.commands.app.app) and import heavy modules lazily.

A command that reads documents starts its reader process before anything else is imported (Typer, the
commands, the checks), so the reader's own start overlaps this process's."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.errors import PoecheckError, RulesInvalid


def poecheck_app():
    """The Typer app with every command registered, as `poecheck` runs it."""
    # lazy: start-up (a reading command's reader process starts before Typer and the commands load)
    from service.commands import batch, check, db, evaluate, inspect, payout, serve  # noqa: F401  (they register)
    from service.commands.app import app

    return app


def _plain_metavars(command) -> None:
    """Every argument and option that takes a value shows a name (FILE, CLAIM) in help, never a Python
    type such as <path> or <list[Path]>: the commands' own metavars, else the parameter's name."""
    for param in command.params:
        if param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None  # typer adds the type (<path>) to arguments' help
        if getattr(param, "is_flag", False) or param.metavar is not None:
            continue
        param.metavar = (param.name or "value").upper()
    for sub in getattr(command, "commands", {}).values():
        _plain_metavars(sub)


#: Commands that judge claims: they load and validate every rule file before any work.
_JUDGING = frozenset({"serve", "check", "batch", "eval"})
#: Commands that read documents: a reader process starts first, loading while the rules load here.
_READING = frozenset({"check", "inspect", "eval"})


def validate_rules() -> None:
    """Stop with `rules_invalid` (the file and field) when a rule file is broken. The checks themselves load
    later (the rule files alone are validated here, or found valid by their stamp)."""
    from checks.rulebook import RuleFileError, validate_all  # lazy: start-up (only the commands that judge)

    try:
        validate_all()
    except RuleFileError as exc:
        raise RulesInvalid(str(exc)) from exc


#: `poecheck check`'s options: those that take a value (by their names) and the flags (see plain_check_arguments).
_CHECK_VALUES = {"--claim": "claim", "-c": "claim", "--trust-roots": "trust_roots"}
_CHECK_FLAGS = {"--json": "json_out", "--exit-zero": "exit_zero"}


def plain_check_arguments(args: Sequence[str]) -> dict[str, Any] | None:
    """The arguments of service.commands.check_report.run_check for a `poecheck check` command line written
    plainly (files, `--claim X`, `-c X` or `--claim=X`, `--trust-roots X`, `--json`, `--exit-zero`, each option
    at most once, every path readable where it exists), as Typer would parse them; None for any other command
    line (help, `--`, a missing or odd argument): Typer parses that one, with its help and usage errors."""
    found: dict[str, Any] = {"files": []}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _CHECK_FLAGS and not eq and _CHECK_FLAGS[name] not in found:
            found[_CHECK_FLAGS[name]] = True
        elif name in _CHECK_VALUES and _CHECK_VALUES[name] not in found:
            if not eq:
                value = rest.pop(0) if rest else ""
            if not value or value.startswith("-"):
                return None
            found[_CHECK_VALUES[name]] = value
        elif arg.startswith("-") or not arg:
            return None
        else:
            found["files"].append(arg)
    if not found["files"] or "claim" not in found:
        return None
    paths = [*found["files"], found["claim"], *([found["trust_roots"]] if "trust_roots" in found else [])]
    if any(os.path.exists(p) and not os.access(p, os.R_OK) for p in paths):  # Typer's "is not readable"
        return None
    found["files"] = [Path(f) for f in found["files"]]
    found["claim"] = Path(found["claim"])
    if "trust_roots" in found:
        found["trust_roots"] = Path(found["trust_roots"])
    return found


def main() -> None:
    """Entry point: typed errors and usage errors become one line and exit code 2, never a traceback.

    A plainly written `poecheck check` runs without Typer (its import and its app's building cost about a tenth
    of the command's start); every other command line goes through Typer."""
    command_name = sys.argv[1] if len(sys.argv) > 1 and "--help" not in sys.argv else None
    if command_name in _READING:
        from service.reading import start_command_reader  # lazy: start-up (first: the reader loads meanwhile)

        start_command_reader(expect=[a for a in sys.argv[2:] if not a.startswith("-")])  # the files, among others
    plain = plain_check_arguments(sys.argv[2:]) if command_name == "check" else None
    try:
        if command_name in _JUDGING:
            validate_rules()
        code = _run_typer() if plain is None else _run_plain(plain)
    except PoecheckError as exc:
        _echo_error(f"poecheck: {exc.code}: {exc.message}")
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, EOFError):
        _echo_error("poecheck: aborted")
        sys.exit(130)
    except Exception as exc:
        line = _settings_error(exc)
        if line is None:
            raise
        _echo_error(line)
        sys.exit(2)
    if isinstance(code, int) and code:
        sys.exit(code)


def _settings_error(exc: Exception) -> str | None:
    """One line naming each bad POECHECK_* value when `exc` is Settings' validation error, else None."""
    from pydantic import ValidationError  # lazy: only on a failure, never before the reader's fork

    if not isinstance(exc, ValidationError) or exc.title != "Settings":
        return None
    bad = "; ".join(f"POECHECK_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
    return f"poecheck: invalid_setting: {bad}"


def _run_plain(arguments: dict[str, Any]) -> int:
    """`poecheck check` from plain_check_arguments' arguments: its exit status."""
    from service.commands.check_report import run_check  # lazy: start-up (after the reader's start)

    try:
        return run_check(**arguments)
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\n")  # as click does before its Abort
        raise


def _run_typer() -> int | None:
    """The command line run by the Typer app: its exit status; usage errors are one line, exit code 2."""
    import typer  # lazy: start-up (after the reader's start)

    try:
        command = typer.main.get_command(poecheck_app())
        _plain_metavars(command)
        return command.main(prog_name="poecheck", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        raise KeyboardInterrupt from None
    except PoecheckError:
        raise
    except Exception as exc:
        # usage errors come from the click bundled with typer; duck-typed to avoid a private import
        message = getattr(exc, "format_message", None)
        if message is None or not isinstance(getattr(exc, "exit_code", None), int):
            raise
        if type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: the help, on stdout
            typer.echo(message())
        elif message():
            typer.echo(f"poecheck: usage: {message()} (see --help)", err=True)
        sys.exit(2)


def _echo_error(line: str) -> None:
    """`line` on stderr as typer.echo writes it (which, outside a terminal, drops ANSI styles: Typer then)."""
    if "\x1b" in line:
        import typer  # lazy: start-up (only for a message holding an escape sequence, e.g. from a file name)

        typer.echo(line, err=True)
        return
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
