"""The reader registry: one line per document type poecheck reads.

A `Reader` names its media types, file extensions and content tests, a label for users, and the function
that reads it. Detection, the unsupported-type message, the accepted-types text of the CLI help, the API
schema and the self-check page are generated from `READERS`. A new type is a reader module and one line
here. A reader is called as ``read(data, *, file, ctx, depth)`` and adds parts to `ctx`
(service.ingest.context); it hands attachments back with ``ctx.attach(...)``, never importing the dispatcher.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from service.errors import MalformedDocument, PoecheckError, UnsupportedFileType
from service.ingest import detect

if TYPE_CHECKING:
    from service.ingest.context import IngestContext

PDF = "application/pdf"
MSG = "application/vnd.ms-outlook"
EML = "message/rfc822"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
GIF = "image/gif"
BMP = "image/bmp"
WEBP = "image/webp"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OLE = "application/x-ole-storage"
ZIP = "application/zip"


class ReadFn(Protocol):
    def __call__(self, data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None: ...


@dataclass(frozen=True)
class FileType:
    """One media type: its extensions and how its content is recognised."""

    media_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...] = ()  # the file starts with one of these ...
    confirm: Callable[[bytes], bool] | None = None  # ... and this holds (else it is another file of that magic)
    loose: Callable[[bytes], bool] | None = None  # a weaker test, tried only when no magic matched


@dataclass(frozen=True)
class Reader:
    """A document type: its label for users, its file types and the function that reads it."""

    label: str
    types: tuple[FileType, ...]
    read_by: str  # "module:function"; imported on first use, since parsers load heavy libraries
    libraries: tuple[str, ...] = ()  # modules the reader imports only when a file needs them (see preload)

    def read(self, data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None:
        """Add the parts of `data` to `ctx`."""
        self.load()(data, file=file, ctx=ctx, depth=depth)

    def load(self) -> ReadFn:
        """The reading function, its module imported on first use."""
        return _function(self.read_by)

    @property
    def media_types(self) -> tuple[str, ...]:
        return tuple(t.media_type for t in self.types)


def _images() -> tuple[FileType, ...]:
    return (
        FileType(PNG, (".png",), magic=(b"\x89PNG\r\n\x1a\n",)),
        FileType(JPEG, (".jpg", ".jpeg"), magic=(b"\xff\xd8\xff",)),
        FileType(TIFF, (".tif", ".tiff"), magic=(b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")),
        FileType(GIF, (".gif",), magic=(b"GIF87a", b"GIF89a")),
        FileType(BMP, (".bmp",), magic=(b"BM",), confirm=detect.long_enough_for_bmp),
        FileType(WEBP, (".webp",), magic=(b"RIFF",), confirm=detect.webp_chunk),
    )


READERS: tuple[Reader, ...] = (
    Reader("PDF", (FileType(PDF, (".pdf",), magic=(b"%PDF-",), loose=detect.pdf_after_junk),),
           "service.ingest.pdf:ingest_pdf", ("pypdf", "service.ingest.ink", "service.ingest.marks")),
    Reader("image", _images(), "service.ingest.image:ingest_image"),
    Reader(".msg", (FileType(MSG, (".msg",), magic=(detect.OLE_MAGIC,), confirm=detect.has_msg_streams),),
           "service.ingest.msg:ingest_msg", ("extract_msg",)),
    Reader(".eml", (FileType(EML, (".eml",), loose=detect.looks_like_mail),), "service.ingest.eml:ingest_eml",
           ("bs4",)),
    Reader(".docx", (FileType(DOCX, (".docx",), magic=(detect.ZIP_MAGIC,), confirm=detect.has_docx_body),),
           "service.ingest.docx:ingest_docx", ("docx",)),
)
#: Containers recognised only to word the refusal: (media type, magic, what it is).
_UNREAD = ((OLE, detect.OLE_MAGIC, "an Office 97-2003 file"), (ZIP, detect.ZIP_MAGIC, "a ZIP/Office file"))

_TYPES = tuple(t for reader in READERS for t in reader.types)
_BY_TYPE = {t.media_type: reader for reader in READERS for t in reader.types}
_BY_EXTENSION = {ext: t for t in _TYPES for ext in t.extensions}
SUPPORTED = frozenset(_BY_TYPE)
ACCEPTED = ", ".join(r.label for r in READERS[:-1]) + f" or {READERS[-1].label}"  # for messages and help
ACCEPT_ATTRIBUTE = ",".join(_BY_EXTENSION)  # an HTML file input's `accept`


def detect_type(data: bytes) -> str | None:
    """The media type of `data` judged by its content, or None when it is not recognised."""
    for t in _TYPES:
        if data.startswith(t.magic) and (t.confirm is None or t.confirm(data)):
            return t.media_type
    for media_type, magic, _ in _UNREAD:
        if data.startswith(magic):
            return media_type
    for t in _TYPES:
        if t.loose is not None and t.loose(data):
            return t.media_type
    return None


def preload_modules() -> list[str]:
    """Each reader's module and the libraries it loads on demand, in registry order (PDF first), then PDF
    signature validation (rare and slow): the order a reader process imports them while it waits for a file."""
    return [*(m for r in READERS for m in (r.read_by.partition(":")[0], *r.libraries)),
            "service.ingest.pdf_signatures"]


def reader_for(media_type: str) -> Reader | None:
    """The reader of a detected media type (None for a type poecheck does not read)."""
    return _BY_TYPE.get(media_type)


def type_from_name(name: str) -> str | None:
    """The type a file name claims (used only to word error messages)."""
    dot = name.rfind(".")
    found = _BY_EXTENSION.get(name[dot:].lower()) if dot >= 0 else None
    return found.media_type if found else None


def unsupported(data: bytes, *, file: str, media_type: str | None) -> PoecheckError:
    """The error for content we do not read: malformed when the name claims a type we read and the content
    is not recognised, or starts like that type but is not it (a `.docx` that is a plain ZIP)."""
    name = file.rsplit(" > ", 1)[-1]
    claimed = _BY_EXTENSION.get(name[name.rfind("."):].lower()) if "." in name else None
    if claimed is not None and (media_type is None or (claimed.magic and data.startswith(claimed.magic))):
        return MalformedDocument(f"{file}: the content is not a valid {name.rsplit('.', 1)[-1].upper()} file.")
    what = next((w for t, _, w in _UNREAD if t == media_type), "")
    kind = f" ({what})" if what else ""
    return UnsupportedFileType(f"{file}: unsupported file type{kind}; upload {ACCEPTED}.")


@cache
def _function(dotted: str) -> ReadFn:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)
