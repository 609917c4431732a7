"""File type detection from content (magic bytes); the file name is only used for messages."""

from __future__ import annotations

PDF = "application/pdf"
MSG = "application/vnd.ms-outlook"
EML = "message/rfc822"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
GIF = "image/gif"
BMP = "image/bmp"
WEBP = "image/webp"
OLE = "application/x-ole-storage"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

IMAGE_TYPES = frozenset({PNG, JPEG, TIFF, GIF, BMP, WEBP})
SUPPORTED = frozenset({PDF, MSG, EML, DOCX}) | IMAGE_TYPES
ACCEPTED = "PDF, image, .msg, .eml or .docx"  # SUPPORTED in words, for error messages and help texts

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSG_STREAM = "__substg1.0_".encode("utf-16-le")
_EMBEDDED_MSG = "__substg1.0_3701000D"  # the storage holding an attached message
_EMBEDDED_MSG_NAME = _EMBEDDED_MSG.encode("utf-16-le")
_DOCX_MAIN = b"word/document.xml"
# (signature, size before the file name, offset of the name length) of ZIP local and central headers
_ZIP_HEADERS = ((b"PK\x03\x04", 30, 26), (b"PK\x01\x02", 46, 28))
_MAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "received",
        "return-path",
        "content-type",
        "reply-to",
        "sender",
        "delivered-to",
        "x-mailer",
        "user-agent",
        "in-reply-to",
    }
)
_EXTENSIONS = {
    ".pdf": PDF,
    ".msg": MSG,
    ".eml": EML,
    ".docx": DOCX,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".tif": TIFF,
    ".tiff": TIFF,
    ".gif": GIF,
    ".bmp": BMP,
    ".webp": WEBP,
}


def detect_type(data: bytes) -> str | None:
    """The media type of `data` judged by its content, or None when it is not recognised."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return TIFF
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"BM") and len(data) > 26:
        return BMP
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_OLE_MAGIC):
        return MSG if _MSG_STREAM in data else OLE
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _has_zip_entry(data, _DOCX_MAIN) else ZIP
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header; fixed magics above win
        return PDF
    if _looks_like_mail(data):
        return EML
    return None


def msg_nesting(data: bytes) -> int:
    """How many levels of attached messages a .msg holds, read from its OLE directory (0 if unreadable).

    extract-msg opens every embedded message at once, so a deep chain costs memory before the depth
    limit is reached in the reader; this lets the limit be applied first.
    """
    embedded = data.count(_EMBEDDED_MSG_NAME)
    if embedded <= 1:  # no chain to measure: skip reading the directory
        return embedded
    import io

    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:  # bytes, never a path: olefile reads short bytes as one
            storages = ole.listdir(streams=False, storages=True)
    except Exception:  # noqa: BLE001 (a damaged file is the reader's to report)
        return 0
    return max((sum(name.upper() == _EMBEDDED_MSG.upper() for name in path) for path in storages), default=0)


def type_from_name(name: str) -> str | None:
    """The type a file name claims (used only to word error messages)."""
    dot = name.rfind(".")
    return _EXTENSIONS.get(name[dot:].lower()) if dot >= 0 else None


def looks_like_text(data: bytes) -> bool:
    """UTF-8 text without control characters (plain-text attachments)."""
    if b"\x00" in data[:8192]:
        return False
    try:
        sample = data[:8192].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 8188:
            return False
        sample = data[: exc.start].decode("utf-8")
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\r\n\t\f")
    return bad <= len(sample) // 100


def _has_zip_entry(data: bytes, name: bytes) -> bool:
    """A ZIP local or central directory header names the entry `name` (read from the headers, not by
    opening the archive, so a truncated file is still recognised and then reported as damaged)."""
    at = data.find(name)
    while at >= 0:
        for signature, header_size, length_at in _ZIP_HEADERS:
            header = at - header_size
            length = data[header + length_at : header + length_at + 2]
            if header >= 0 and data[header : header + 4] == signature and length == len(name).to_bytes(2, "little"):
                return True
        at = data.find(name, at + 1)
    return False


def _looks_like_mail(data: bytes) -> bool:
    """An RFC 5322 header block with at least two well-known mail headers."""
    lines = data[:8192].decode("latin-1").splitlines()
    if len(data) > 8192:
        lines = lines[:-1]  # the last line may be cut
    known = 0
    for number, line in enumerate(lines):
        if not line.strip():
            break
        if line[0] in " \t":
            continue
        name, sep, _ = line.partition(":")
        if not sep or not name or any(c <= " " or c > "~" for c in name):
            if number == 0:
                return False
            break  # end of the header block (or a badly folded line)
        known += name.lower() in _MAIL_HEADERS
    return known >= 2
