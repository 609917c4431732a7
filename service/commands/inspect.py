"""`poecheck inspect FILE... [--json] [--text]`: show how each file was parsed."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from service.commands.app import app
from service.ingest.registry import ACCEPTED

if TYPE_CHECKING:
    from models.document import Document


@app.command()
def inspect(
    files: Annotated[list[Path], typer.Argument(help=f"{ACCEPTED} files.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the parsed documents as JSON.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Also print each part's text.")] = False,
) -> None:
    """Print the parsed document: parts, text source, OCR confidence, e-mail metadata, warnings."""
    # loaded when this command runs, not for --help or another command
    from service.config import get_settings
    from service.errors import PoecheckError
    from service.reading import read_document

    settings = get_settings().model_copy(update={"page_images": False})  # nothing is kept: no page images
    docs: list[Document] = []
    failed = 0
    for path in files:
        try:
            docs.append(read_document(path, settings=settings))
        except PoecheckError as exc:
            failed += 1
            typer.echo(f"poecheck: {path}: {exc.code}: {exc.message}", err=True)
            continue
        if not json_out:
            _show(docs[-1], text=text)
    if json_out:
        typer.echo(json.dumps([d.model_dump(mode="json") for d in docs], ensure_ascii=False, indent=2))
    if failed:
        raise SystemExit(2)  # not typer.Exit: cli.main() runs click with standalone_mode=False


def _show(doc: Document, *, text: bool) -> None:
    # rich only for the table output, not --json
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)  # piped: keep part paths on one line
    say = functools.partial(console.print, markup=False)
    console.print(
        Text(doc.filename, style="bold"),
        f"  {doc.media_type}  {doc.size:,} bytes  sha256 {doc.sha256[:12]}  {len(doc.parts)} parts",
    )
    table = Table()
    for column in ("part", "kind", "source", "OCR conf", "chars", "size px", "warn"):
        table.add_column(
            column, overflow="fold", justify="right" if column in ("OCR conf", "chars") else "left"
        )
    for part in doc.parts:
        conf = f"{part.ocr_confidence:.0f}" if part.ocr_confidence is not None else ""
        size = f"{part.width}x{part.height}" if part.width else ""
        table.add_row(
            Text(part.path),
            part.kind,
            part.source,
            conf,
            str(len(part.text)),
            size,
            str(len(part.warnings) or ""),
        )
    console.print(table)
    for part in doc.parts:
        if part.email is not None:
            e = part.email
            say(
                f"{part.path}: from {e.sender or '?'}; to {', '.join(e.to) or '?'}"
                f"{'; cc ' + ', '.join(e.cc) if e.cc else ''}; sent {e.sent or '?'}; "
                f"subject {e.subject or '(none)'}; class {e.message_class or 'MIME'}"
            )
        for warning in part.warnings if part.kind != "attachment" else ():  # those repeat doc.warnings
            say(f"warning: {part.path}: {warning}")
        if text and part.text:
            console.rule(Text(part.path))
            say(part.text)
        elif part.kind == "annotation":  # signature boxes, stamps, form fields: short, and easy to miss
            for line in part.text.splitlines():
                say(f"{part.path}: {line}")
    for sig in doc.signatures:
        say(
            f"signature {sig.field} in {sig.file}: intact={sig.intact} trusted={sig.trusted} "
            f"signer={sig.signer_name or '?'} {sig.summary}"
        )
    for warning in doc.warnings:
        say(f"warning: {warning}")
    console.print()
