"""workload_match: every claimed workload is named in the POE (by name or alias)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from checks.base import CheckContext, iter_parts, name_evidence, result
from checks.rulebook import workloads
from checks.textutil import name_variants
from models import CheckResult, Claim, Document, Evidence, Part

#: Aliases this short and upper-case (MDE, MIP, MCAS) only count as whole upper-case tokens.
_ACRONYM = re.compile(r"^[A-Z0-9]{2,5}$")


@lru_cache(maxsize=1)
def _matchers() -> dict[str, tuple[re.Pattern[str] | None, tuple[str, ...]]]:
    """Per workload: a case-sensitive regex of its acronyms, and its other names for fuzzy matching."""
    out = {}
    for wid, wl in workloads().items():
        acronyms = [n for n in wl.names if _ACRONYM.match(n)]
        others = [n for n in wl.names if not _ACRONYM.match(n)]
        rx = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, acronyms)) + r")(?![\w-])") if acronyms else None
        out[wid] = (rx, name_variants(others))
    return out


def find_workload(part: Part, workload_id: str) -> Evidence | None:
    """Evidence that `part` names the workload (full name or alias, OCR-tolerant), or None."""
    rx, names = _matchers()[workload_id]
    return name_evidence(part, names, rx, rule_id=f"workload_{workload_id}")


def named_workloads(docs: Sequence[Document]) -> dict[str, Evidence]:
    """Workload id -> first evidence of it, for every workload the documents name."""
    found: dict[str, Evidence] = {}
    for _doc, part in iter_parts(docs):
        for wid in workloads():
            if wid not in found:
                ev = find_workload(part, wid)
                if ev:
                    found[wid] = ev
    return found


class WorkloadMatch:
    id = "workload_match"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        found = named_workloads(docs)
        claimed = list(dict.fromkeys(claim.workloads))
        named = [w for w in claimed if w in found]
        missing = [w for w in claimed if w not in found]
        extra = [w for w in found if w not in claimed]
        names = workloads()
        ev = [found[w] for w in named]
        extra_note = f"; also names unclaimed {', '.join(names[w].name for w in extra)}" if extra else ""
        details = {"named": named, "missing": missing, "unclaimed_named": extra}
        if not missing:
            return result(self, "pass", f"the POE names every claimed workload{extra_note}", evidence=ev,
                          details=details)
        missing_names = ", ".join(names[w].name for w in missing)
        if named:
            return result(self, "warn", f"the POE does not name {missing_names}{extra_note}", evidence=ev,
                          details=details, blocking=False,
                          remediation=f"Upload POE describing the work on {missing_names}, or drop it from the claim.")
        return result(self, "fail", f"the POE names none of the claimed workloads ({missing_names}){extra_note}",
                      evidence=[found[w] for w in extra], details=details,
                      remediation=f"Upload POE that describes the work on {missing_names}.")


CHECK = WorkloadMatch()
