"""RFC 5322 .eml files (standard library parser): same model as .msg."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from models.document import EmailMeta, Part
from service.ingest.context import IngestContext
from service.ingest.text import html_to_text, tidy


def ingest_eml(data: bytes, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Add the message body part and its attachments (nested messages included)."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    ingest_email_message(message, file=file, ctx=ctx, depth=depth)


def ingest_email_message(message: EmailMessage, *, file: str, ctx: IngestContext, depth: int) -> None:
    """Ingest a parsed MIME message."""
    warnings: list[str] = []
    ctx.parts.append(
        Part(
            kind="email_body",
            path=f"{file} > body",
            file=file,
            text=_body(message, warnings),
            source="email",
            email=_meta(message),
            warnings=warnings,
        )
    )
    names: dict[str, int] = {}
    for index, part in enumerate(message.iter_attachments()):
        name = (part.get_filename() or f"attachment {index + 1}").replace(" > ", " - ")
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:
            name = f"{name} ({names[name]})"
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            payload = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
        else:
            payload = part.get_payload(decode=True) or b""
        ctx.attach(payload, name, parent=file, depth=depth + 1)


def _body(message: EmailMessage, warnings: list[str]) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError, AssertionError) as exc:
        warnings.append(f"body cannot be decoded ({type(exc).__name__})")
        raw = body.get_payload(decode=True) or b""
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if body.get_content_type() == "text/html" else tidy(content)


def _meta(message: EmailMessage) -> EmailMeta:
    sender = _header(message, "From")
    sent = None
    if date := _header(message, "Date"):
        try:
            sent = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            sent = None
    headers: dict[str, str] = {}
    for key, value in message.raw_items():
        value = " ".join(str(value).split())
        headers[key] = f"{headers[key]}\n{value}" if key in headers else value
    return EmailMeta(
        sender=sender,
        sender_email=_address(sender),
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        sent=sent,
        subject=_header(message, "Subject"),
        message_id=_header(message, "Message-ID"),
        headers=headers,
        message_class=None,
    )


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        return None
    return " ".join(str(value).split()) or None if value is not None else None


def _addresses(message: EmailMessage, name: str) -> list[str]:
    values = [str(v) for v in (message.get_all(name) or [])]
    return [f"{n} <{a}>" if n and a else (a or n) for n, a in getaddresses(values) if a or n]


def _address(sender: str | None) -> str | None:
    """The sender's address, lower-case; None when the header holds a display name alone."""
    address = parseaddr(sender)[1].lower() if sender else ""
    return address if "@" in address else None
