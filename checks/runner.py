"""Run every registered check over a claim's documents; one broken check never stops the others."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from checks.base import Check, CheckContext
from checks.registry import DEFAULT_CHECKS
from checks.unexpected import log_unexpected
from models import CheckResult, Claim, Document, Part

log = logging.getLogger(__name__)


def run_checks(claim: Claim, docs: Sequence[Document], ctx: CheckContext,
               checks: Sequence[Check] = DEFAULT_CHECKS) -> list[CheckResult]:
    """Results in registry order. An unexpected error in a check is reported as a warn for that check."""
    results = []
    for check in checks:
        try:
            results.append(check.run(claim, docs, ctx))
        except Exception as exc:  # a bug in one rule must not hide the others
            log_unexpected(log, exc, f"check {check.id} raised")
            results.append(CheckResult(
                id=check.id, status="warn", blocking=check.blocking,
                message=f"internal error while running this check ({type(exc).__name__}); a reviewer must look",
                remediation="Nothing to fix in the POE; report this to the poecheck maintainers.",
            ))
    return results


_PROBE_TEXT = ("Project completion letter. Contoso Ltd confirms that Fabrikam deployed Microsoft Defender for Endpoint "
               "to 1,200 devices between 3 March 2025 and 28 April 2025, trained 40 administrators and onboarded "
               "users. Tenant 5f1c2d3e-0a4b-4c6d-8e9f-112233445566.\nAccepted on behalf of the Customer\n"
               "Name: A. Reader\nTitle: IT Director\nSignature: /s/ A. Reader\nDate: 30 April 2025\n"
               "Certificate of Completion Envelope Id: 0123456789ABCDEF Signed: 30 April 2025")


def validate_rules() -> None:
    """Load and use every rule file once by running each check on a probe claim, so that a broken rule file
    stops start-up (RuleFileError naming the file) instead of turning every claim's check into a warning."""
    claim = Claim.model_validate({"claim_date": "2025-05-15", "partner": {"name": "Fabrikam", "domains": ["fabrikam.com"]},
                                  "customer": {"name": "Contoso Ltd", "domains": ["contoso.com"],
                                               "segment": "public_sector", "country": "US"},
                                  "workloads": ["MDE"]})
    part = Part(kind="pdf_page", path="probe.pdf > page 1", file="probe.pdf", page=1, text=_PROBE_TEXT,
                source="text_layer")
    doc = Document(sha256="0" * 64, filename="probe.pdf", media_type="application/pdf", size=1, parts=[part])
    ctx = CheckContext.for_claim(claim)
    for check in DEFAULT_CHECKS:
        check.run(claim, [doc], ctx)
