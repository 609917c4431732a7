"""user_counts: user, seat, device, mailbox or endpoint counts are stated (returned by workload)."""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, evidence, result
from checks.findings import findings_of
from models import CheckResult, Claim, Document


class UserCounts:
    id = "user_counts"
    blocking = False

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        found = findings_of(claim, docs, ctx).counts
        by_workload: dict[str, dict[str, int]] = {}
        for _p, c, w in found:
            slot = by_workload.setdefault(w or "overall", {})
            slot[c.unit] = max(slot.get(c.unit, 0), c.value)
        ev = (evidence(p, c.start, c.end, rule_id=f"count_{c.unit}", note=w) for p, c, w in found)
        if found:
            summary = ", ".join(f"{v:,} {u}" for u, v in by_workload.get("overall", next(iter(by_workload.values()))).items())
            return result(self, "pass", f"counts are stated ({summary})", evidence=ev,
                          details={"counts": by_workload})
        return result(self, "warn", "no user, seat, device or mailbox counts found", details={"counts": {}},
                      remediation="State how many users, devices or mailboxes the work covered, per workload.")


CHECK = UserCounts()
