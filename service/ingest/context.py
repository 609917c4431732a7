"""State shared while one uploaded file is ingested: limits, collected parts, warnings, signatures."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

from models.document import Part, Signature
from service.config import Settings
from service.errors import NestingTooDeep, TooManyPages
from service.ingest.ocr import OcrRunner


@dataclass
class IngestContext:
    """Accumulates the parts of one document; OCR'd parts are futures resolved at the end."""

    settings: Settings
    ocr: OcrRunner
    parts: list[Part | Future[Part]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    pages: int = 0
    attachments: int = 0

    def reserve_pages(self, count: int, *, file: str) -> None:
        """Count `count` more pages against Settings.max_pages."""
        self.pages += count
        if self.pages > self.settings.max_pages:
            raise TooManyPages(
                f"{file}: more than {self.settings.max_pages} pages in one upload; split the document."
            )

    def check_depth(self, depth: int, *, file: str) -> None:
        """Refuse attachments nested deeper than Settings.max_depth."""
        if depth > self.settings.max_depth:
            raise NestingTooDeep(
                f"{file}: attachments nested more than {self.settings.max_depth} levels deep."
            )

    def resolved_parts(self) -> list[Part]:
        """The parts in document order, waiting for pending OCR."""
        return [p.result() if isinstance(p, Future) else p for p in self.parts]
