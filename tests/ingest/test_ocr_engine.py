"""The resident Tesseract engine reads exactly what the CLI reads, and the CLI takes over without it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from service.errors import OcrTimeout
from service.ingest import ocr, ocr_engine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
IMAGES = FIXTURES / "corpus" / "images"

pytestmark = pytest.mark.ocr


@pytest.fixture
def cli_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine without libtesseract: every read goes to the CLI."""
    monkeypatch.setattr(ocr_engine, "_library", lambda: None)


def _scan_page(index: int = 1) -> Image.Image:
    pdf = pdfium.PdfDocument(FIXTURES / "poe_dev" / "docs" / "dev-004" / "Scan_20241202.pdf")
    try:
        return pdf[index].render(scale=300 / 72).to_pil().convert("L")
    finally:
        pdf.close()


@pytest.mark.parametrize(
    ("load", "dpi"),
    [
        pytest.param(lambda: Image.open(IMAGES / "tess__phototest.tif"), 200, id="bilevel"),
        pytest.param(lambda: Image.open(IMAGES / "tess__phototest-rotated-L.png"), None, id="rotated-osd"),
        pytest.param(_scan_page, 300, id="poe-scan-signature-page"),
    ],
)
def test_engine_reads_what_the_cli_reads(load, dpi, monkeypatch: pytest.MonkeyPatch) -> None:
    image = load()
    resident = ocr.ocr_image(image, dpi=dpi, timeout=120)
    with monkeypatch.context() as mp:
        mp.setattr(ocr_engine, "_library", lambda: None)
        cli = ocr.ocr_image(image, dpi=dpi, timeout=120)
    assert resident.words and resident == cli


def test_engine_is_loaded_once_and_reused() -> None:
    with ocr_engine.engines(lang=ocr.LANG, psm=ocr.PSM) as first:
        assert first is not None
    with ocr_engine.engines(lang=ocr.LANG, psm=ocr.PSM) as again:
        assert again is first
        with ocr_engine.engines(lang=ocr.LANG, psm=ocr.PSM) as concurrent:
            assert concurrent is not None and concurrent is not first  # one engine per running read


def test_engine_timeout_is_typed() -> None:
    with pytest.raises(OcrTimeout):
        ocr.ocr_image(Image.open(IMAGES / "ocrmypdf__linn.png"), dpi=None, timeout=0.05)


def test_missing_library_falls_back_to_the_cli(cli_only: None) -> None:
    text, _conf, words = ocr.read_image(Image.open(IMAGES / "tess__HelloGoogle.tif"), dpi=None, timeout=60)
    assert "Hello" in text and words


def test_engine_numbers_words_as_the_cli_tsv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block, paragraph and line numbers, boxes and confidences of a many-paragraph page: the CLI's TSV rows."""
    image = _scan_page(0)
    with ocr_engine.engines(lang=ocr.LANG, psm=ocr.PSM) as engine:
        assert engine is not None
        rows = engine.read(image, dpi=300, timeout=120)
    monkeypatch.setattr(ocr_engine, "_library", lambda: None)
    tsv = ocr.tesseract_image(image, args=["-l", ocr.LANG, "--psm", str(ocr.PSM), "--dpi", "300", "tsv"], timeout=120)
    cli = [row.split("\t") for row in tsv.splitlines() if row.startswith("5\t")]
    assert len({row[:3] for row in rows}) > 10
    assert rows == [(int(c[2]), int(c[3]), int(c[4]), int(c[6]), int(c[7]), int(c[8]), int(c[9]), float(c[10]), c[11])
                    for c in cli]


def test_preload_loads_the_page_engine() -> None:
    ocr.preload()
    assert ocr_engine._free[(ocr.LANG, ocr.PSM)]


def test_ocr_cpu_time_is_outside_the_readers_cpu_cap() -> None:
    """As when tesseract ran as a child: a reader whose CPU cap is nearly spent still reads a full scan page."""
    script = (
        "import resource\n"
        "from tests.ingest.test_ocr_engine import _scan_page\n"
        "from service.ingest import ocr\n"
        "page = _scan_page(0)\n"
        "used = resource.getrusage(resource.RUSAGE_SELF)\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (int(used.ru_utime + used.ru_stime) + 1, resource.RLIM_INFINITY))\n"
        "print(len(ocr.ocr_image(page, dpi=300, timeout=120).words))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2], check=False)
    assert done.returncode == 0 and int(done.stdout) > 100


@pytest.mark.parametrize(
    "load",
    [
        pytest.param(_scan_page, id="poe-scan-odd-width"),
        pytest.param(lambda: Image.open(IMAGES / "tess__phototest-rotated-L.png").convert("L"), id="png"),
        pytest.param(lambda: Image.frombytes("L", (5, 3), bytes(range(1, 16))), id="tiny"),
    ],
)
def test_grey_page_goes_to_tesseract_as_its_pixels(load) -> None:
    """The Pix a grey page is handed over in holds its pixels in Leptonica's word order, row padding 0."""
    import ctypes

    import numpy as np

    assert ocr_engine._library() is not None and ocr_engine._lept is not None
    lept, image = ocr_engine._lept, load()
    pix = lept.pixCreate(image.width, image.height, 8)
    try:
        ocr_engine.fill_pix(lept, pix, image)
        stride = lept.pixGetWpl(pix) * 4
        memory = (ctypes.c_uint8 * (stride * image.height)).from_address(lept.pixGetData(pix))
        rows = np.frombuffer(memory, dtype=">u4").astype("<u4").view(np.uint8).reshape(image.height, stride)
        assert np.array_equal(rows[:, :image.width], np.asarray(image))
        assert not rows[:, image.width:].any()
    finally:
        lept.pixDestroy(ctypes.byref(ctypes.c_void_p(pix)))


def test_the_page_budget_is_cpu_time_not_wall_time() -> None:
    """A reader stopped for longer than the page's budget (as a loaded machine holds it off the CPU) still reads
    the page: with a wall-clock budget, a rotated phone photo needing 10 s of CPU was cut off at a load of 9."""
    child = subprocess.Popen(
        [sys.executable, "-c", ("from tests.ingest.test_ocr_engine import _scan_page; from service.ingest import ocr; "
                                "page = _scan_page(0); ocr.preload(); print('reading', flush=True); "
                                "print(len(ocr.ocr_image(page, dpi=300, timeout=6.0).words))")],  # ~2.6 s of CPU
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert child.stdout.readline().strip() == "reading"
        os.kill(child.pid, signal.SIGSTOP)
        time.sleep(7.0)  # more than the budget, in wall time
        os.kill(child.pid, signal.SIGCONT)
        out, _ = child.communicate(timeout=120)
    finally:
        child.kill()
    assert child.returncode == 0 and int(out) > 100
