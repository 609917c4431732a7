"""Run every registered check over a claim's documents; one broken check never stops the others."""
from __future__ import annotations

import logging
from collections.abc import Sequence

from checks.base import Check, CheckContext
from checks.registry import DEFAULT_CHECKS
from checks.unexpected import log_unexpected
from models import CheckResult, Claim, Document

log = logging.getLogger(__name__)


def run_checks(claim: Claim, docs: Sequence[Document], ctx: CheckContext,
               checks: Sequence[Check] = DEFAULT_CHECKS) -> list[CheckResult]:
    """Results in registry order. An unexpected error in a check is reported as a warn for that check."""
    results = []
    for check in checks:
        try:
            results.append(check.run(claim, docs, ctx))
        except Exception as exc:  # noqa: BLE001 - a bug in one rule must not hide the others
            log_unexpected(log, exc, f"check {check.id} raised")
            results.append(CheckResult(
                id=check.id, status="warn", blocking=check.blocking,
                message=f"internal error while running this check ({type(exc).__name__}); a reviewer must look",
                remediation="Nothing to fix in the POE; report this to the poecheck maintainers.",
            ))
    return results

