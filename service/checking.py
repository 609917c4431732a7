"""The use case: check uploaded POE files against a claim. One recipe for the API, `poecheck check` and eval.

Read every file in the isolated reader, cut each document to what the checks read, run the checks (within the
configured time) and the payout, and, given a store, keep the report, its fingerprints and its page images.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from models import Claim, Document, Report
from service.config import Settings
from service.pipeline import ReuseIndex, cap_text, ingest_files, run_claim, warm_checks
from service.reading import reading_settings

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only where reports are kept
    from service.store.reports import ReportStore, StoredReport

log = logging.getLogger(__name__)


@runtime_checkable
class Remembering(ReuseIndex, Protocol):
    """A reuse index that also keeps a stored submission's fingerprints (the service's)."""

    def remember(self, stored: StoredReport, claim: Claim, docs: Sequence[Document]) -> None: ...


@dataclass(frozen=True)
class Checked:
    """The report, the documents as the checks read them, and the stored report when one was kept."""

    report: Report
    documents: list[Document]
    stored: StoredReport | None = None


def check_uploaded(claim: Claim, files: Sequence[Path], *, settings: Settings, reuse: ReuseIndex | None = None,
                   store: ReportStore | None = None, owner_partner_id: str | None = None,
                   stated: frozenset[str] | None = None) -> Checked:
    """Check `files` against `claim`; with a `store`, keep the report (and its fingerprints when `reuse` can
    remember them, and its page images when Settings.page_images).

    `stated`: the optional claim fields the self-check form's user gave (None for a claim sent as JSON)."""
    started = time.monotonic()
    reading = reading_settings(settings, keeping=store is not None)
    docs = ingest_files(files, settings=reading, meanwhile=partial(warm_checks, claim))  # rules compile meanwhile
    docs = cap_text(docs, max_chars=settings.check_text_chars)
    report = run_claim(claim, docs, reuse=reuse, max_chars=settings.check_text_chars,
                       time_limit_s=settings.checks_timeout_s, stated=stated)
    if store is None:
        return Checked(report, docs)
    stored = store.add(report, owner_partner_id=owner_partner_id)
    if isinstance(reuse, Remembering):
        reuse.remember(stored, claim, docs)
    if settings.page_images:
        from service.store.page_images import save_page_images  # rapidfuzz: only where reports are kept

        save_page_images(settings, stored.id, docs, report)
    log.info("check %s: %d files, %s in %.1f s", stored.id, len(docs), report.verdict, time.monotonic() - started)
    return Checked(report, docs, stored)
