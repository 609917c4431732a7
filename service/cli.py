"""The `poecheck` command line. Commands live in service/commands/; they import heavy modules lazily."""
from __future__ import annotations

import sys

import typer

from service.errors import PoecheckError

app = typer.Typer(
    name="poecheck",
    help="Pre-screen Proof of Execution for Microsoft partner incentive claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: readable at 80 columns and in a pipe
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"poecheck {version('poecheck')}")
        except PackageNotFoundError:
            typer.echo("poecheck (not installed as a package)")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                      help="Print poecheck's version and exit."),
) -> None:
    """Pre-screen Proof of Execution for Microsoft partner incentive claims."""


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


def fail(message: str) -> typer.Exit:
    """Print one line on stderr and return the exit (code 2) for the caller to raise."""
    typer.echo(f"poecheck: {message}", err=True)
    return typer.Exit(code=2)


def _register() -> None:
    from service.commands import (  # noqa: F401
        batch,
        check,
        db,
        evaluate,
        inspect,
        payout,
        serve,
    )


#: Commands that judge claims: they load and validate every rule file before any work.
_JUDGING = frozenset({"serve", "check", "batch", "eval"})


def validate_rules() -> None:
    """Stop with `rules_invalid` (the file and field) when a rule file is broken."""
    from checks.rulebook import RuleFileError
    from checks.runner import validate_rules as run_probe
    from service.errors import RulesInvalid

    try:
        run_probe()
    except RuleFileError as exc:
        raise RulesInvalid(str(exc)) from exc


def main() -> None:
    """Entry point: typed errors and usage errors become one line and exit code 2, never a traceback."""
    _register()
    try:
        if len(sys.argv) > 1 and sys.argv[1] in _JUDGING and "--help" not in sys.argv:
            validate_rules()
        command = typer.main.get_command(app)
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
