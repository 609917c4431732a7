"""What a partner may see of a stored report: never another partner's name, claim id or file.

The checks report everything they found (a reviewer needs the other claim to compare); the service redacts
where a report is served to a partner key, so no check has to know who is reading."""
from __future__ import annotations

from models import CheckResult, Evidence, Report

REUSE = "template_reuse"


def report_for(report: Report, *, reviewer: bool) -> Report:
    """The report as `reviewer` (everything) or a partner (others' identities removed) may see it."""
    if reviewer:
        return report
    checks = [_reuse_for_partner(c, report) if c.id == REUSE and c.details.get("matches") else c
              for c in report.checks]
    return report if checks == report.checks else report.model_copy(update={"checks": checks})


def _reuse_for_partner(check: CheckResult, report: Report) -> CheckResult:
    """Only that the POE nearly duplicates POE on another partner's claim, and how similar."""
    similarities = sorted((round(float(m.get("similarity", 0.0)), 3) for m in check.details["matches"]),
                          reverse=True)
    best = similarities[0]
    others = "another partner's claim" if len(similarities) == 1 else f"{len(similarities)} claims of other partners"
    own_files = {d.get("filename") for d in report.documents}
    evidence = [Evidence(file=e.file, part=e.part, page=e.page, start=e.start, end=e.end, quote=e.quote,
                         rule_id=e.rule_id) for e in check.evidence if e.file.split(" > ")[0] in own_files]
    return check.model_copy(update={
        "message": f"near-duplicate of POE submitted on {others} ({best:.0%} similar)",
        "evidence": evidence,
        "details": {"matches": [{"similarity": s} for s in similarities]},
    })
