"""template_reuse: the POE must not be a near-duplicate of POE on another partner's claim."""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, result
from models import CheckResult, Claim, Document


class TemplateReuse:
    id = "template_reuse"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        if not ctx.store_available:
            return result(self, "not_applicable", "no store of earlier POE to compare with")
        if not ctx.reuse_matches:
            return result(self, "pass", "no near-duplicate among earlier POE of other partners")
        best = max(ctx.reuse_matches, key=lambda m: m.similarity)
        others = ", ".join(f"{m.claim_id} ({m.similarity:.0%})" for m in ctx.reuse_matches)
        return result(
            self, "fail",
            f"near-duplicate of POE on claim {best.claim_id} by another partner ({best.similarity:.0%} similar)",
            remediation="Upload POE written for this customer's engagement, not a copy of another claim's POE.",
            details={"matches": [{"claim_id": m.claim_id, "partner": m.partner, "similarity": round(m.similarity, 3),
                                  "file": m.file} for m in ctx.reuse_matches], "summary": others},
        )


CHECK = TemplateReuse()
