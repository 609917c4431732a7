"""Tesseract OCR of one page image: one read gives text, confidence and word boxes, OSD only when needed.

Pages are read by the resident engine (service.ingest.ocr_engine: libtesseract loaded once per process).
Without it, the CLI reads the page from an uncompressed PNM file in a temporary folder (cheap to write, and
tesseract reads a file faster than the same bytes on stdin: about 0.14 s per 300-dpi page here) and prints
the same words as TSV.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from models.document import Part
from service.errors import OcrFailed, OcrTimeout, OcrUnavailable
from service.ingest import ocr_engine

TESSERACT = "tesseract"
PSM = 6  # one uniform block: faster than 3 and better on the letter scans (see bench/ocr_bench.py)
LANG = "eng"
LOW_CONFIDENCE = 60.0  # below this mean word confidence, check the page orientation
MIN_CONF = 50.0  # OCR words below this confidence may be a signature misread as letters (ink, marks)
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


@dataclass(frozen=True)
class OcrWord:
    """A recognised word: its span in the page text, its box in image pixels and tesseract's confidence."""

    start: int
    end: int
    box: tuple[int, int, int, int]  # left, top, right, bottom
    conf: float


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None
    width: int
    height: int
    rotated: int = 0
    words: tuple[OcrWord, ...] = ()


def to_ocr_mode(image: Image.Image) -> Image.Image:
    """Bilevel or grey, with transparency flattened onto white."""
    if image.mode in ("1", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat.convert("L")
    return image.convert("L")


def run_tesseract(image: Path, *, args: list[str], timeout: float) -> str:
    """Run the tesseract CLI on an image file; return its stdout."""
    cmd = [TESSERACT, str(image), "stdout", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=_ENV, check=False)
    except FileNotFoundError as exc:
        raise OcrUnavailable("Tesseract is not installed; install tesseract-ocr (scripts/setup.sh).") from exc
    except subprocess.TimeoutExpired as exc:
        raise OcrTimeout(f"OCR took longer than {timeout:g} s") from exc
    if proc.returncode != 0:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise OcrFailed(f"tesseract exited with {proc.returncode}: {last[:200]}")
    return proc.stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str) -> tuple[str, float | None]:
    """Text (lines and blank-line paragraphs, like tesseract's txt) and mean word confidence."""
    text, confidence, _ = parse_tsv_words(tsv)
    return text, confidence


def parse_tsv_words(tsv: str) -> tuple[str, float | None, list[OcrWord]]:
    """Like parse_tsv, plus every word with its offsets in that text and its box."""
    rows: list[ocr_engine.Row] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) >= 12 and cols[0] == "5":
            rows.append((int(cols[2]), int(cols[3]), int(cols[4]), int(cols[6]), int(cols[7]), int(cols[8]),
                         int(cols[9]), float(cols[10]), cols[11]))
    return words_of(rows)


def words_of(rows: list[ocr_engine.Row]) -> tuple[str, float | None, list[OcrWord]]:
    """Text (lines, and blank lines between paragraphs, like tesseract's txt), mean word confidence and words
    of the word rows of a read (service.ingest.ocr_engine.Row)."""
    out: list[str] = []
    words: list[OcrWord] = []
    confs: list[float] = []
    pos = 0
    current: tuple[int, int, int] | None = None
    for block, para, line, left, top, width, height, conf, word in rows:
        if not word.strip():
            continue
        key = (block, para, line)
        if key != current:
            if current is not None:
                out.append("\n\n" if key[:2] != current[:2] else "\n")
                pos += len(out[-1])
            current = key
        elif out:
            out.append(" ")
            pos += 1
        words.append(OcrWord(pos, pos + len(word), (left, top, left + width, top + height), conf))
        out.append(word)
        pos += len(word)
        if conf >= 0:
            confs.append(conf)
    confidence = round(sum(confs) / len(confs), 1) if confs else None
    return "".join(out), confidence, words


def read_image(image: Image.Image, *, psm: int = PSM, dpi: int | None, timeout: float,
               lang: str = LANG) -> tuple[str, float | None, list[OcrWord]]:
    """Text, mean word confidence and words of one image, from the resident engine, else from the CLI's TSV.
    `dpi` below 100 is not passed on (cameras declare 72 dpi whatever the page: tesseract estimates it)."""
    image = to_ocr_mode(image)
    dpi = dpi if dpi and dpi >= 100 else None
    with ocr_engine.engines(lang=lang, psm=psm) as engine:
        if engine is not None:
            return words_of(engine.read(image, dpi=dpi, timeout=timeout))
    args = ["-l", lang, "--psm", str(psm), *(["--dpi", str(dpi)] if dpi else []), "tsv"]
    return parse_tsv_words(tesseract_image(image, args=args, timeout=timeout))


def preload() -> None:
    """Load the resident engine that reads pages now, as a reader process does before its first document."""
    ocr_engine.preload(lang=LANG, psm=PSM)


def _orientation(image: Image.Image, *, timeout: float) -> int:
    """Clockwise rotation (0/90/180/270) that tesseract's OSD says makes the page upright; 0 if unsure."""
    with ocr_engine.engines(lang="osd", psm=ocr_engine.OSD_ONLY) as engine:
        if engine is not None:
            rotate, confidence = engine.orientation(image) or (0, 0.0)
            return _turn(rotate, confidence)
    try:
        out = tesseract_image(image, args=["--psm", "0"], timeout=timeout)
    except OcrFailed:
        return 0
    info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    try:
        return _turn(int(info.get("Rotate", "0").strip()), float(info.get("Orientation confidence", "0").strip()))
    except ValueError:
        return 0


def _turn(rotate: int, confidence: float) -> int:
    return rotate if rotate in (90, 180, 270) and confidence >= 1.5 else 0


def _orientation_by_trial(image: Image.Image, conf: float, *, deadline: float) -> int:
    """When OSD cannot tell (a phone photo of a page on a desk: too little clean text for it), read a half-size
    copy turned each way and keep the turn that reads clearly better (mean word confidence 15 points higher)."""
    small = image.reduce(2) if min(image.size) >= 1200 else image
    best, best_conf = 0, conf
    for rotate in (90, 180, 270):
        remaining = deadline - time.thread_time()
        if remaining <= 1.0:
            break
        try:
            _text, turned_conf, _words = read_image(upright(small, rotate), dpi=None, timeout=remaining)
        except OcrFailed:
            continue
        if (turned_conf or 0) > best_conf + 15:
            best, best_conf = rotate, turned_conf or 0
    return best


_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def tesseract_image(image: Image.Image, *, args: list[str], timeout: float) -> str:
    """The tesseract CLI's output for an in-memory image (written to a temporary PNM file)."""
    with tempfile.TemporaryDirectory(prefix="poecheck-ocr-") as tmp:
        pnm = Path(tmp) / "page.pnm"
        to_ocr_mode(image).save(pnm, format="PPM")
        return run_tesseract(pnm, args=args, timeout=timeout)


def upright(image: Image.Image, rotated: int) -> Image.Image:
    """The image turned by the clockwise rotation OCR applied to read it (0: unchanged)."""
    return image.transpose(_TRANSPOSE[rotated]) if rotated else image


def ocr_image(image: Image.Image, *, dpi: int | None, timeout: float) -> OcrResult:
    """OCR one page; a low-confidence page is re-read upright when OSD finds it rotated. `timeout` is the page's
    budget of CPU time in this thread (the resident engine reads in it), not wall time: on a busy machine a page
    is read as far, and turned the same way, as on an idle one. The CLI (without the engine) runs with `timeout`
    as the wall-time limit of each call."""
    return _ocr(to_ocr_mode(image), dpi=dpi, deadline=time.thread_time() + timeout)


def _ocr(image: Image.Image, *, dpi: int | None, deadline: float) -> OcrResult:
    timeout = max(deadline - time.thread_time(), 0.1)
    text, conf, words = read_image(image, dpi=dpi, timeout=timeout)
    result = OcrResult(text, conf, image.width, image.height, words=tuple(words))
    if conf is not None and conf >= LOW_CONFIDENCE:
        return result
    remaining = deadline - time.thread_time()
    if remaining <= 0:
        return result
    rotate = _orientation(image, timeout=remaining) or _orientation_by_trial(image, conf or 0.0, deadline=deadline)
    if not rotate:
        return result
    turned = upright(image, rotate)
    remaining = max(deadline - time.thread_time(), 1.0)
    text2, conf2, words2 = read_image(turned, dpi=dpi, timeout=remaining)
    if (conf2 or 0) > (conf or 0):
        return OcrResult(text2, conf2, turned.width, turned.height, rotate, tuple(words2))
    return result


class OcrRunner:
    """Runs page jobs inline (1 worker) or on up to N concurrent tesseract processes, memory bounded."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._slots = threading.BoundedSemaphore(workers)

    def submit(self, job: Callable[[], Part]) -> Part | Future[Part]:
        """Run `job` now, or queue it when several workers are configured (blocks while all are busy)."""
        if self.workers == 1:
            return job()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ocr")
        self._slots.acquire()
        future = self._pool.submit(job)
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def close(self) -> None:
        """Wait for running jobs and drop queued ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
