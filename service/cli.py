"""The `poecheck` entry point: typed errors as one line, rules checked before judging. The commands live in
service/commands/ (registered on service.commands.app.app) and import heavy modules lazily.

A command that reads documents starts its reader process before anything else is imported (Typer, the
commands, the checks), so the reader's own start overlaps this process's."""
from __future__ import annotations

import sys

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


def main() -> None:
    """Entry point: typed errors and usage errors become one line and exit code 2, never a traceback."""
    command_name = sys.argv[1] if len(sys.argv) > 1 and "--help" not in sys.argv else None
    if command_name in _READING:
        from service.reading import start_command_reader  # lazy: start-up (first, so the reader loads meanwhile)

        start_command_reader(expect=[a for a in sys.argv[2:] if not a.startswith("-")])  # the files, among others
    import typer  # lazy: start-up (after the reader's start)

    try:
        if command_name in _JUDGING:
            validate_rules()
        command = typer.main.get_command(poecheck_app())
        _plain_metavars(command)
        code = command.main(prog_name="poecheck", standalone_mode=False)
    except PoecheckError as exc:
        typer.echo(f"poecheck: {exc.code}: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        typer.echo("poecheck: aborted", err=True)
        sys.exit(130)
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
    if isinstance(code, int) and code:
        sys.exit(code)
