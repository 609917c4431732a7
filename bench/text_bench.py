"""Text PDF and .msg ingestion against what a user would otherwise run, on the same files, paired in one run.

Text PDFs (1, 10, 100 pages): poecheck's ingestion ms/page (text layer, the OCR decision, signature ink, and
with or without the reviewers' page images) against raw pypdfium2 and raw pypdf text extraction, and the share
of the signature-ink step in it (the reading again with that step answering "nothing measured"). The .msg: ms
per message with its attachments. Ingestion runs in-process here; parser isolation is isolation_bench's.
"""
from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.inputs import Inputs

TEXT_TARGET_RATIO = 1.5  # issue 18: text ingestion per page on the 100-page PDF within 1.5x raw pypdfium2


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


def _without_ink(ingest: Callable[[], object]) -> None:
    """`ingest` run with the signature-ink step answering "nothing measured" on every page: the share of that
    step in the reading, measured in the same paired run."""
    from unittest import mock

    with mock.patch("service.ingest.pdf._ink_marks", return_value=None):
        ingest()


def _labelled_pages(path: Path) -> int:
    """How many pages of the PDF have a signature label (where the ink step renders and measures)."""
    import pypdfium2 as pdfium

    from service.ingest import ink
    from service.ingest.pdf import _page_text

    pdf = pdfium.PdfDocument(path)
    try:
        found = 0
        for index in range(len(pdf)):
            textpage, text = _page_text(pdf[index], index + 1, [])
            found += ink.has_signature_label(text)
            if textpage is not None:
                textpage.close()
        return found
    finally:
        pdf.close()


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
    text_only = settings.model_copy(update={"page_images": False})  # the reading itself, without the reviewer's images
    out = {}
    for pages, path in inputs.text_pdfs.items():
        s = _paired_seconds({"poecheck": lambda p=path: ingest_path(p, settings=settings),
                             "poecheck_text": lambda p=path: ingest_path(p, settings=text_only),
                             "poecheck_no_ink": lambda p=path: _without_ink(lambda: ingest_path(p, settings=text_only)),
                             "pypdfium2": lambda p=path: _pypdfium2_text(p),
                             "pypdf": lambda p=path: _pypdf_text(p)}, inputs.profile.reps)
        out[f"{pages}p"] = {"pages": pages, **{f"{k}_ms_per_page": round(v * 1000 / pages, 3) for k, v in s.items()},
                            "ratio_vs_pypdfium2": round(s["poecheck"] / s["pypdfium2"], 2),
                            "text_ratio_vs_pypdfium2": round(s["poecheck_text"] / s["pypdfium2"], 2),
                            "ratio_vs_pypdf": round(s["poecheck"] / s["pypdf"], 2),
                            "no_ink_ratio_vs_pypdfium2": round(s["poecheck_no_ink"] / s["pypdfium2"], 2),
                            "signature_label_pages": _labelled_pages(path),
                            "target_ratio": TEXT_TARGET_RATIO if pages == 100 else None}
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


def run(inputs: Inputs) -> dict[str, object]:
    """Text extraction and .msg figures, for bench/results.json."""
    return {"text_extraction": text_extraction(inputs), "msg": msg_ingestion(inputs)}
