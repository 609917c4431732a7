"""One run_claim() used by the CLI, the API and batch: documents + claim -> Report."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from checks.base import CheckContext, ReuseMatch
from checks.runner import run_checks
from checks.scoring import rules_version, score, verdict
from models import Claim, Document, Report
from service.config import Settings


class ReuseIndex(Protocol):
    """Earlier POE to compare with (template_reuse): the service's store or a batch's index."""

    def query(self, claim: Claim, docs: Sequence[Document]) -> list[ReuseMatch]: ...


def ingest_files(paths: Sequence[Path], *, settings: Settings) -> list[Document]:
    """Parse every file (in an isolated worker, see service.isolation); a bad file raises its typed error."""
    from service.isolation import ingest_path

    return [ingest_path(Path(p), settings=settings) for p in paths]


def document_summary(doc: Document) -> dict:
    """What a report keeps of a document (no text)."""
    return {
        "sha256": doc.sha256, "filename": doc.filename, "media_type": doc.media_type, "size": doc.size,
        "parts": [{"path": p.path, "kind": p.kind, "page": p.page, "source": p.source,
                   "ocr_confidence": p.ocr_confidence} for p in doc.parts],
        "warnings": list(doc.warnings),
    }


def run_claim(claim: Claim, docs: Sequence[Document], *, reuse: ReuseIndex | None = None,
              now: datetime | None = None) -> Report:
    """Run every check and the payout (when the claim carries usage) and build the report."""
    matches = tuple(reuse.query(claim, docs)) if reuse is not None else ()
    ctx = CheckContext.for_claim(claim, store_available=reuse is not None, reuse_matches=matches)
    results = run_checks(claim, docs, ctx)
    payout = None
    if claim.usage:
        from service.payout import compute_payout

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


def check_files(claim: Claim, paths: Sequence[Path], *, settings: Settings,
                reuse: ReuseIndex | None = None) -> Report:
    """Ingest the files and run the claim: what `poecheck check` does."""
    return run_claim(claim, ingest_files(paths, settings=settings), reuse=reuse)
