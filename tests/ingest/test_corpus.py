"""Every file of fixtures/corpus through `poecheck inspect`: parsed, or a typed one-line error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CORPUS = FIXTURES / "corpus"

# Files whose whole-file result is a typed error (code), by corpus path.
ERRORS = {
    "msg/hh__contactUnicode.msg": "not_an_email",
    "msg/poi__msgClassStickyNote.msg": "not_an_email",
    "msg/poi__fuzz-4735011465854976.msg": "malformed",
    "msg/poi__fuzz-5336473854148608.msg": "malformed",
    "pdf_text/pypdf__r2-user-password.pdf": "encrypted",
    "pdf_text/pypdf__r4-aes-user-password.pdf": "encrypted",
    "pdf_text/pypdf__r6-user-password.pdf": "encrypted",
    "pdf_text/sf__libreoffice-writer-password.pdf": "encrypted",
    "pdf_malformed/pyhanko__malformed-encrypt-dict1.pdf": "encrypted",
    "pdf_signed/pyhanko__signed-encrypted-pubkey-with-catalog-ref.pdf": "encrypted",
    "pdf_malformed/qpdf__bad1_not-a-pdf.pdf": "malformed",
    "pdf_malformed/qpdf__issue-335a-garbage.pdf": "malformed",
}
# Files that need Tesseract (scans, images, or mail/PDFs carrying images).
OCR_FILES = {
    "msg/hh__attachAndInline.msg",
    "msg/hh__attachmentFiles.msg",
    "msg/hh__msgInMsg.msg",
    "msg/hh__msgInMsgInMsg.msg",
    "msg/poi__no_recipient_address.msg",
    "msg/sic__EmailWithAttachments.msg",
    "pdf_malformed/pdfjs__scan-bad.pdf",
    "pdf_signed/endesive__test-signed-cms-hsm-Google.pdf",
    "pdf_text/sf__with-attachment.pdf",
}
# Scans and images with no readable text (photos, blank pages, one-line scripts tesseract's eng can't read).
NO_TEXT = {"images/sf__smile-pack-bits.tiff", "pdf_signed/endesive__test-signed-cms-hsm-Google.pdf"}
BLANK = {"pdf_text/pyhanko__empty-a4.pdf"}


def _corpus() -> list[pytest.ParameterSet]:
    params = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        rel = path.relative_to(CORPUS).as_posix()
        needs_ocr = rel.startswith(("images/", "pdf_scanned/")) or rel in OCR_FILES
        params.append(pytest.param(path, id=rel, marks=[pytest.mark.ocr] if needs_ocr else []))
    return params


@pytest.mark.parametrize("path", _corpus())
def test_corpus_file_through_inspect(path: Path, inspect_file) -> None:
    rel = path.relative_to(CORPUS).as_posix()
    result = inspect_file(path)
    assert "Traceback" not in result.stderr
    supported = path.suffix.lower() in {".msg", ".eml", ".pdf", ".png", ".jpg", ".tif", ".tiff"}
    unrecoverable = rel.startswith("pdf_malformed/") and result.exit_code == 2
    if rel in ERRORS or not supported or unrecoverable:
        code = ERRORS.get(rel, "malformed" if unrecoverable else "unsupported_type")
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert re.match(rf"poecheck: .+: {code}: \S", lines[0]), lines[0]
        return
    assert result.exit_code == 0, result.stderr
    (doc,) = result.docs
    assert doc.parts
    if rel.startswith("msg/"):
        body = doc.parts[0]
        assert body.kind == "email_body" and body.email is not None
        assert body.path == f"{path.name} > body"
    if rel.startswith(("pdf_text/", "pdf_scanned/", "pdf_signed/")) and rel not in BLANK | NO_TEXT:
        assert sum(c.isalnum() for c in doc.text) >= 5, "no text recovered"
    if rel.startswith(("images/", "pdf_scanned/")) and rel not in NO_TEXT:
        assert any(p.source in ("ocr", "text_layer") and p.text for p in doc.parts)
        for part in doc.parts:
            if part.source == "ocr":
                assert part.has_image and part.width and part.height and part.ocr_confidence is not None
    if rel.startswith("pdf_signed/") and rel.endswith(".pdf"):
        assert doc.signatures, "signed PDF without signatures"


def test_every_msg_attachment_is_accounted_for(inspect_file) -> None:
    """Each attachment of a .msg becomes parts under its own file chain (read, or a stub with a warning)."""
    import extract_msg

    for path in sorted((CORPUS / "msg").glob("*.msg")):
        rel = path.relative_to(CORPUS).as_posix()
        if rel in ERRORS or rel in OCR_FILES:
            continue
        msg = extract_msg.openMsg(str(path))
        try:
            count = len(msg.attachments)
        finally:
            msg.close()
        (doc,) = inspect_file(path).docs
        children = {p.file.split(" > ")[1] for p in doc.parts if p.file.count(" > ") >= 1}
        assert len(children) == count, rel
