"""Batch progress: a Rich bar (claims done/total, documents/s, ETA) or log lines (--quiet)."""
from __future__ import annotations

import logging
import time
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

log = logging.getLogger("poecheck.batch")


class LogProgress:
    """One log line per finished claim; never document text."""

    def __init__(self) -> None:
        self.total = self.done = self.docs = 0
        self._start = time.perf_counter()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        log.info("batch: %d/%d claims, %d documents in %.1f s", self.done, self.total, self.docs,
                 time.perf_counter() - self._start)

    def start(self, *, total: int, skipped: int) -> None:
        self.total, self.done = total, skipped
        log.info("batch: %d claims, %d already done with the same files and rules", total, skipped)

    def document(self) -> None:
        self.docs += 1

    def claim(self, claim_id: str, outcome: str) -> None:
        self.done += 1
        log.info("claim %s: %s (%d/%d)", claim_id, outcome, self.done, self.total)


class RichProgress(LogProgress):
    """A live bar on stderr."""

    def __init__(self) -> None:
        super().__init__()

        self._bar = Progress(TextColumn("claims"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[docs]} docs, {task.fields[rate]} docs/s"),
                             TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                             console=Console(stderr=True), transient=False)
        self._task = None

    def __enter__(self) -> Self:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.__exit__(*exc)

    def start(self, *, total: int, skipped: int) -> None:
        self.total, self.done = total, skipped
        self._task = self._bar.add_task("batch", total=total, completed=skipped, docs=0, rate="0.0")

    def document(self) -> None:
        super().document()
        rate = self.docs / max(time.perf_counter() - self._start, 1e-6)
        self._bar.update(self._task, docs=self.docs, rate=f"{rate:.1f}")

    def claim(self, claim_id: str, outcome: str) -> None:
        self.done += 1
        self._bar.update(self._task, advance=1)
