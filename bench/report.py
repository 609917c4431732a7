"""The machine a run measured, and the Markdown table of a run's figures (bench/RESULTS.md, the README's Benchmarks)."""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def machine() -> dict[str, object]:
    """Cores, CPU model, memory, OS, Python and tesseract versions, and the load when the run started."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    tesseract = "missing"
    if shutil.which("tesseract"):
        out = subprocess.run(["tesseract", "--version"], check=False, capture_output=True, text=True)
        tesseract = (out.stdout or out.stderr).splitlines()[0].removeprefix("tesseract ").strip()
    return {"cores": len(os.sched_getaffinity(0)), "cpu": cpu, "memory_gb": round(int(mem[1]) / 2**20, 1) if mem else None,
            "os": platform.platform(terse=True), "python": platform.python_version(), "tesseract": tesseract,
            "load_average_1min": round(os.getloadavg()[0], 2)}


def _get(data: dict, *keys: str):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _n(x: float) -> str:
    """A figure with as many decimals as its size deserves (3 significant digits, at least the units)."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def _rows(b: dict) -> list[tuple[str, str, str, str, str]]:
    """(what, poecheck, reference measured in the same run, ratio, target) for each figure present."""
    rows = []
    for key, text in (_get(b, "text_bench", "text_extraction") or {}).items():
        rows.append((f"Text extraction, {text['pages']}-page PDF", f"{_n(text['poecheck_ms_per_page'])} ms/page",
                     f"pypdfium2 {_n(text['pypdfium2_ms_per_page'])}, pypdf {_n(text['pypdf_ms_per_page'])} ms/page",
                     f"{text['ratio_vs_pypdfium2']}× / {text['ratio_vs_pypdf']}×", ""))
        if "poecheck_text_ms_per_page" in text:
            ink = (f"; without the signature-ink step (signature labels on {text['signature_label_pages']} of "
                   f"{text['pages']} pages) {_n(text['poecheck_no_ink_ms_per_page'])} ms/page = "
                   f"{text['no_ink_ratio_vs_pypdfium2']}×"
                   ) if "poecheck_no_ink_ms_per_page" in text else ""
            rows.append((f"Text extraction without page images, {text['pages']}-page PDF",
                         f"{_n(text['poecheck_text_ms_per_page'])} ms/page",
                         f"pypdfium2 {_n(text['pypdfium2_ms_per_page'])} ms/page{ink}", f"{text['text_ratio_vs_pypdfium2']}×",
                         f"≤ {text['target_ratio']}×" if text.get("target_ratio") else ""))
    if msg := _get(b, "text_bench", "msg"):
        rows.append((f".msg with {msg['attachments']} PDF attachments ({msg['parts']} parts)",
                     f"{_n(msg['poecheck_ms_per_message'])} ms/message", "", "", ""))
    agreement = _get(b, "ocr_bench", "ocr_agreement")
    for key, ocr in (_get(b, "ocr_bench", "ocr") or {}).items():
        words = f"; words as the CLI's {agreement['agreement']:.2%}" if agreement else ""
        rows.append((f"OCR, {ocr['pages']}-page scan (300 dpi)", f"{ocr['poecheck_ms_per_page']:.0f} ms/page",
                     f"bare `tesseract` {ocr['tesseract_ms_per_page']:.0f} ms/page{words}", f"{ocr['ratio']:.2f}×",
                     f"≤ {ocr['target_ratio']}×"))
    checks = b.get("checks_bench") or {}
    for key in [k for k in checks if k.endswith("p")]:
        c = checks[key]
        ratio, target = "", "≤ 100 ms" if c["pages"] == 10 else ""
        if c["pages"] == 100 and "10p" in checks:  # issue 18: flat per page, and at most 2 ms a page
            ratio = f"{c['ms_per_page'] / checks['10p']['ms_per_page']:.2f}× per page vs 10"
            target = "≤ 2 ms/page, ≤ 1.2× per page vs 10"
        rows.append((f"Checks after ingestion, {c['pages']}-page document", f"{_n(c['ms_per_document'])} ms/document",
                     f"{_n(c['ms_per_page'])} ms/page", ratio, target))
    if cli := b.get("cli_bench"):
        rows.append(("`poecheck check`, 1-page text PDF, wall incl. start-up", f"{_n(cli['check_1p_text_s'])} s",
                     f"`python -c pass` {_n(cli['python_startup_s'])} s; imports {_n(cli['check_imports_s'])} s", "",
                     f"≤ {cli['target_s']} s"))
    for key, label in (("text_1p", "1-page text PDF"), ("ocr_1p", "1-page scan (OCR)")):
        if s := _get(b, "service_bench", key):
            rows.append((f"Service over HTTP, {label}, {s['clients']} clients", f"{_n(s['requests_per_s'])} req/s",
                         f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms ({s['ok']}/{s['requests']} ok)", "", ""))
    if batch := b.get("batch_bench"):
        one = batch["one_worker"]
        for key, label, ratio in (("one_worker", "1 worker", ""), ("two_workers", "2 workers", "speedup_2_vs_1"),
                                  ("dask_2_workers", "Dask LocalCluster, 2 workers", "speedup_dask_vs_1")):
            r = batch[key]
            rows.append((f"Batch, {one['claims']}-claim mixed backlog, {label}", f"{_n(r['claims_per_s'])} claims/s",
                         f"{_n(r['documents_per_s'])} documents/s, {_n(r['wall_s'])} s wall", f"{batch[ratio]:.2f}× vs 1" if ratio else "", ""))
        reuse = batch["reuse"]
        rows.append((f"Reuse detection, {reuse['fingerprints']:,} fingerprints", f"{_n(reuse['seconds'])} s",
                     (f"{reuse['found']}/{reuse['planted_duplicates']} copies found, {reuse['false_matches']} false; "
                      f"save {_n(reuse['store']['save_s'])} s, load {_n(reuse['store']['load_s'])} s"),
                     "", f"≤ {batch['reuse_target_s']} s"))
    if so := b.get("scaleout_bench"):
        for key, label in (("dask_1_worker", "1 Dask worker"), ("dask_2_workers", "2 Dask workers")):
            r = so[key]
            rows.append((f"Async 1-page scans through 1 replica, {label}", f"{_n(r['jobs_per_s'])} checks/s",
                         (f"{r['done']}/{r['jobs']} done in {_n(r['wall_s'])} s (run {so.get('started', '?')}, "
                          f"load {so.get('load_average_1min', '?')})"),
                         f"{so['async_scans_ratio_2_vs_1']:.2f}× vs 1" if key == "dask_2_workers" else "", ""))
        for key, label in (("replicas_1", "1 API replica"), ("replicas_2", "2 API replicas")):
            r = so[key]
            rows.append((f"Sync 1-page text PDFs, {label} on PostgreSQL", f"{_n(r['requests_per_s'])} req/s",
                         f"{r['ok']}/{r['requests']} ok, 4 clients per replica",
                         f"{so['replicas_ratio_2_vs_1']:.2f}× vs 1" if key == "replicas_2" else "", ""))
    if pay := b.get("payout_bench"):
        rows.append((f"Payout, {pay['rows']:,}-row usage CSV", f"{pay['rows_per_s']:,} rows/s",
                     f"peak RSS {_n(pay['peak_mb'])} MB", "", f"≥ {pay['target_rows_per_s']:,} rows/s, < {pay['target_peak_mb']} MB"))
    if mem := b.get("memory_bench"):
        rows.append((f"Worker peak RSS, OCR of a {mem['scan_pages']}-page scan + checks", f"{_n(mem['worker_peak_mb'])} MB",
                     f"one tesseract run beside it {_n(mem['tesseract_peak_mb'])} MB", "", f"< {mem['target_mb']} MB"))
    if ink := _get(b, "ink_bench", "scans"):
        rows.append(("Signature ink measure, scanned page", f"{ink['ink_s_per_page'] * 1000:.0f} ms/page",
                     f"OCR {ink['ocr_s_per_page'] * 1000:.0f} ms/page", f"{ink['ratio_ocr_plus_ink_to_ocr']}×", ""))
    if iso := _get(b, "isolation_bench", "text_pdf"):
        rows.append(("Parser isolation, 1-page text PDF", f"{_n(iso['isolated_ms'])} ms/document",
                     f"in-process {_n(iso['in_process_ms'])} ms", f"{iso['ratio']}×", ""))
    return rows


NOTES = (
    ("Text extraction: poecheck's figure is its whole ingestion of the PDF (text layer, the decision whether a "
    "page needs OCR, the signature-ink measure on pages with a signature label or drawn boxes that can hold a "
    "mark, and the page images kept for reviewers); 'without page images' is the reading alone. The references "
    "only extract text."),
    ("OCR: poecheck's figure is the whole ingestion of the scan (render, OCR by the resident engine, ink "
    "measure, page image) per page; the "
    "reference is the `tesseract` CLI alone on the already rendered page images, with the same options."),
    ("Service: each request is a full check (upload, isolated read, checks, report stored); a scan also keeps "
    "its page image and reads word boxes for the quoted evidence. Clients run on the same 2 cores."),
    "Batch: local wall times include starting the worker processes; the Dask figure excludes the cluster's start.",
    ("Scale-out: the Dask workers, the replicas, PostgreSQL and the clients all share the same cores, so a "
     "second worker or replica can add throughput only where one left a core idle; on more machines each adds "
     "its own cores."),
)


def markdown(results: dict) -> str:
    """The table of one run, headed by the machine it ran on."""
    m = results["machine"]
    head = (f"Measured {results['started']} on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, {m['os']}, "
            f"Python {m['python']}, tesseract {m['tesseract']} (`OMP_THREAD_LIMIT=1`); medians over repeated runs; "
            f"references run on the same files in the same run. Load average when it started: "
            f"{m.get('load_average_1min', '?')}.")
    lines = [head, "",
             "| what | poecheck | reference / detail | ratio | target |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(results["benchmarks"])]
    lines += ["", *(f"- {note}" for note in NOTES)]
    return "\n".join(lines) + "\n"


def write_markdown(results: dict, path: Path) -> Path:
    """Write RESULTS.md and refresh the README's table (between its bench markers, when present)."""
    table = markdown(results)
    path.write_text("# Benchmark results\n\nWritten by `make bench` (`python -m bench`); the docstring of each "
                    "`bench/*_bench.py` module says what it measures.\n\n" + table)
    text = README.read_text()
    if START in text and END in text:
        head, rest = text.split(START, 1)
        README.write_text(head + START + "\n" + table + END + rest.split(END, 1)[1])
    return path
