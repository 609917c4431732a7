"""Ingestion against what a user would otherwise run, on the same files, paired in one run.

Text PDFs (1, 10, 100 pages): poecheck's ingestion ms/page (text layer, the OCR decision, signature ink)
against raw pypdfium2 and raw pypdf text extraction. The .msg: ms per message with its attachments. Scans
(1, 10 pages): poecheck's ingestion per page (render, OCR, parse) against the bare `tesseract` CLI on the
rendered page images, same options. Ingestion runs in-process here; parser isolation is isolation_bench's.
"""
from __future__ import annotations

import io
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.inputs import Inputs

OCR_TARGET_RATIO = 0.85  # issue 18: a resident engine beats starting the CLI per page
ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _pypdfium2_text(path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        pdf.close()


def _pypdf_text(path: Path) -> None:
    import pypdf

    for page in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages:
        page.extract_text()


def _paired_seconds(fns: dict[str, Callable[[], object]], reps: int) -> dict[str, float]:
    """Median seconds of each function, run in turn `reps` times (after one untimed warm-up round)."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def text_extraction(inputs: Inputs) -> dict[str, dict]:
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    settings = Settings(data_dir=inputs.folder / "data")
    out = {}
    for pages, path in inputs.text_pdfs.items():
        s = _paired_seconds({"poecheck": lambda p=path: ingest_path(p, settings=settings),
                             "pypdfium2": lambda p=path: _pypdfium2_text(p),
                             "pypdf": lambda p=path: _pypdf_text(p)}, inputs.profile.reps)
        out[f"{pages}p"] = {"pages": pages, **{f"{k}_ms_per_page": round(v * 1000 / pages, 3) for k, v in s.items()},
                            "ratio_vs_pypdfium2": round(s["poecheck"] / s["pypdfium2"], 2),
                            "ratio_vs_pypdf": round(s["poecheck"] / s["pypdf"], 2)}
    return out


def msg_ingestion(inputs: Inputs) -> dict[str, object]:
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    settings = Settings(data_dir=inputs.folder / "data")
    doc = ingest_path(inputs.msg, settings=settings)
    s = _paired_seconds({"poecheck": lambda: ingest_path(inputs.msg, settings=settings)}, inputs.profile.reps)
    return {"bytes": inputs.msg.stat().st_size, "parts": len(doc.parts),
            "attachments": len({p.path.split(" > ")[1] for p in doc.parts if p.path.count(" > ") >= 2}),
            "poecheck_ms_per_message": round(s["poecheck"] * 1000, 2)}


def _render(path: Path, folder: Path, dpi: int) -> list[Path]:
    """The PDF's pages as greyscale PNM files at `dpi` (what poecheck hands tesseract)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    out = []
    try:
        for index, page in enumerate(pdf):
            target = folder / f"{path.stem}-{index + 1}.pgm"
            page.render(scale=dpi / 72).to_pil().convert("L").save(target)
            out.append(target)
            page.close()
    finally:
        pdf.close()
    return out


def _bare_tesseract(images: list[Path], dpi: int) -> None:
    from service.ingest.ocr import LANG, PSM

    for image in images:
        subprocess.run(["tesseract", str(image), "stdout", "-l", LANG, "--psm", str(PSM), "--dpi", str(dpi), "tsv"],
                       capture_output=True, env=ENV, check=True)


def ocr(inputs: Inputs) -> dict[str, dict]:
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    settings = Settings(data_dir=inputs.folder / "data", ocr_workers=1)
    out = {}
    with tempfile.TemporaryDirectory(dir=inputs.folder) as tmp:
        for (pages, path), reps in zip(inputs.scan_pdfs.items(), inputs.profile.scan_reps, strict=True):
            images = _render(path, Path(tmp), settings.ocr_dpi)
            times: dict[str, list[float]] = {"poecheck": [], "tesseract": []}
            for _ in range(reps):
                for name, fn in (("poecheck", lambda p=path: ingest_path(p, settings=settings)),
                                 ("tesseract", lambda i=images: _bare_tesseract(i, settings.ocr_dpi))):
                    start = time.perf_counter()
                    fn()
                    times[name].append((time.perf_counter() - start) / pages)
            poe, bare = statistics.median(times["poecheck"]), statistics.median(times["tesseract"])
            out[f"{pages}p"] = {"pages": pages, "runs": reps, "poecheck_ms_per_page": round(poe * 1000, 1),
                                "tesseract_ms_per_page": round(bare * 1000, 1), "ratio": round(poe / bare, 3),
                                "target_ratio": OCR_TARGET_RATIO}
    return out


def run(inputs: Inputs) -> dict[str, object]:
    """Text extraction, .msg and OCR figures, for bench/results.json."""
    return {"text_extraction": text_extraction(inputs), "msg": msg_ingestion(inputs), "ocr": ocr(inputs)}
