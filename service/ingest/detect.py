"""Content tests on a file's bytes (magic numbers, container entries, mail headers); the reader
registry (service.ingest.registry) decides which test names which type."""

from __future__ import annotations

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_MSG_STREAM = "__substg1.0_".encode("utf-16-le")
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


def pdf_after_junk(data: bytes) -> bool:
    """A PDF header within the first KiB: readers accept junk before it (fixed magics are tried first)."""
    return b"%PDF-" in data[:1024]


def long_enough_for_bmp(data: bytes) -> bool:
    """More than a BMP file header: two bytes of text ("BM…") are not a bitmap."""
    return len(data) > 26


def webp_chunk(data: bytes) -> bool:
    """A RIFF file whose form type is WEBP."""
    return data[8:12] == b"WEBP"


def has_msg_streams(data: bytes) -> bool:
    """An OLE file holding Outlook message property streams (else another Office 97-2003 file)."""
    return _MSG_STREAM in data


def has_docx_body(data: bytes) -> bool:
    """A ZIP naming `word/document.xml` in a local or central directory header (read from the headers, not
    by opening the archive, so a truncated file is still recognised and then reported as damaged)."""
    at = data.find(_DOCX_MAIN)
    while at >= 0:
        for signature, header_size, length_at in _ZIP_HEADERS:
            header = at - header_size
            length = data[header + length_at : header + length_at + 2]
            if header >= 0 and data[header : header + 4] == signature and length == len(_DOCX_MAIN).to_bytes(2, "little"):
                return True
        at = data.find(_DOCX_MAIN, at + 1)
    return False


def looks_like_mail(data: bytes) -> bool:
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
