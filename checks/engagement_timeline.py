"""engagement_timeline: start/end dates, phases or durations of the engagement are stated.

A date (any written shape; its value is not needed) counts when its sentence talks about the engagement (started, kick-off, completed, rollout,
from ... to ...) and its line is not a document/signature date label ("Date:", "Signed:"). A duration
("over 6 weeks") counts in such a sentence unless the sentence is about licence terms or offers.
Nothing found is a `warn` (the check is non-blocking).
"""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, evidence, result
from checks.findings import findings_of
from models import CheckResult, Claim, Document


class EngagementTimeline:
    id = "engagement_timeline"
    blocking = False

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        hits = findings_of(claim, docs, ctx).timeline
        ev = (evidence(p, h.start, h.end, rule_id=f"timeline_{h.kind}", context=30) for p, h in hits)
        kinds = sorted({h.kind for _p, h in hits})
        if hits:
            return result(self, "pass", f"the engagement timeline is stated ({', '.join(kinds)})", evidence=ev,
                          details={"kinds": kinds})
        return result(self, "warn", "no engagement dates, phases or durations found", details={"kinds": []},
                      remediation="Add when the engagement started and ended, or its phases and duration.")


CHECK = EngagementTimeline()
