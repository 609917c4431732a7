"""Fuzz harness: seeds from the corpus, byte-level mutations, and the oracle of each ingestion entry point.

The oracle is strict: an entry point may return its result or raise a typed PoecheckError, nothing else.
A `malformed` error that hides an exception raised inside poecheck's own code (not a parser library's),
or a pydantic ValidationError of our own models, counts as a bug too; so does a run over the time or
memory guard. Everything runs in-process (no isolation worker), so a crash is seen, not contained.
"""

from __future__ import annotations

import contextlib
import faulthandler
import resource
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from service.config import Settings
from service.errors import MalformedDocument, ParserMemory, PoecheckError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "corpus"
REGRESSIONS = ROOT / "fixtures" / "fuzz"
SEED_DIRS = ("pdf_malformed", "msg", "images", "pdf_text")
MAX_SEED_BYTES = 64 * 1024  # small files keep one example cheap
OWN_CODE = tuple(str(ROOT / d) for d in ("service", "models", "checks"))

TIME_LIMIT_S = 30  # one input; the OCR timeout below is far shorter
MEMORY_LIMIT_MB = 768  # peak RSS growth while reading one input
ADDRESS_SPACE_HEADROOM_MB = 4096  # a hard cap during a run, so a blow-up fails instead of swapping

PDF_TOKENS: tuple[bytes, ...] = (
    b"%PDF-1.7\n", b"1 0 obj", b"endobj", b"stream\n", b"\nendstream", b"xref\n0 1\n0000000000 65535 f \n",
    b"trailer", b"startxref\n0\n", b"%%EOF", b"<<", b">>", b"[", b"]", b"(", b")", b"/Length 2147483647",
    b"/Length -1", b"/Filter /FlateDecode", b"/Filter [/ASCIIHexDecode /LZWDecode]", b"/Type /Page",
    b"/Type /Pages /Kids [1 0 R] /Count 999999999", b"1 0 R", b"99999 0 R", b"/Encrypt 1 0 R",
    b"/Type /ObjStm /N 2147483647", b"/S /JavaScript /JS (app.alert(1))", b"/EmbeddedFiles",
    b"/MediaBox [0 0 1e38 -1e38]", b"/Rotate 45", b"/Prev 0", b"[" * 64, b"<<" * 64, b"\x00" * 16,
)
# Tokens that matter to text formats (CSV, JSON, mail headers): quotes, separators, BOMs, odd numbers.
TEXT_TOKENS: tuple[bytes, ...] = (
    b'"', b",", b"\r\n", b"\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\x80", b"-1", b"9" * 40, b"1e999",
    b"NaN", b"\\u0000", b"{", b"}", b'{"a":', b"Content-Type: multipart/mixed; boundary=x\r\n",
)
TOKENS = PDF_TOKENS + TEXT_TOKENS


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes


def ingest_seeds() -> list[Seed]:
    """The small files of the malformed, .msg, image and text-PDF corpus folders, in a fixed order."""
    seeds = []
    for folder in SEED_DIRS:
        for path in sorted((CORPUS / folder).iterdir()):
            if path.is_file() and path.stat().st_size <= MAX_SEED_BYTES:
                seeds.append(Seed(f"{folder}/{path.name}", path.read_bytes()))
    return seeds


def fuzz_settings(data_dir: Path) -> Settings:
    """Default limits, with cheap OCR (72 dpi, small pages, short timeout) so many inputs fit the budget."""
    return Settings(
        data_dir=data_dir, ocr_workers=1, ocr_dpi=72, ocr_timeout_s=5, max_pixels=4_000_000, max_pages=20,
        page_images=False,
    )


# Mutations: (kind, a, b, c) tuples of small ints, so hypothesis shrinks them; positions wrap modulo length.
FLIP, SET, TRUNCATE, DELETE, DUPLICATE, SPLICE, TOKEN = range(7)


def mutate(data: bytes, ops: Sequence[tuple[int, int, int, int]], donors: Sequence[bytes]) -> bytes:
    """Apply byte flips, sets, truncation, deletion, duplication, splices from donors and inserted tokens."""
    buf = bytearray(data)
    for kind, a, b, c in ops:
        n = len(buf)
        pos = a % (n + 1)
        if kind == FLIP and n:
            buf[pos % n] ^= 1 << (b % 8)
        elif kind == SET and n:
            buf[pos % n] = b % 256
        elif kind == TRUNCATE:
            del buf[pos:]
        elif kind == DELETE:
            del buf[pos : pos + 1 + b % 512]
        elif kind == DUPLICATE:
            buf[pos:pos] = buf[pos : pos + 1 + b % 512] * (1 + c % 8)
        elif kind == SPLICE and donors:
            donor = donors[b % len(donors)]
            start = c % (len(donor) + 1)
            buf[pos:pos] = donor[start : start + 1 + (a >> 8) % 2048]
        elif kind == TOKEN:
            buf[pos:pos] = TOKENS[b % len(TOKENS)] * (1 << c % 8)
    return bytes(buf)


class FuzzHang(BaseException):
    """An input ran over TIME_LIMIT_S (a BaseException, so no `except Exception` in the product hides it)."""


def own_bug(exc: PoecheckError) -> str | None:
    """The hidden bug behind a typed error: an exception raised in our code, or our model refusing our data."""
    if isinstance(exc, ParserMemory):
        return "ran out of memory (ParserMemory) in-process"
    cause = exc.__cause__
    if not isinstance(exc, MalformedDocument) or cause is None or isinstance(cause, PoecheckError):
        return None
    if isinstance(cause, ValidationError):
        return f"our model rejected what our reader built: {cause}"
    frames = traceback.extract_tb(cause.__traceback__)
    if frames and frames[-1].filename.startswith(OWN_CODE):
        last = frames[-1]
        return f"{type(cause).__name__} raised at {Path(last.filename).relative_to(ROOT)}:{last.lineno}"
    return None


def _peak_reset() -> int:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS")


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def address_space_cap() -> Iterator[None]:
    """Cap the process's address space at its current size plus a headroom for the length of a run."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _status_kb("VmSize") * 1024 + ADDRESS_SPACE_HEADROOM_MB * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _on_alarm(signum: int, frame: object) -> None:
    raise FuzzHang(f"input took longer than {TIME_LIMIT_S} s")


def guarded(call: Callable[[], object]) -> object:
    """Run `call` under the time and memory guards; raise AssertionError when the contract is broken."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    before = _peak_reset()
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    # A hang inside C code never returns to Python for the alarm: then dump the stacks and exit loudly.
    faulthandler.dump_traceback_later(TIME_LIMIT_S * 2, exit=True)
    try:
        outcome = _outcome(call)
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    grown_mb = (_status_kb("VmHWM") - before) / 1024
    assert grown_mb < MEMORY_LIMIT_MB, f"peak memory grew by {grown_mb:.0f} MB on one input"
    return outcome


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except PoecheckError as exc:
        assert "\n" not in exc.message, f"multi-line error message: {exc.message!r}"
        bug = own_bug(exc)
        assert bug is None, f"{exc.code}: {bug}"
        return exc


# The entry points, each taking the input bytes, a file name (for messages) and a scratch folder.


def run_ingest(data: bytes, name: str, scratch: Path) -> object:
    """service.ingest.dispatch.ingest_bytes: a Document or a typed error."""
    from service.ingest.dispatch import ingest_bytes

    return ingest_bytes(data, name, settings=fuzz_settings(scratch))


def run_claim(data: bytes, name: str, scratch: Path) -> object:
    """service.claims.parse_claim on the raw bytes of a claim JSON."""
    from service.claims import parse_claim

    return parse_claim(data)


def run_usage_csv(data: bytes, name: str, scratch: Path) -> object:
    """service.payout.payout_csv streamed to the end over a usage CSV with these bytes."""
    from service.payout import payout_csv

    path = scratch / name
    path.write_bytes(data)
    try:
        return list(payout_csv(path))
    finally:
        path.unlink()


TARGETS: dict[str, Callable[[bytes, str, Path], object]] = {
    "ingest": run_ingest,
    "claim": run_claim,
    "usage_csv": run_usage_csv,
}


def regression_inputs() -> list[tuple[str, Path]]:
    """Every saved crash input: fixtures/fuzz/<target>/<file>, with its target's name."""
    return [
        (target, path)
        for target in TARGETS
        if (REGRESSIONS / target).is_dir()
        for path in sorted((REGRESSIONS / target).iterdir())
        if path.is_file()
    ]


def claim_seeds() -> list[Seed]:
    """Claim JSON files of the dev set: one with usage rows, one without."""
    claims = ROOT / "fixtures" / "poe_dev" / "claims"
    return [Seed(name, (claims / name).read_bytes()) for name in ("dev-001.json", "dev-pay-01.json")]


USAGE_CSV = (
    "tenant_id,workload,month,mau,pau\n"
    "t-1,MDE,2024-10,300,500\nt-1,MDE,2024-11,350,500\nt-1,INTUNE,2024-12,400,450\n"
    't-2,"ENTRA_ID_P2",2025-01,1000,900\nt-2,ENTRA_ID_P2,2025-02,1200,1100\n'
)


def usage_csv_seeds() -> list[Seed]:
    """A small valid usage CSV, the same with reordered and extra columns, and one with a BOM."""
    reordered = "note,pau,mau,month,workload,tenant_id\nx,500,300,2024-10,MDE,t-1\ny,9,8,2025-09,MDO,t-2\n"
    return [
        Seed("usage.csv", USAGE_CSV.encode()),
        Seed("reordered.csv", reordered.encode()),
        Seed("bom.csv", b"\xef\xbb\xbf" + USAGE_CSV.encode()),
    ]
