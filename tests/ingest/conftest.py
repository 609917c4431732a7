"""Session cache of `poecheck inspect --json` runs, so each corpus file is OCR'd once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from models.document import Document


@dataclass(frozen=True)
class Inspected:
    exit_code: int
    docs: list[Document]
    stderr: str
    stdout: str


@pytest.fixture(scope="session")
def inspect_file():
    """Run the inspect command in-process on one file (cached per session)."""
    # every command registered, as `poecheck` has them (one alone would become the root)
    from service.cli import poecheck_app

    app = poecheck_app()

    cache: dict[Path, Inspected] = {}
    runner = CliRunner()

    def run(path: Path) -> Inspected:
        if path not in cache:
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("POECHECK_OCR_WORKERS", "2")
                result = runner.invoke(app, ["inspect", "--json", str(path)])
            docs = (
                [Document.model_validate(d) for d in json.loads(result.stdout)]
                if result.stdout.strip()
                else []
            )
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise result.exception
            cache[path] = Inspected(result.exit_code, docs, result.stderr, result.stdout)
        return cache[path]

    return run
