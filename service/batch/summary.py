"""Batch outputs, regenerated from the store after every run: reports.jsonl, summary.csv, summary.html."""
from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment

from models.report import VERDICTS
from service.batch.inputs import BatchItem
from service.store.batch import BatchKey, BatchResult

CSV_COLUMNS = ("claim", "partner", "customer", "verdict", "score", "failing_checks", "payout_dollars", "error",
               "error_message", "report_id")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A cell a spreadsheet shows as text: text starting like a formula (=, +, -, @, tab, CR) gets a
    leading apostrophe (OWASP's CSV injection advice); numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _rows(items: Sequence[BatchItem], results: dict[BatchKey, BatchResult]) -> list[tuple[str, BatchResult]]:
    by_claim = {k.claim_key: r for k, r in results.items()}
    return [(it.claim_id, by_claim[it.claim_id]) for it in items if it.claim_id in by_claim]


def failing(result: BatchResult) -> list[str]:
    """Ids of the checks that failed or warned."""
    return [c.id for c in result.report.checks if c.status in ("fail", "warn")] if result.report else []


def report_url(server_url: str | None, report_id: str | None) -> str | None:
    """The report page of a claim on the server the store belongs to, when its URL is known."""
    if not server_url or not report_id:
        return None
    return f"{server_url.rstrip('/')}/reports/{report_id}"


def write_outputs(out_dir: Path, items: Sequence[BatchItem], results: dict[BatchKey, BatchResult], *,
                  server_url: str | None = None, batch_id: str = "") -> tuple[Path, ...]:
    """Write the three outputs for the claims of `items` that have a stored result (input order)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = _rows(items, results)
    lines = []
    for claim_id, r in rows:
        if r.report is not None:
            obj = {"claim": claim_id, "status": "ok", "report_id": r.report_id,
                   "report": json.loads(r.report.model_dump_json())}
        else:
            obj = {"claim": claim_id, "status": "error", "error": {"code": r.error_code, "message": r.error_message}}
        lines.append(json.dumps(obj, ensure_ascii=False))
    jsonl = out_dir / "reports.jsonl"
    _atomic_write(jsonl, "".join(line + "\n" for line in lines))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for claim_id, r in rows:
        rep = r.report
        writer.writerow([csv_cell(v) for v in (
            claim_id, r.partner or "", r.customer or "", rep.verdict if rep else "error", rep.score if rep else "",
            ";".join(failing(r)), f"{rep.payout.total_dollars:.2f}" if rep and rep.payout else "", r.error_code or "",
            r.error_message or "", r.report_id or "")])
    csv_path = out_dir / "summary.csv"
    _atomic_write(csv_path, buf.getvalue())
    html = out_dir / "summary.html"
    _atomic_write(html, render_html(rows, server_url=server_url, batch_id=batch_id))
    return jsonl, csv_path, html


def duplicate_clusters(rows: Sequence[tuple[str, BatchResult]]) -> list[list[dict]]:
    """Groups of claims linked by template_reuse matches (connected components), largest first."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    partner = {cid: r.partner for cid, r in rows}
    best: dict[str, float] = {}
    for cid, r in rows:
        for c in r.report.checks if r.report else ():
            if c.id == "template_reuse" and c.status == "fail":
                for m in c.details.get("matches", []):
                    parent[find(m["claim_id"])] = find(cid)
                    partner.setdefault(m["claim_id"], m.get("partner"))
                    best[cid] = max(best.get(cid, 0.0), float(m.get("similarity", 0.0)))
    groups: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    clusters = [[{"claim": c, "partner": partner.get(c) or "", "similarity": best.get(c)} for c in sorted(g)]
                for g in groups.values() if len(g) > 1]
    return sorted(clusters, key=lambda g: (-len(g), g[0]["claim"]))


def _stats(rows: Sequence[tuple[str, BatchResult]]) -> dict:
    verdicts = Counter(r.report.verdict if r.report else "error" for _, r in rows)
    fails = Counter(cid for _, r in rows for cid in failing(r))
    partners: dict[str, dict] = {}
    paid = held = 0.0
    for _, r in rows:
        p = partners.setdefault(r.partner or "(unknown)", {v: 0 for v in (*VERDICTS, "error")} | {
            "claims": 0, "score_sum": 0, "scored": 0, "payout": 0.0})
        p["claims"] += 1
        if r.report is None:
            p["error"] += 1
            continue
        p[r.report.verdict] += 1
        p["score_sum"] += r.report.score
        p["scored"] += 1
        if r.report.payout is not None:
            p["payout"] += r.report.payout.total_dollars
            paid += r.report.payout.total_dollars
            held += r.report.payout.total_held_dollars
    for p in partners.values():
        p["mean_score"] = round(p["score_sum"] / p["scored"]) if p["scored"] else None
    return {"verdicts": verdicts, "fails": fails.most_common(10), "partners": dict(sorted(partners.items())),
            "paid": paid, "held": held}


def chart_svg(verdicts: Counter, fails: list[tuple[str, int]]) -> str:
    """Inline SVG: verdict counts and the most frequent failing checks (matplotlib, no files)."""
    import matplotlib  # matplotlib (about 0.3 s) only when a chart is drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after choosing the Agg backend above

    labels = [v for v in (*VERDICTS, "error") if verdicts.get(v)]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1, 2]})
    colors = {"approvable": "#2e7d32", "needs_more_poe": "#f9a825", "rejectable": "#c62828", "error": "#757575"}
    ax1.bar(labels, [verdicts[v] for v in labels], color=[colors[v] for v in labels])
    ax1.set_title("verdicts")
    ax1.tick_params(axis="x", labelrotation=20)
    names = [n for n, _ in fails][::-1]
    ax2.barh(names, [c for _, c in fails][::-1], color="#546e7a")
    ax2.set_title("most frequent failing or warning checks")
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>poecheck batch summary</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}th{background:#f3f3f3}.n{text-align:right}</style>
</head><body>
<h1>Batch summary</h1>
<p>{{ total }} claims{% if batch_id %} (batch <code>{{ batch_id }}</code>{% if queue_url %}:
<a href="{{ queue_url }}">open in the reviewer queue</a>{% endif %}){% endif %}.
Payout: ${{ "{:,.2f}".format(paid) }} paid, ${{ "{:,.2f}".format(held) }} held.</p>
{% if failed %}<h2 id="errors">Claims that could not be checked ({{ failed | length }})</h2>
<table><tr><th>claim</th><th>partner</th><th>error</th><th>message</th></tr>
{% for c in failed %}<tr><td>{{ c.claim }}</td><td>{{ c.partner }}</td><td><code>{{ c.code }}</code></td>
<td>{{ c.message }}</td></tr>{% endfor %}</table>{% endif %}
<h2>Verdicts</h2>
<table><tr><th>verdict</th><th>claims</th></tr>
{% for v, n in verdicts %}<tr><td>{{ v }}</td><td class="n">{{ n }}</td></tr>{% endfor %}</table>
<figure>{{ chart | safe }}</figure>
<h2>Most frequent failing checks</h2>
<table><tr><th>check</th><th>claims (fail or warn)</th></tr>
{% for c, n in fails %}<tr><td>{{ c }}</td><td class="n">{{ n }}</td></tr>{% endfor %}</table>
<h2>Per partner</h2>
<table><tr><th>partner</th><th>claims</th><th>approvable</th><th>needs_more_poe</th><th>rejectable</th>
<th>error</th><th>mean score</th><th>payout</th></tr>
{% for name, p in partners.items() %}<tr><td>{{ name }}</td><td class="n">{{ p.claims }}</td>
<td class="n">{{ p.approvable }}</td><td class="n">{{ p.needs_more_poe }}</td><td class="n">{{ p.rejectable }}</td>
<td class="n">{{ p.error }}</td><td class="n">{{ p.mean_score if p.mean_score is not none else "" }}</td>
<td class="n">${{ "{:,.2f}".format(p.payout) }}</td></tr>{% endfor %}</table>
<h2 id="claims">Claims</h2>
<table><tr><th>claim</th><th>partner</th><th>customer</th><th>verdict</th><th>score</th><th>failing or warning checks</th>
<th>report</th></tr>
{% for c in claims %}<tr><td>{{ c.claim }}</td><td>{{ c.partner }}</td><td>{{ c.customer }}</td><td>{{ c.verdict }}</td>
<td class="n">{{ c.score }}</td><td>{{ c.failing }}</td>
<td>{% if c.url %}<a href="{{ c.url }}">open</a>{% elif c.report_id %}<code>{{ c.report_id }}</code>{% endif %}</td>
</tr>{% endfor %}</table>
<h2>Duplicate clusters (template reuse)</h2>
{% if clusters %}<table><tr><th>cluster</th><th>claim</th><th>partner</th><th>similarity to an earlier claim</th></tr>
{% for g in clusters %}{% set n = loop.index %}{% for c in g %}<tr><td>{{ n }}</td><td>{{ c.claim }}</td>
<td>{{ c.partner }}</td><td>{{ "{:.0%}".format(c.similarity) if c.similarity is not none else "(earliest)" }}</td>
</tr>{% endfor %}{% endfor %}</table>{% else %}<p>None found.</p>{% endif %}
</body></html>
"""


def render_html(rows: Sequence[tuple[str, BatchResult]], *, server_url: str | None = None,
                batch_id: str = "") -> str:
    """The HTML summary (self-contained: the chart is inline SVG): the claims that errored with their
    messages, and every claim linked to its report page when the server's URL is given."""
    s = _stats(rows)
    verdicts = [(v, s["verdicts"][v]) for v in (*VERDICTS, "error") if s["verdicts"].get(v)]
    failed = [{"claim": cid, "partner": r.partner or "", "code": r.error_code, "message": r.error_message or ""}
              for cid, r in rows if r.report is None]
    claims = [{"claim": cid, "partner": r.partner or "", "customer": r.customer or "",
               "verdict": r.report.verdict if r.report else f"error: {r.error_code}",
               "score": r.report.score if r.report else "", "failing": ", ".join(failing(r)),
               "report_id": r.report_id, "url": report_url(server_url, r.report_id)} for cid, r in rows]
    queue_url = f"{server_url.rstrip('/')}/queue?batch={quote(batch_id)}" if server_url and batch_id else None
    return Environment(autoescape=True).from_string(_TEMPLATE).render(
        total=len(rows), paid=s["paid"], held=s["held"], verdicts=verdicts, fails=s["fails"],
        partners=s["partners"], clusters=duplicate_clusters(rows), chart=chart_svg(s["verdicts"], s["fails"]),
        failed=failed, claims=claims, batch_id=batch_id, queue_url=queue_url)
