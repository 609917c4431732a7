"""Checks run off the event loop: a bounded thread pool with a bounded queue (503 + Retry-After when full).

Tesseract runs as a subprocess and the rules are light, so threads keep the event loop free
(/healthz answers while scans are OCR'd) without the start-up cost of worker processes. Worker
threads run at a lower CPU priority (Linux nice is per thread and inherited by tesseract). Each
document is read in an isolated reader process under limits (service.isolation), started with the app.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from models import Claim, Document
from service.api.uploads import Upload
from service.config import Settings
from service.errors import ServiceBusy, TooManyChecks
from service.reading import start_reader
from service.store.reports import ReportStore, StoredReport
from service.store.uploads import keep_uploads

if TYPE_CHECKING:  # the checks load only when a check runs
    from checks.base import ReuseMatch

log = logging.getLogger(__name__)
T = TypeVar("T")
WORKER_NICE = 10


class Ticket:
    """A reserved place (in the pool, or among a key's checks in flight); released exactly once."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release = release
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._release()


class CheckRunner:
    """`check_workers` threads and up to `queue_limit` waiting checks; at most `checks_per_key` checks
    of one key in flight, counted from the start of the upload to the end of the check."""

    def __init__(self, settings: Settings) -> None:
        self.capacity = settings.check_workers + settings.queue_limit
        self.per_key = settings.checks_per_key
        self.retry_after = settings.retry_after_s
        self.by_key: Counter[Hashable] = Counter()
        self._pool = ThreadPoolExecutor(max_workers=settings.check_workers, thread_name_prefix="check",
                                        initializer=_lower_priority)
        self._lock = threading.Lock()
        self.pending = 0
        start_reader(settings.check_workers)

    def admit(self, key: Hashable) -> Ticket:
        """A place among `key`'s checks in flight, or TooManyChecks (429) when it has `checks_per_key`."""
        with self._lock:
            if self.by_key[key] >= self.per_key:
                raise TooManyChecks(f"This key already has {self.per_key} checks in flight; wait for one to "
                                    "finish.", retry_after=self.retry_after)
            self.by_key[key] += 1
        return Ticket(lambda: self._leave(key))

    def _leave(self, key: Hashable) -> None:
        with self._lock:
            self.by_key[key] -= 1
            if self.by_key[key] <= 0:
                del self.by_key[key]

    def reserve(self) -> Ticket:
        """A place for one check, or ServiceBusy when every worker and queue place is taken."""
        with self._lock:
            if self.pending >= self.capacity:
                raise ServiceBusy("Too many checks are running; try again shortly.", retry_after=self.retry_after)
            self.pending += 1
        return Ticket(self._release)

    def _release(self) -> None:
        with self._lock:
            self.pending -= 1

    async def run(self, tickets: Sequence[Ticket], fn: Callable[[], T], *, on_cancel: Callable[[], None]) -> T:
        """Run `fn` on the pool; the tickets are released when it ends (even if the client went away)."""
        try:
            future: Future = self._pool.submit(fn)
        except BaseException:
            for ticket in tickets:
                ticket.release()
            raise

        def done(f: Future) -> None:
            for ticket in tickets:
                ticket.release()
            if f.cancelled():
                on_cancel()

        future.add_done_callback(done)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _lower_priority() -> None:
    """Run this worker thread (and the tesseract processes it starts) at nice 10 so requests stay fast."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        pass


class ReuseHook:
    """The template-reuse index of earlier POE: the one place it is opened, queried and updated.

    One index per process, loaded from the store's fingerprints on first use; a lock serialises
    queries and additions (the LSH index is not thread-safe).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._index = None
        self._lock = threading.Lock()

    def _open(self):
        if self._index is None:
            # datasketch and the stored fingerprints load with the first check, not the app
            from service.reuse import ReuseIndex

            self._index = ReuseIndex.from_store(self._settings)
        return self._index

    def query(self, claim: Claim, docs: Sequence[Document]) -> list[ReuseMatch]:
        """Earlier POE of other partners that this POE nearly duplicates."""
        with self._lock:
            return self._open().query(claim, docs)

    def remember(self, stored: StoredReport, claim: Claim, docs: Sequence[Document]) -> None:
        """Add this submission's fingerprints (under its claim id, else the report id)."""
        with self._lock:
            self._open().add(claim, docs, claim_id=claim.claim_id or stored.id)


def process_check(claim: Claim, upload: Upload, *, settings: Settings, store: ReportStore,
                  reuse: ReuseHook | None, owner_partner_id: str | None,
                  stated: frozenset[str] | None = None) -> StoredReport:
    """check_uploaded on the upload's files, keeping the report in `store`; always removes the upload."""
    from service.checking import check_uploaded  # the checks load with the first check, not with the app

    try:
        stored = check_uploaded(claim, list(upload.files.values()), settings=settings, reuse=reuse, store=store,
                                owner_partner_id=owner_partner_id, stated=stated).stored
        assert stored is not None
        if settings.keep_uploads:
            keep_uploads(settings, stored.id, upload)
        return stored
    finally:
        upload.cleanup()
