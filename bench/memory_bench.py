"""Peak RSS of a worker process that OCRs the 10-page scan and checks it (target < 400 MB).

The worker is a fresh `python -m bench.memory_bench --measure SCAN CLAIM` process: it loads what a batch or
service worker loads (ingestion and the checks), reads the scan in-process (one OCR process at a time,
as a worker does) and runs the checks. Reported: its peak RSS (VmHWM: ru_maxrss of a process started from
a big parent counts the parent's pages too) and, apart, that of one tesseract run on its first page
(`/usr/bin/time`), which runs beside the worker.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.inputs import Inputs

TARGET_MB = 400


def measure(scan: Path, claim_path: Path) -> dict[str, float]:
    """Ingest `scan` and run the checks in this process; peak RSS of the process and of its largest child."""
    import tempfile

    from checks.base import CheckContext
    from checks.runner import run_checks
    from service.claims import load_claim
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    claim = load_claim(claim_path)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), ocr_workers=1)
        doc = ingest_path(scan, settings=settings)
        run_checks(claim, [doc], CheckContext.for_claim(claim))
        peak = vm_hwm_mb()
        tesseract = _tesseract_peak_mb(scan, Path(tmp), settings.ocr_dpi)
    return {"pages": len(doc.parts), "worker_peak_mb": peak, "tesseract_peak_mb": tesseract}


def vm_hwm_mb() -> float:
    """This process's peak resident set (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _tesseract_peak_mb(scan: Path, tmp: Path, dpi: int) -> float | None:
    """Peak RSS of tesseract reading the scan's first page as poecheck calls it (None without /usr/bin/time)."""
    import pypdfium2 as pdfium

    from service.ingest.ocr import LANG, PSM

    if not Path("/usr/bin/time").exists():
        return None
    pdf = pdfium.PdfDocument(scan)
    try:
        pdf[0].render(scale=dpi / 72).to_pil().convert("L").save(tmp / "page.pgm")
    finally:
        pdf.close()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "tesseract", str(tmp / "page.pgm"), "stdout", "-l", LANG,
                          "--psm", str(PSM), "--dpi", str(dpi), "tsv"], capture_output=True, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def run(inputs: Inputs) -> dict[str, object]:
    """Peak RSS of a fresh worker process reading the largest scan."""
    pages = max(inputs.scan_pdfs)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    out = subprocess.run([sys.executable, "-m", "bench.memory_bench", "--measure", str(inputs.scan_pdfs[pages]),
                          str(inputs.claim)], env=env, check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    figures = json.loads(out.stdout.splitlines()[-1])
    tesseract = figures["tesseract_peak_mb"]
    return {"scan_pages": figures["pages"], "worker_peak_mb": round(figures["worker_peak_mb"], 1),
            "tesseract_peak_mb": None if tesseract is None else round(tesseract, 1), "target_mb": TARGET_MB}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[2]), Path(sys.argv[3]))))
