"""Streaming multipart reader: files go straight to a temp folder in data_dir/tmp, limits enforced while reading."""
from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from fastapi import Request
from python_multipart.multipart import MultipartParseError, MultipartParser, parse_options_header

from service.config import Settings
from service.errors import DocumentTooLarge, InvalidUpload, TooManyFiles, UnsupportedMediaType, UploadTooLarge

MAX_FIELD_BYTES = 1024 * 1024  # the claim JSON
FILE_FIELDS = ("files", "file")
TEXT_FIELDS = ("claim", "stated")
_UNSAFE = re.compile(r"[^\w.\- ()+,@&]+", re.UNICODE)


@dataclass
class Upload:
    """The uploaded files (original name -> temp path) and the claim text; cleanup() removes the files."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    claim: bytes | None = None
    stated: bytes | None = None  # the self-check form's list of the optional claim fields it gave

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def safe_name(name: str, taken: set[str]) -> str:
    """A file name without folders or odd characters, unique among `taken`."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = _UNSAFE.sub("_", base).strip(" .")[-120:] or "upload"
    candidate, n = base, 1
    stem, dot, ext = base.rpartition(".")
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{base} ({n})"
    return candidate


class _Reader:
    """Callbacks for python-multipart's streaming parser."""

    def __init__(self, upload: Upload, settings: Settings) -> None:
        self.upload = upload
        self.settings = settings
        self.file_bytes = 0
        self._headers: dict[str, str] = {}
        self._field = b""
        self._value = b""
        self._name = ""
        self._out: BinaryIO | None = None
        self._part_bytes = 0
        self._buf: bytearray | None = None

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin, "on_header_field": self._hfield, "on_header_value": self._hvalue,
            "on_header_end": self._hend, "on_headers_finished": self._headers_done,
            "on_part_data": self._data, "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._part_bytes = {}, 0

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _hend(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value.decode("utf-8", "replace")
        self._field = self._value = b""

    def _headers_done(self) -> None:
        # as UTF-8 bytes: given a str, the parser encodes it as latin-1 and fails on other characters
        _, opts = parse_options_header(self._headers.get("content-disposition", "").encode("utf-8"))
        self._name = opts.get(b"name", b"").decode("utf-8", "replace")
        filename = opts.get(b"filename")
        if self._name in TEXT_FIELDS:
            self._buf = bytearray()
        elif self._name in FILE_FIELDS and filename is not None:
            if not filename:  # an empty file input
                self._buf = None
                return
            if len(self.upload.files) >= self.settings.max_files:
                raise TooManyFiles(f"At most {self.settings.max_files} files per check.")
            name = safe_name(filename.decode("utf-8", "replace"), set(self.upload.files))
            path = self.upload.folder / name
            self.upload.files[name] = path
            self._out = path.open("wb")
        else:
            raise InvalidUpload(f"Unexpected form field {self._name!r}: send 'claim' and one or more 'files'.")

    def _data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        self._part_bytes += size
        if self._out is not None:
            self.file_bytes += size
            if self.file_bytes > self.settings.max_upload_bytes:
                raise UploadTooLarge(f"The files are larger than {_mb(self.settings.max_upload_bytes)} in total.")
            if self._part_bytes > self.settings.max_file_bytes:
                raise DocumentTooLarge(f"A file is larger than {_mb(self.settings.max_file_bytes)}.")
            self._out.write(data[start:end])
        elif self._buf is not None:
            if len(self._buf) + size > MAX_FIELD_BYTES:
                raise UploadTooLarge(f"The {self._name} field is larger than {_mb(MAX_FIELD_BYTES)}.")
            self._buf += data[start:end]

    def _end(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        elif self._buf is not None and self._name == "claim":
            self.upload.claim = bytes(self._buf)
        elif self._buf is not None and self._name == "stated":
            self.upload.stated = bytes(self._buf)
        self._buf = None

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


async def read_upload(request: Request, *, settings: Settings) -> Upload:
    """Stream a multipart body (claim + files) to a new temp folder; raises a typed error on bad input."""
    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    boundary = opts.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise UnsupportedMediaType("Send multipart/form-data with a 'claim' field and one or more 'files'.")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.max_upload_bytes + MAX_FIELD_BYTES:
        raise UploadTooLarge(f"The request is larger than {_mb(settings.max_upload_bytes)}.")
    tmp_root = settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    upload = Upload(Path(tempfile.mkdtemp(prefix="upload-", dir=tmp_root)))
    reader = _Reader(upload, settings)
    try:
        parser = MultipartParser(boundary, reader.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        reader.close()
        if upload.claim is None:
            raise InvalidUpload("The form has no 'claim' field (the claim JSON).")
        if not upload.files:
            raise InvalidUpload("No files were uploaded: add one or more 'files'.")
    except MultipartParseError as exc:
        reader.close()
        upload.cleanup()
        raise InvalidUpload(f"The multipart body cannot be read: {exc}") from exc
    except BaseException:
        reader.close()
        upload.cleanup()
        raise
    return upload
