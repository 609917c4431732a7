"""`poecheck eval CORPUS_DIR`: agreement of the checks and payouts with a labelled corpus."""
from __future__ import annotations

from pathlib import Path

import typer

from service.commands.app import app, fail


@app.command("eval")
def evaluate(
    corpus: Path = typer.Argument(..., help="Labelled corpus folder (labels.jsonl, claims/, docs/)."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Score a labelled corpus: verdict/check agreement, confusion matrix, false approvals, payouts."""
    # loaded when this command runs, not for --help or another command
    from service.corpus_eval import evaluate_corpus

    if not corpus.is_dir():
        raise fail(f"not a folder: {corpus}")
    summary = evaluate_corpus(corpus)
    if json_out:
        typer.echo(summary.model_dump_json(indent=2))
        return
    _print_summary(summary)


def _print_summary(s) -> None:
    # rich only for the table output, not --json
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"cases {s.cases}  verdict agreement {s.verdict_agreement:.3f}  "
                  f"check agreement {s.check_agreement:.3f}  false approvals {s.false_approvals}")
    if s.payout_agreement is not None:
        console.print(f"payout cases {s.payout_cases}  payout agreement {s.payout_agreement:.3f}")
    conf = Table(title="confusion (rows: expected, columns: got)")
    conf.add_column("expected")
    verdicts = list(s.confusion)
    for v in verdicts:
        conf.add_column(v, justify="right")
    for exp, row in s.confusion.items():
        conf.add_row(exp, *(str(row.get(v, 0)) for v in verdicts))
    console.print(conf)
    per = Table(title="per check")
    for col in ("check", "labelled", "agree"):
        per.add_column(col)
    for cid, c in s.per_check.items():
        per.add_row(cid, str(c["labelled"]), str(c["agree"]))
    console.print(per)
    for m in s.mismatches:
        why = ", ".join(f"{k}: expected {v['expected']} got {v['got']}" for k, v in m.checks.items())
        console.print(f"[red]{m.case}[/]: expected {m.expected_verdict}, got {m.verdict}" + (f" — {why}" if why else ""))
    for case, err in s.errors.items():
        console.print(f"[red]{case}[/]: error {err}")
    for line in s.payout_mismatches:
        console.print(f"[red]payout[/] {line}")
