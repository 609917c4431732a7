"""Outlook .msg files (extract-msg): headers, body, attachments ingested recursively."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from email.utils import getaddresses, parseaddr
from typing import Any

from models.document import EmailMeta, Part
from service.errors import MalformedDocument, NotAnEmail, PoecheckError
from service.ingest.context import FATAL, IngestContext
from service.ingest.text import html_to_text, rtf_to_text, tidy

log = logging.getLogger(__name__)

_EMBEDDED_MSG = "__substg1.0_3701000D"  # the storage holding an attached message
_EMBEDDED_MSG_NAME = _EMBEDDED_MSG.encode("utf-16-le")

# Outlook items that are not messages: refused with NotAnEmail.
NOT_MAIL = {
    "IPM.Contact": "contact",
    "IPM.DistList": "contact list",
    "IPM.StickyNote": "note",
    "IPM.Task": "task",
    "IPM.Activity": "journal entry",
}
_INTERNET_CP = {
    50220: 932,
    50221: 932,
    50222: 932,
    51932: 932,
    936: 936,
    54936: 936,
    52936: 936,
    950: 950,
    949: 949,
    51949: 949,
    20866: 1251,
    28595: 1251,
}


def ingest_msg(data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Add the message body part and its attachments."""
    ctx.check_depth(depth + msg_nesting(data), file=file)
    msg = _open(data, file=file)
    try:
        ingest_message(msg, file=file, ctx=ctx, depth=depth)
    finally:
        msg.close()


def msg_nesting(data: bytes) -> int:
    """How many levels of attached messages a .msg holds, read from its OLE directory (0 if unreadable).

    extract-msg opens every embedded message at once, so a deep chain costs memory before the depth
    limit is reached in the reader; this lets the limit be applied first.
    """
    embedded = data.count(_EMBEDDED_MSG_NAME)
    if embedded <= 1:  # no chain to measure: skip reading the directory
        return embedded
    import olefile  # only for a chain of attached messages

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:  # bytes, never a path: olefile reads short bytes as one
            storages = ole.listdir(streams=False, storages=True)
    except Exception:  # noqa: BLE001 (a damaged file is the reader's to report)
        return 0
    return max((sum(name.upper() == _EMBEDDED_MSG.upper() for name in path) for path in storages), default=0)


def ingest_message(msg: Any, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Ingest an opened extract-msg object (top level or embedded)."""
    message_class = (msg.classType or "").strip("\x00 ")
    for prefix, what in NOT_MAIL.items():
        if message_class.upper().startswith(prefix.upper()):
            raise NotAnEmail(f"{file} is an Outlook {what} ({message_class}), not an e-mail.")
    warnings: list[str] = []
    body = _body(msg, warnings)
    ctx.parts.append(
        Part(
            kind="email_body",
            path=f"{file} > body",
            file=file,
            text=body,
            source="email",
            email=_meta(msg, message_class),
            warnings=warnings,
        )
    )
    names: dict[str, int] = {}
    for index, attachment in enumerate(msg.attachments):
        name = _unique(_attachment_name(attachment, index), names)
        child = f"{file} > {name}"
        try:
            payload = attachment.data
            if payload is None:
                raise MalformedDocument(f"{child}: the attachment has no data.")
        except PoecheckError as exc:
            ctx.attachment_failed(exc, file=child)
            continue
        except Exception as exc:  # noqa: BLE001 (extract-msg raises anything on corrupt data)
            ctx.attachment_failed(MalformedDocument(f"cannot be read ({type(exc).__name__})"), file=child)
            continue
        if isinstance(payload, bytes):
            ctx.attach(payload, name, parent=file, depth=depth + 1)
        elif hasattr(payload, "attachments"):
            _embedded(payload, file=child, ctx=ctx, depth=depth + 1)
        else:
            ctx.attachment_failed(MalformedDocument("unsupported attachment object"), file=child)


def _embedded(msg: Any, *, file: str, ctx: IngestContext, depth: int) -> None:
    ctx.check_depth(depth, file=file)
    ctx.attachments += 1
    try:
        ingest_message(msg, file=file, ctx=ctx, depth=depth)
    except FATAL:
        raise
    except PoecheckError as exc:
        ctx.attachment_failed(exc, file=file)
    except Exception as exc:  # noqa: BLE001 (extract-msg raises anything on corrupt data)
        log.warning("embedded message failed: %s", type(exc).__name__)
        ctx.attachment_failed(MalformedDocument(f"cannot be read ({type(exc).__name__})"), file=file)


def _open(data: bytes, *, file: str) -> Any:
    import extract_msg  # extract-msg only for .msg files (the reader process preloads it)

    try:
        msg = extract_msg.openMsg(data, strict=False, delayAttachments=False)
        if not msg.areStringsUnicode:
            codepage = _ansi_codepage(msg)
            if codepage:
                msg.close()
                msg = extract_msg.openMsg(
                    data, strict=False, delayAttachments=False, overrideEncoding=f"cp{codepage}"
                )
        return msg
    except PoecheckError:
        raise
    except Exception as exc:
        raise MalformedDocument(
            f"{file}: the Outlook message is damaged and cannot be read ({type(exc).__name__})."
        ) from exc


def _ansi_codepage(msg: Any) -> int | None:
    """Code page of a non-Unicode message: its RTF's \\ansicpg, else its internet code page."""
    try:
        rtf = msg.rtfBody
    except Exception:  # noqa: BLE001 (extract-msg raises anything on corrupt data)
        rtf = None
    if rtf:
        found = re.search(rb"\\ansicpg(\d+)", rtf[:2000])
        if found and int(found.group(1)) not in (0, 1252):
            return int(found.group(1))
    prop = msg.props.get("3FDE0003")
    cpid = getattr(prop, "value", None)
    return _INTERNET_CP.get(cpid) if isinstance(cpid, int) else None


def _body(msg: Any, warnings: list[str]) -> str:
    """The plain body; else the HTML body or the RTF body converted to text."""
    for attr, convert in (("body", tidy), ("htmlBody", html_to_text), ("rtfBody", rtf_to_text)):
        try:
            value = getattr(msg, attr, None)
            if isinstance(value, str):
                value = value.strip("\x00")
            text = convert(value) if value else ""
        except Exception as exc:  # noqa: BLE001 (extract-msg raises anything on corrupt data)
            warnings.append(f"{attr} cannot be decoded ({type(exc).__name__})")
            continue
        if any(c.isalnum() for c in text):
            return text
    return ""


def _meta(msg: Any, message_class: str) -> EmailMeta:
    sender = _str(msg, "sender")
    sender_email = parseaddr(sender)[1].lower() if sender else ""
    sender_email = sender_email if "@" in sender_email else ""  # a display name alone parses as a bogus address
    sent = _get(msg, "date")
    return EmailMeta(
        sender=sender,
        sender_email=sender_email or None,
        to=_addresses(_str(msg, "to")),
        cc=_addresses(_str(msg, "cc")),
        sent=sent if isinstance(sent, datetime) else None,
        subject=_str(msg, "subject"),
        message_id=_str(msg, "messageId"),
        headers=_headers(_get(msg, "header")),
        message_class=message_class or None,
    )


def _addresses(value: str | None) -> list[str]:
    """The recipients, each once ('a@x.test <a@x.test>', an address named by itself, parses as two)."""
    if not value:
        return []
    return list(dict.fromkeys(
        f"{name} <{addr}>" if name and addr else (addr or name)
        for name, addr in getaddresses(value.replace(";", ",").split(","))
        if addr or name
    ))


def _headers(header: Any) -> dict[str, str]:
    if header is None:
        return {}
    out: dict[str, str] = {}
    try:
        for key, value in header.items():
            out[key] = f"{out[key]}\n{value}" if key in out else str(value)
    except Exception:  # noqa: BLE001 (extract-msg raises anything on corrupt data)
        return out
    return out


def _get(msg: Any, attr: str) -> Any:
    try:
        return getattr(msg, attr, None)
    except Exception:  # noqa: BLE001 (extract-msg raises anything on corrupt data)
        return None


def _str(msg: Any, attr: str) -> str | None:
    value = _get(msg, attr)
    if not isinstance(value, str):
        return None
    value = value.strip("\x00").strip()
    return value or None


def _attachment_name(attachment: Any, index: int) -> str:
    for attr in ("longFilename", "shortFilename", "name", "displayName"):
        value = _get(attachment, attr)
        if isinstance(value, str) and value.strip("\x00 "):
            return value.strip("\x00 ").replace(" > ", " - ")
    return f"attachment {index + 1}"


def _unique(name: str, seen: dict[str, int]) -> str:
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name} ({seen[name]})"
