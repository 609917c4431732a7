"""Outlook .msg and .eml specifics: encodings, metadata, bodies, nested attachments."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.errors import NestingTooDeep, NotAnEmail
from service.ingest.dispatch import ingest_bytes, ingest_path

MSG = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "msg"


@pytest.mark.parametrize(
    ("name", "subject", "body_snippet"),
    [
        pytest.param("hh__nonUnicodeCP932.msg", "日本語 Non Unicode タイトル", "本文", id="ansi-cp932"),
        pytest.param("poi__chinese-traditional.msg", "格式測試", "中文測試", id="ansi-big5"),
        pytest.param("poi__cyrillic_message.msg", "Автоматический", "", id="ansi-cp1251"),
        pytest.param("hh__Hello_CJK.msg", "Hello +CJK", "こんにちは", id="unicode"),
        pytest.param("hh__newOutlook_test_message.msg", "テスト", "", id="html-only"),
        pytest.param("poi__HTMLBodyBinary_UTF-8.msg", "Subject öäü Subject", "", id="binary-html"),
        pytest.param("sic__RtfWithShortRussianString.msg", None, "", id="rtf"),
    ],
)
def test_msg_text_is_decoded(name: str, subject: str | None, body_snippet: str, settings: Settings) -> None:
    doc = ingest_path(MSG / name, settings=settings)
    body = doc.parts[0]
    assert body.source == "email"
    assert body.email is not None
    if subject:
        assert subject in (body.email.subject or "")
    assert body_snippet in body.text
    assert "\ufffd" not in body.text
    assert body.text.strip(), "empty body"


def test_msg_metadata(settings: Settings) -> None:
    email = ingest_path(MSG / "hh__attachmentFiles.msg", settings=settings).parts[0].email
    assert email is not None
    assert email.sender_email == "hmailuser@hmailserver.test"
    assert email.sent is not None and email.sent.year == 2023
    assert email.message_class == "IPM.Note"
    assert email.to


def test_nested_msg_paths(settings: Settings) -> None:
    doc = ingest_path(MSG / "hh__Outer_mail.msg", settings=settings)
    files = [p.file for p in doc.parts]
    assert "hh__Outer_mail.msg > OUTER 1.pdf" in files
    assert "hh__Outer_mail.msg > OUTER 2.pdf" in files
    assert any(f.startswith("hh__Outer_mail.msg > Inner mail.msg") for f in files)
    pdf_page = next(p for p in doc.parts if p.file.endswith("OUTER 1.pdf"))
    assert pdf_page.path == "hh__Outer_mail.msg > OUTER 1.pdf > page 1"
    assert pdf_page.source == "text_layer" and pdf_page.text


def test_attached_eml_is_parsed(settings: Settings) -> None:
    doc = ingest_path(MSG / "hh__Attach_sample_eml_sent.msg", settings=settings)
    inner = [p for p in doc.parts if p.file == "hh__Attach_sample_eml_sent.msg > sample.eml"]
    assert inner and inner[0].kind == "email_body" and inner[0].email is not None


def test_eml_with_attachments(settings: Settings) -> None:
    doc = ingest_path(MSG / "sic__TestWithAttachmentsAndInlines.eml", settings=settings)
    body = doc.parts[0]
    assert body.email is not None and body.email.sender_email
    assert body.email.sent is not None
    assert any(p.kind == "attachment" and p.text for p in doc.parts)


def test_nesting_too_deep(settings: Settings) -> None:
    shallow = settings.model_copy(update={"max_depth": 1})
    with pytest.raises(NestingTooDeep):
        ingest_path(MSG / "hh__msgInMsgInMsg.msg", settings=shallow)


def test_non_mail_item_is_refused(settings: Settings) -> None:
    with pytest.raises(NotAnEmail, match="contact"):
        ingest_path(MSG / "hh__contactUnicode.msg", settings=settings)


def test_appointment_is_read(settings: Settings) -> None:
    doc = ingest_path(MSG / "hh__Appointment_sample_EST.msg", settings=settings)
    assert doc.parts[0].email is not None
    assert doc.parts[0].email.message_class == "IPM.Appointment"


def test_eml_detected_by_content_not_name(settings: Settings) -> None:
    data = (MSG / "sic__UTF-8_Test.eml").read_bytes()
    doc = ingest_bytes(data, "renamed.bin", settings=settings)
    assert doc.media_type == "message/rfc822"
    assert doc.parts[0].text


def test_a_sender_without_an_address_has_none_and_the_thread_gives_it():
    """A .msg whose sender has only a display name (written by a tool that keeps no SMTP address): the name
    once parsed as the address 'lucía'; the quoted earlier message addresses that person."""
    from pathlib import Path

    from checks.base import CheckContext
    from checks.customer_acknowledgement import CHECK
    from models import Claim
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    fresh = Path(__file__).resolve().parents[2] / "fixtures" / "poe_fresh"
    (path,) = (fresh / "docs" / "fb-002").iterdir()
    doc = ingest_path(path, settings=Settings())
    assert doc.parts[0].email.sender_email is None
    claim = Claim.model_validate_json((fresh / "claims" / "fb-002.json").read_text())
    result = CHECK.run(claim, [doc], CheckContext.for_claim(claim))
    assert result.status == "pass", result.message
