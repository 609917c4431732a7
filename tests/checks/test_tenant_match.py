from __future__ import annotations

from datetime import date

import pytest

from checks.base import CheckContext, ReuseMatch
from checks.template_reuse import CHECK as REUSE
from checks.tenant_match import CHECK
from models import Claim, Document, Part

TENANT = "544fb16c-b69a-40b3-a7cb-e4a44eaaf222"


def _claim(tenant: str | None = TENANT) -> Claim:
    return Claim.model_validate({"claim_date": "2025-04-21", "partner": {"name": "Tidemark"},
                                 "customer": {"name": "Corvid", "tenant_id": tenant}, "workloads": ["MDE"]})


def _docs(*texts: str) -> list[Document]:
    parts = [Part(kind="pdf_page", path=f"letter.pdf > page {i}", file="letter.pdf", page=i, text=t,
                  source="text_layer") for i, t in enumerate(texts, 1)]
    return [Document(sha256="0" * 64, filename="letter.pdf", media_type="application/pdf", size=1, parts=parts)]


CTX = CheckContext(reference_date=date(2025, 4, 21))


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param(f"Tenant ID {TENANT}\nDate 14 January 2025", "pass", id="labelled-same"),
        pytest.param(f"tenant: {TENANT.upper()}", "pass", id="upper-case"),
        pytest.param(f"Tenant ID {TENANT.replace('-', '')}", "pass", id="no-dashes"),
        pytest.param("Tenant ID 11111111-2222-4333-8444-555555555555", "fail", id="other-tenant"),
        pytest.param("Docusign Envelope ID: B9DB685B-1AF1-FECD-1A52-042D9384E7F7", "not_applicable",
                     id="envelope-id-is-not-a-tenant"),
        pytest.param("No identifiers here at all.", "not_applicable", id="none"),
    ],
)
def test_tenant_match(text, status):
    res = CHECK.run(_claim(), _docs(text), CTX)
    assert res.status == status
    if status == "pass":
        ev = res.evidence[0]
        assert ev.part == "letter.pdf > page 1" and ev.page == 1
        assert TENANT[:8].lower() in ev.quote.lower()
    if status == "fail":
        assert res.blocking and res.remediation


def test_tenant_in_letter_but_not_in_claim_is_a_warning():
    res = CHECK.run(_claim(None), _docs(f"Tenant ID {TENANT}"), CTX)
    assert res.status == "warn" and not res.blocking


def test_template_reuse_needs_a_store_and_reports_the_other_claim():
    claim, docs = _claim(), _docs("text")
    assert REUSE.run(claim, docs, CTX).status == "not_applicable"
    with_store = CheckContext(reference_date=CTX.reference_date, store_available=True)
    assert REUSE.run(claim, docs, with_store).status == "pass"
    hit = CheckContext(reference_date=CTX.reference_date, store_available=True,
                       reuse_matches=(ReuseMatch(claim_id="C-1", partner="Other", similarity=0.93),))
    res = REUSE.run(claim, docs, hit)
    assert res.status == "fail" and "C-1" in res.message and res.details["matches"][0]["similarity"] == 0.93


def test_a_tenant_label_wrapped_onto_the_line_before_counts():
    """Held-out letter: "... in our Microsoft 365 tenant (tenant\\nID <other guid>)." was not_applicable."""
    from checks.tenant_match import CHECK
    from tests.checks.conftest import make_claim, make_ctx, pdf_doc

    claim = make_claim().model_copy(update={"customer": make_claim().customer.model_copy(
        update={"tenant_id": "e023bbc7-3e78-4580-9eed-d466b953859d"})})
    doc = pdf_doc("completed in our Microsoft 365 tenant (tenant\nID b703dd25-f7a5-4da9-9a22-d998fa985ae1).")
    assert CHECK.run(claim, [doc], make_ctx(claim)).status == "fail"


def test_only_an_ocr_read_id_may_be_a_few_characters_off():
    """OCR misreads a character or two of a long id; a text layer is exact, so there one character is another id."""
    from checks.tenant_match import CHECK
    from tests.checks.conftest import make_claim, make_ctx

    claim = make_claim().model_copy(update={"customer": make_claim().customer.model_copy(
        update={"tenant_id": TENANT})})
    misread = "Tenant ID 544fb16c-b69a-40b3-a7cb-e4a44eaa1222"
    ocr = [Document(sha256="0" * 64, filename="scan.png", media_type="image/png", size=1, parts=[
        Part(kind="image_page", path="scan.png > page 1", file="scan.png", page=1, text=misread, source="ocr")])]
    assert CHECK.run(claim, ocr, make_ctx(claim)).status == "pass"
    assert CHECK.run(claim, _docs(misread), make_ctx(claim)).status == "fail"


def test_a_tenant_label_in_another_language_counts():
    from checks.tenant_match import CHECK

    text = "Tenant Microsoft 365 contoso.onmicrosoft.com – ID do locatário: 11111111-2222-4333-8444-555555555555"
    assert CHECK.run(_claim(), _docs(text), CTX).status == "fail"
