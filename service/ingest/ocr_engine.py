"""Resident Tesseract: the system's libtesseract (the library the `tesseract` CLI runs) through its C API.

Starting the CLI costs a process and a model load per page (about half a second here); an engine
loaded once per reader process does not. Same library, language data, page-segmentation mode and
variables as the CLI, so the words are the CLI's: read from tesseract's result iterator as its `tsv`
output lists them (numbers, boxes, confidences), without printing and parsing that text (half the time).
No compiler or wheel is needed: ctypes over libtesseract.so.5, which Debian's tesseract-ocr installs.
A grey page is handed over as a Leptonica image filled by Pillow and numpy (the library the CLI reads its file
into, liblept.so.5, which libtesseract loads): SetImage from bytes copies them pixel by pixel, 40 ms a page.
When the library cannot be loaded, `engines()` yields None and service.ingest.ocr runs the CLI instead.

Engines are kept in a process-wide pool, one per concurrent OCR job (TessBaseAPI is not thread-safe;
ctypes releases the GIL while it reads, so pages still run in parallel).
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import math
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

from service.errors import OcrFailed, OcrTimeout

log = logging.getLogger(__name__)

LIBRARY = "libtesseract.so.5"
LEPTONICA = "liblept.so.5"
OSD_ONLY = 0  # page-segmentation mode of `tesseract --psm 0`
RIL_BLOCK, RIL_PARA, RIL_TEXTLINE, RIL_WORD = 0, 1, 2, 3  # tesseract's PageIteratorLevel
#: A recognised word as a level-5 row of the CLI's TSV: block, paragraph and line numbers, left, top, width,
#: height, confidence, text.
Row = tuple[int, int, int, int, int, int, int, float, str]
_UPRIGHT_BY_QUADRANT = {0: 0, 1: 270, 2: 180, 3: 90}  # tesseract's OrientationIdToValue

_p = ctypes.c_void_p
_int_p = ctypes.POINTER(ctypes.c_int)
#: tesseract's TessCancelFunc: asked after each word it recognises whether to stop (true: stop)
_CANCEL = ctypes.CFUNCTYPE(ctypes.c_bool, _p, ctypes.c_int)
_SIGNATURES = {
    "TessBaseAPICreate": ([], _p),
    "TessBaseAPIInit3": ([_p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "TessBaseAPISetPageSegMode": ([_p, ctypes.c_int], None),
    "TessBaseAPISetVariable": ([_p, ctypes.c_char_p, ctypes.c_char_p], ctypes.c_int),
    "TessBaseAPISetImage": ([_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int], None),
    "TessBaseAPISetImage2": ([_p, _p], None),
    "TessBaseAPISetSourceResolution": ([_p, ctypes.c_int], None),
    "TessBaseAPIRecognize": ([_p, _p], ctypes.c_int),
    "TessBaseAPIGetIterator": ([_p], _p),
    "TessResultIteratorGetPageIterator": ([_p], _p),
    "TessResultIteratorNext": ([_p, ctypes.c_int], ctypes.c_int),
    "TessResultIteratorGetUTF8Text": ([_p, ctypes.c_int], _p),
    "TessResultIteratorConfidence": ([_p, ctypes.c_int], ctypes.c_float),
    "TessResultIteratorDelete": ([_p], None),
    "TessPageIteratorIsAtBeginningOf": ([_p, ctypes.c_int], ctypes.c_int),
    "TessPageIteratorBoundingBox": ([_p, ctypes.c_int, _int_p, _int_p, _int_p, _int_p], ctypes.c_int),
    "TessBaseAPIDetectOrientationScript": ([_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_float),
                                            ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_float)],
                                           ctypes.c_int),
    "TessBaseAPIClear": ([_p], None),
    "TessBaseAPIDelete": ([_p], None),
    "TessDeleteText": ([_p], None),
    "TessMonitorCreate": ([], _p),
    "TessMonitorSetCancelFunc": ([_p, _CANCEL], None),
    "TessMonitorDelete": ([_p], None),
}
_LEPTONICA_SIGNATURES = {
    "pixCreate": ([ctypes.c_int, ctypes.c_int, ctypes.c_int], _p),
    "pixGetData": ([_p], _p),
    "pixGetWpl": ([_p], ctypes.c_int),
    "pixDestroy": ([ctypes.POINTER(_p)], None),
}

_lock = threading.Lock()
_load_lock = threading.Lock()
_lib: ctypes.CDLL | None = None
_lib_tried = False
_lept: ctypes.CDLL | None = None  # Leptonica, for grey pages (without it they go over as bytes)
_free: dict[tuple[str, int], list[Engine]] = {}
_missing: set[tuple[str, int]] = set()  # language data the library could not load: not tried again


def _library() -> ctypes.CDLL | None:
    """libtesseract with its C API typed, loaded once; None when it is missing or would not run single-threaded."""
    global _lib, _lib_tried
    if _lib_tried:
        return _lib
    with _load_lock:  # the first pages of a document may arrive on several OCR threads at once
        if not _lib_tried:
            _lib = _load()
            _lib_tried = True
    return _lib


def _load() -> ctypes.CDLL | None:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Debian's build uses OpenMP: read once, when libgomp loads
    try:
        lib = _typed(LIBRARY, _SIGNATURES)
    except (OSError, AttributeError) as exc:
        log.info("libtesseract not usable (%s); OCR runs the tesseract CLI", type(exc).__name__)
        return None
    _load_leptonica()
    if not _single_threaded():
        log.warning("OpenMP was loaded before libtesseract without OMP_THREAD_LIMIT=1; OCR runs the tesseract CLI")
        return None
    atexit.register(_release)
    return lib


def _load_leptonica() -> None:
    global _lept
    try:
        _lept = _typed(LEPTONICA, _LEPTONICA_SIGNATURES)
    except (OSError, AttributeError) as exc:
        log.info("leptonica not usable (%s); pages go to tesseract as bytes", type(exc).__name__)


def _typed(library: str, signatures: dict[str, tuple[list, object]]) -> ctypes.CDLL:
    """The shared library with the argument and result types of the functions named in `signatures`."""
    lib = ctypes.CDLL(library)
    for name, (args, result) in signatures.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = args, result
    return lib


def _release() -> None:
    """Free the engines at exit (else the library reports its cached language data as leaked on stderr)."""
    with _lock:
        engines = [engine for pool in _free.values() for engine in pool]
        _free.clear()
    for engine in engines:
        engine.close()


def _single_threaded() -> bool:
    try:
        gomp = ctypes.CDLL("libgomp.so.1")
    except OSError:
        return True  # a build without OpenMP
    gomp.omp_get_thread_limit.restype = ctypes.c_int
    return gomp.omp_get_thread_limit() == 1


class Engine:
    """One loaded TessBaseAPI for a language and page-segmentation mode."""

    def __init__(self, lib: ctypes.CDLL, *, lang: str, psm: int) -> None:
        self._lib = lib
        self._handle = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(self._handle, None, lang.encode()) != 0:
            lib.TessBaseAPIDelete(self._handle)
            raise OSError(f"tesseract language data {lang!r} not found")
        lib.TessBaseAPISetPageSegMode(self._handle, psm)
        lib.TessBaseAPISetVariable(self._handle, b"debug_file", os.devnull.encode())  # its notes, not our stderr

    def close(self) -> None:
        self._lib.TessBaseAPIDelete(self._handle)

    def read(self, image: Image.Image, *, dpi: int | None, timeout: float) -> list[Row]:
        """Recognise `image` (mode "1" or "L"); its words as the CLI's `tsv` output lists them. `timeout` is CPU
        time of the calling thread (the engine runs in it), so a busy machine stops a page at the same point."""
        lib = self._lib
        budget = time.thread_time() + timeout
        over_budget = _CANCEL(lambda _this, _words: time.thread_time() > budget)
        monitor = lib.TessMonitorCreate()
        try:
            with _uncounted_cpu(timeout):  # handing the page over too: the CLI read its file in its own process
                self._set_image(image, dpi)
                lib.TessMonitorSetCancelFunc(monitor, over_budget)
                failed = lib.TessBaseAPIRecognize(self._handle, monitor) != 0
            if time.thread_time() > budget:
                raise OcrTimeout(f"OCR used more than {timeout:g} s of CPU time")
            if failed:
                raise OcrFailed("tesseract could not read the page")
            return self._words()
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(self._handle)

    def _words(self) -> list[Row]:
        """The recognised words, numbered as TessBaseAPI::GetTSVText numbers them (a word without text is passed
        over before anything is counted) and with its confidence to 6 places, as the TSV prints it. Whether a
        word starts a block or paragraph is asked only of a line's first word (ResultIterator::IsAtBeginningOf
        is true for them only there, and each question copies the iterator: ~15 us)."""
        lib = self._lib
        words = lib.TessBaseAPIGetIterator(self._handle)
        if not words:
            raise OcrFailed("tesseract returned no text layout")
        layout = lib.TessResultIteratorGetPageIterator(words)
        starts, box, utf8, confidence = (lib.TessPageIteratorIsAtBeginningOf, lib.TessPageIteratorBoundingBox,
                                         lib.TessResultIteratorGetUTF8Text, lib.TessResultIteratorConfidence)
        left, top, right, bottom = ctypes.c_int(), ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        edges = (ctypes.byref(left), ctypes.byref(top), ctypes.byref(right), ctypes.byref(bottom))
        rows: list[Row] = []
        block = para = line = 0
        try:
            while True:
                raw = utf8(words, RIL_WORD)
                if raw:
                    try:
                        text = ctypes.string_at(raw).decode("utf-8", "replace")
                    finally:
                        lib.TessDeleteText(raw)
                    if starts(layout, RIL_TEXTLINE):  # a block or paragraph starts only where a line does
                        if starts(layout, RIL_BLOCK):
                            block, para, line = block + 1, 0, 0
                        if starts(layout, RIL_PARA):
                            para, line = para + 1, 0
                        line += 1
                    box(layout, RIL_WORD, *edges)
                    rows.append((block, para, line, left.value, top.value, right.value - left.value,
                                 bottom.value - top.value, round(confidence(words, RIL_WORD), 6), text))
                if not lib.TessResultIteratorNext(words, RIL_WORD):
                    return rows
        finally:
            lib.TessResultIteratorDelete(words)

    def orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """(clockwise rotation that makes the page upright, confidence) as `tesseract --psm 0` prints them
        ("Rotate", "Orientation confidence" rounded to 2 places); None when OSD finds too little text."""
        deg, conf = ctypes.c_int(), ctypes.c_float()
        script, script_conf = ctypes.c_char_p(), ctypes.c_float()
        try:
            with _uncounted_cpu(60.0):
                self._set_image(image, None)
                found = self._lib.TessBaseAPIDetectOrientationScript(
                    self._handle, ctypes.byref(deg), ctypes.byref(conf), ctypes.byref(script), ctypes.byref(script_conf))
        finally:
            self._lib.TessBaseAPIClear(self._handle)
        return (_UPRIGHT_BY_QUADRANT.get(deg.value // 90 % 4, 0), round(conf.value, 2)) if found else None

    def _set_image(self, image: Image.Image, dpi: int | None) -> None:
        if image.mode == "L" and _lept is not None and image.width and image.height:
            self._set_pix(_lept, image)
        else:
            if image.mode == "1":  # packed bits, a set bit is white: what SetImage reads with 0 bytes per pixel
                data, depth, stride = image.tobytes(), 0, (image.width + 7) // 8
            else:
                data, depth, stride = image.convert("L").tobytes(), 1, image.width
            self._lib.TessBaseAPISetImage(self._handle, data, image.width, image.height, depth, stride)
        if dpi:
            self._lib.TessBaseAPISetSourceResolution(self._handle, dpi)

    def _set_pix(self, lept: ctypes.CDLL, image: Image.Image) -> None:
        """Hand over a grey `image` as the 8-bit Pix that SetImage would build from its bytes (tesseract keeps
        its own copy of it)."""
        pix = lept.pixCreate(image.width, image.height, 8)
        if not pix:
            raise OcrFailed("no memory for the page image")
        try:
            fill_pix(lept, pix, image)
            self._lib.TessBaseAPISetImage2(self._handle, pix)
        finally:
            lept.pixDestroy(ctypes.byref(_p(pix)))


def fill_pix(lept: ctypes.CDLL, pix: int, image: Image.Image) -> None:
    """Copy the pixels of a grey `image` into an 8-bit Pix of its size (created zeroed, so the row padding stays
    0 as in one SetImage builds). Pillow pastes the rows into a view of the Pix's memory (no bytes object of the
    page), numpy then puts each 32-bit word's bytes in Leptonica's order (the most significant is the first
    pixel)."""
    import numpy as np  # loaded by a reader that reads a scan anyway (the ink measure)

    image.load()
    stride = lept.pixGetWpl(pix) * 4
    memory = (ctypes.c_uint8 * (stride * image.height)).from_address(lept.pixGetData(pix))
    view = Image.frombuffer("L", image.size, memory, "raw", "L", stride, 1)  # shares the Pix's memory
    view.im.paste(image.im, (0, 0, *image.size))  # the core paste: Image.paste would copy a read-only view first
    if sys.byteorder == "little":
        np.frombuffer(memory, dtype=np.uint32).byteswap(inplace=True)


@contextmanager
def _uncounted_cpu(allowance: float) -> Iterator[None]:
    """Keep OCR's CPU time out of the reader's CPU cap (RLIMIT_CPU, set per document by service.isolation),
    as when tesseract ran as a child process: the cap is raised by `allowance` seconds for the call, then by
    what the call used (at least not lowered below that)."""
    soft = resource.getrlimit(resource.RLIMIT_CPU)[0]
    if soft == resource.RLIM_INFINITY:
        yield
        return
    _raise_cpu_cap(math.ceil(allowance) + 1)
    started = time.thread_time()
    try:
        yield
    finally:
        _raise_cpu_cap(math.ceil(time.thread_time() - started) - math.ceil(allowance) - 1)


def _raise_cpu_cap(seconds: int) -> None:
    with _lock:
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if soft != resource.RLIM_INFINITY:
            soft += seconds
            resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def preload(*, lang: str, psm: int) -> None:
    """Load the library and an engine for `lang` and `psm` now (a reader process before its first page)."""
    with engines(lang=lang, psm=psm):
        pass


@contextmanager
def engines(*, lang: str, psm: int) -> Iterator[Engine | None]:
    """A resident engine for `lang` and `psm` for the duration of one read (None: use the CLI)."""
    key = (lang, psm)
    lib = _library()
    if lib is None or key in _missing:
        yield None
        return
    with _lock:
        pool = _free.setdefault(key, [])
        engine = pool.pop() if pool else None
    if engine is None:
        try:
            with _uncounted_cpu(60.0):  # loading the model is tesseract's work too (each CLI run loaded it)
                engine = Engine(lib, lang=lang, psm=psm)
        except OSError as exc:
            log.warning("tesseract engine not loaded (%s); OCR runs the tesseract CLI", type(exc).__name__)
            _missing.add(key)
            yield None
            return
    try:
        yield engine
    finally:
        with _lock:
            _free[key].append(engine)
