"""One run_claim() used by the CLI, the API, eval and batch (through service.checking): documents + claim -> Report."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from checks import patterncache
from checks.base import CheckContext, ReuseMatch
from checks.registry import DEFAULT_CHECKS
from checks.runner import run_checks
from checks.scoring import rules_version, score, verdict
from models import CheckResult, Claim, Document, Part, Report
from service.config import CHECK_TEXT_CHARS, Settings
from service.errors import ChecksTimeout
from service.reading import read_document
from service.timelimit import TimeLimitExpired, time_limit


class ReuseIndex(Protocol):
    """Earlier POE to compare with (template_reuse): the service's store or a batch's index."""

    def query(self, claim: Claim, docs: Sequence[Document]) -> list[ReuseMatch]: ...


def ingest_files(paths: Sequence[Path], *, settings: Settings,
                 meanwhile: Callable[[Callable[[], bool]], None] | None = None) -> list[Document]:
    """Parse every file (in an isolated reader, see service.reading); a bad file raises its typed error.

    `meanwhile` runs here while a thread waits for the reader process (which holds no lock while it waits); it is
    given a function that says whether the files are read (then what it has left to do only delays them)."""
    if meanwhile is None:
        return [read_document(Path(p), settings=settings) for p in paths]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read") as pool:
        reading = pool.submit(lambda: [read_document(Path(p), settings=settings) for p in paths])
        meanwhile(reading.done)
        return reading.result()


_WARM_UP_TEXT = (
    "Project completion letter. Contoso Ltd confirms that Fabrikam deployed Microsoft Defender for Endpoint to "
    "1,200 devices between 3 March 2025 and 28 April 2025, trained 40 administrators and onboarded users. "
    "Tenant 5f1c2d3e-0a4b-4c6d-8e9f-112233445566.\nAccepted on behalf of the Customer\nName: A. Reader\n"
    "Title: IT Director\nSignature: /s/ A. Reader\nDate: 30 April 2025\nFrom: it@contoso.com\n"
    "Certificate of Completion Envelope Id: 0123456789ABCDEF Signed: 30 April 2025")


@lru_cache(maxsize=1)
def _warm_up_document() -> Document:
    part = Part(kind="pdf_page", path="warm-up.pdf > page 1", file="warm-up.pdf", page=1, text=_WARM_UP_TEXT,
                source="text_layer")
    return Document(sha256="0" * 64, filename="warm-up.pdf", media_type="application/pdf", size=1, parts=[part])


def warm_checks(claim: Claim, until: Callable[[], bool] | None = None) -> None:
    """Once per process, run every check on a short letter, so that the rule patterns the checks compile on first
    use (most of a first check's time) are ready: check_uploaded does it while the reader process reads. The
    patterns compiled are kept for the next process (checks.patterncache).

    With `until`, it stops between two checks once until() is true (the documents are read): the checks not warmed
    compile their patterns when they first run, and run_claim keeps them."""
    global _warm
    if _warm:
        return
    ctx = CheckContext.for_claim(claim)
    for check in DEFAULT_CHECKS:
        if until is not None and until():
            return
        run_checks(claim, [_warm_up_document()], ctx, (check,))
    patterncache.save()
    _warm = True


_warm = False


def document_summary(doc: Document) -> dict:
    """What a report keeps of a document (no text)."""
    return {
        "sha256": doc.sha256, "filename": doc.filename, "media_type": doc.media_type, "size": doc.size,
        "parts": [{"path": p.path, "kind": p.kind, "page": p.page, "source": p.source,
                   "ocr_confidence": p.ocr_confidence} for p in doc.parts],
        "warnings": list(doc.warnings),
    }


def cap_text(docs: Sequence[Document], *, max_chars: int = CHECK_TEXT_CHARS) -> list[Document]:
    """The documents as the checks read them: at most `max_chars` characters of part text each, so a
    document's cost to check is bounded. A document cut short says so in its warnings."""
    return [_capped(doc, max_chars) for doc in docs]


def _capped(doc: Document, max_chars: int) -> Document:
    total = sum(len(p.text) for p in doc.parts)
    if total <= max_chars:
        return doc
    parts, left = [], max_chars
    for part in doc.parts:
        if len(part.text) <= left:
            parts.append(part)
        else:
            text = part.text[:left]
            marks = None if part.ink_marks is None else [
                m for m in part.ink_marks if m.offset < len(text) and all(ln.end <= len(text) for ln in m.lines)]
            parts.append(part.model_copy(update={"text": text, "ink_marks": marks}))
        left -= len(parts[-1].text)
    warning = (f"{doc.filename}: the text is {total:,} characters long; the checks read the first "
               f"{max_chars:,} only.")
    return doc.model_copy(update={"parts": parts, "warnings": [*doc.warnings, warning]})


def run_claim(claim: Claim, docs: Sequence[Document], *, reuse: ReuseIndex | None = None,
              now: datetime | None = None, max_chars: int = CHECK_TEXT_CHARS,
              time_limit_s: float | None = None, stated: frozenset[str] | None = None) -> Report:
    """Run every check and the payout (when the claim carries usage) and build the report.

    The checks read at most `max_chars` characters per document (see cap_text) and, with
    `time_limit_s`, stop with ChecksTimeout when they run longer. `stated` is given only for a claim from
    the self-check form: the optional fields its user filled in (see models.claim.OPTIONAL_FIELDS).
    """
    docs = cap_text(docs, max_chars=max_chars)
    matches = tuple(reuse.query(claim, docs)) if reuse is not None else ()
    ctx = CheckContext.for_claim(claim, store_available=reuse is not None, reuse_matches=matches, stated=stated)
    try:
        results = _run_checks_within(claim, docs, ctx, time_limit_s)
    except TimeLimitExpired:
        raise ChecksTimeout(f"Checking the documents took longer than {time_limit_s:g} s; send fewer or "
                            "shorter documents (the pages the claim rests on).") from None
    patterncache.save()  # what this claim compiled or built (checks.fastscan on long texts), for the next process
    payout = None
    if claim.usage:
        from service.payout import compute_payout  # the payout rules load only for a claim with usage

        payout = compute_payout(claim)
    return Report(
        claim_id=claim.claim_id,
        partner=claim.partner.name,
        customer=claim.customer.name,
        workloads=list(claim.workloads),
        claim_date=claim.claim_date.isoformat(),
        verdict=verdict(results),
        score=score(results),
        rules_version=rules_version(),
        checks=results,
        documents=[document_summary(d) for d in docs],
        payout=payout,
        created_at=now or datetime.now(UTC),
    )


def _run_checks_within(claim: Claim, docs: Sequence[Document], ctx: CheckContext,
                       seconds: float | None) -> list[CheckResult]:
    """run_checks, stopped by TimeLimitExpired once `seconds` have passed: inside a check when the
    interrupt lands (see service.timelimit), else before the next check starts."""
    if seconds is None:
        return run_checks(claim, docs, ctx)
    deadline = time.monotonic() + seconds
    results: list[CheckResult] = []
    with time_limit(seconds):
        for check in DEFAULT_CHECKS:
            if time.monotonic() > deadline:
                raise TimeLimitExpired
            results += run_checks(claim, docs, ctx, (check,))
    return results

