"""Functions that run on workers: ingest one document, check one claim. Results are plain picklable data."""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checks.base import ReuseMatch
from checks.unexpected import log_unexpected
from models import Claim, Document, Report
from service.errors import PoecheckError
from service.reading import read_document

log = logging.getLogger(__name__)
INTERNAL = "internal_error"


@dataclass(frozen=True)
class Outcome:
    """A task's value or its error (code, message): exceptions never cross the process boundary."""

    value: Document | Report | None = None
    error: tuple[str, str] | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class FixedMatches:
    """A ReuseIndex answer computed by the coordinator in submission order (see runner)."""

    matches: tuple[ReuseMatch, ...]

    def query(self, claim: Claim, docs: Sequence[Document]) -> list[ReuseMatch]:
        return list(self.matches)


def _guard(fn) -> Outcome:
    start = time.perf_counter()
    try:
        return Outcome(value=fn(), seconds=time.perf_counter() - start)
    except PoecheckError as exc:
        return Outcome(error=(exc.code, exc.message), seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 (a bug must become an error row, not a lost claim; logged)
        log_unexpected(log, exc, "batch task failed")
        return Outcome(error=(INTERNAL, f"{type(exc).__name__} while processing"),
                       seconds=time.perf_counter() - start)


def ingest_task(path: str, settings) -> Outcome:
    """Ingest one file (the slow, OCR-bound part), in an isolated reader process under limits."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    return _guard(lambda: read_document(Path(path), settings=settings))


def check_task(claim: Claim, docs: list[Document], matches: tuple[ReuseMatch, ...],
               max_chars: int | None = None) -> Outcome:
    """Run every check (and the payout) over a claim whose documents are ingested, reading at most
    `max_chars` characters per document (POECHECK_CHECK_TEXT_CHARS; default the service's)."""
    # the checks load in the worker that runs a check, not in one that only reads
    from service.config import CHECK_TEXT_CHARS
    from service.pipeline import run_claim

    return _guard(lambda: run_claim(claim, docs, reuse=FixedMatches(matches), max_chars=max_chars or CHECK_TEXT_CHARS))
