"""The `poecheck` Typer app the command modules register on, and `fail` for their one-line errors."""
from __future__ import annotations

import typer

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
        from importlib.metadata import PackageNotFoundError, version  # only for --version (metadata scan)

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


def fail(message: str) -> typer.Exit:
    """Print one line on stderr and return the exit (code 2) for the caller to raise."""
    typer.echo(f"poecheck: {message}", err=True)
    return typer.Exit(code=2)
