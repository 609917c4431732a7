"""State shared while one uploaded file is ingested: limits, collected parts, warnings, signatures, and
`attach` for the attachments a reader finds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from models.document import Part, Signature
from service.config import Settings
from service.errors import (
    NestingTooDeep,
    OcrUnavailable,
    ParserMemory,
    PoecheckError,
    TooManyPages,
    TrustRootsError,
)
from service.ingest.ocr import OcrRunner

#: Limits that protect the service stop the whole upload; other attachment failures are warnings.
FATAL = (NestingTooDeep, TooManyPages, OcrUnavailable, TrustRootsError, ParserMemory)


@dataclass
class IngestContext:
    """Accumulates the parts of one document; OCR'd parts are futures resolved at the end.

    `dispatch` is the dispatcher's attachment reader, given by whoever starts the ingestion, so that a
    reader hands attachments back through `attach` without importing the dispatcher."""

    settings: Settings
    ocr: OcrRunner
    dispatch: Callable[..., None]  # dispatch(data, name, *, parent, ctx, depth)
    parts: list[Part | Future[Part]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    pages: int = 0
    attachments: int = 0
    #: Told (pages read, pages) of the uploaded file itself, named `upload`, when its page count is known and as
    #: each of its pages is read (an OCR'd one when its OCR ends), one call at a time: the reader's progress.
    on_page: Callable[[int, int], None] | None = None
    upload: str = ""
    _upload_pages: int = field(default=0, init=False, repr=False)
    _pages_read: int = field(default=0, init=False, repr=False)
    _progress_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def attach(self, data: bytes, name: str, *, parent: str, depth: int) -> None:
        """Read an attachment named `name` found in `parent` at nesting `depth`; an unreadable one becomes a
        stub part with a warning, while the service's limits (FATAL) stop the upload."""
        self.dispatch(data, name, parent=parent, ctx=self, depth=depth)

    def attachment_failed(self, exc: PoecheckError, *, file: str) -> None:
        """Record an attachment that could not be read: a stub part and a document warning."""
        message = exc.message.removeprefix(f"{file}: ").removeprefix(f"{file} ")
        note = f"{exc.code}: {message}"
        self.warnings.append(f"{file}: {note}")
        self.parts.append(Part(kind="attachment", path=file, file=file, source="none", warnings=[note]))

    def reserve_pages(self, count: int, *, file: str) -> None:
        """Count `count` more pages against Settings.max_pages."""
        self.pages += count
        if self.pages > self.settings.max_pages:
            raise TooManyPages(
                f"{file}: more than {self.settings.max_pages} pages in one upload; split the document."
            )
        if file == self.upload and self.on_page is not None:
            with self._progress_lock:
                self._upload_pages += count
                self.on_page(self._pages_read, self._upload_pages)

    def add_page(self, part: Part | Future[Part]) -> None:
        """Append one page's part (a Future while it is OCR'd), counted for `on_page` once it is ready."""
        self.parts.append(part)
        if self.on_page is None:
            return
        if isinstance(part, Future):
            part.add_done_callback(self._page_ready)
        else:
            self._page_ready(part)

    def _page_ready(self, part: Part | Future[Part]) -> None:
        if isinstance(part, Future):
            if part.cancelled() or part.exception() is not None:
                return
            part = part.result()
        if part.file != self.upload or self.on_page is None:
            return
        with self._progress_lock:
            self._pages_read += 1
            self.on_page(self._pages_read, self._upload_pages)

    def check_depth(self, depth: int, *, file: str) -> None:
        """Refuse attachments nested deeper than Settings.max_depth."""
        if depth > self.settings.max_depth:
            raise NestingTooDeep(
                f"{file}: attachments nested more than {self.settings.max_depth} levels deep."
            )

    def resolved_parts(self) -> list[Part]:
        """The parts in document order, waiting for pending OCR."""
        return [p.result() if isinstance(p, Future) else p for p in self.parts]
