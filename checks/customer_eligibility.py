"""customer_eligibility: the customer is not excluded (GCC High, DoD, charity, test, trial, Quick Start, 21Vianet).

`fail` on any claim flag, or on a POE sentence that places the work or tenant in an excluded offer.
Choice on negation: a mention counts unless its sentence negates it ("not a trial tenant") or says
the tenant has already left it ("moved from the trial to paid licences", "the trial subscription was
converted to paid licences"). A plan to convert later ("which it plans to convert to paid licences")
still counts: the work was done in the excluded tenant, so a reviewer would reject it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from checks.base import CheckContext, evidence, iter_parts, not_checked, result
from checks.fastscan import scanner
from checks.textutil import fold, rules, sentence_at, sentences
from models import CheckResult, Claim, Document, Evidence
from models.claim import FLAG_LABELS

_FILE = "eligibility.yaml"
_LABELS = FLAG_LABELS


@lru_cache(maxsize=1)
def _cased() -> dict[str, re.Pattern[str]]:
    """Rules matched case-sensitively ('DoD' is an acronym; 'dod' is not)."""
    return {r.id: r.pattern for r in rules(_FILE, "excluded", flags=0) if r.id == "dod"}


@lru_cache(maxsize=1)
def _cues():
    return {r.id: r.pattern for r in rules(_FILE, "cues")}


@lru_cache(maxsize=256)
def part_exclusions(text: str) -> tuple[tuple[str, int, int], ...]:
    """(flag, start, end) of every exclusion the text states and does not negate."""
    text = fold(text)
    cues = _cues()
    spans = sentences(text)
    out = []
    for rule in rules(_FILE, "excluded"):
        rx = _cased().get(rule.id) or rule.pattern
        for m in scanner(rx).finditer(text):
            s, e = sentence_at(spans, m.start())
            if cues["negation_before"].search(text[max(s, m.start() - 80):m.start()]):
                continue
            if cues["left_it_after"].search(text[m.end():e]):
                continue
            out.append((rule.id, m.start(), m.end()))
    return tuple(out)


class CustomerEligibility:
    id = "customer_eligibility"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        flags = list(dict.fromkeys(claim.customer.flags))
        ev: list[Evidence] = []
        seen: list[str] = []
        for _doc, part in iter_parts(docs):
            for flag, s, e in part_exclusions(part.text):
                ev.append(evidence(part, s, e, rule_id=flag, context=40))
                if flag not in seen:
                    seen.append(flag)
        details = {"claim_flags": flags, "poe_flags": seen}
        if flags or seen:
            parts = []
            if flags:
                parts.append("the claim flags the customer as " + ", ".join(_LABELS[f] for f in flags))
            if seen:
                parts.append("the POE shows " + ", ".join(_LABELS[f] for f in seen))
            return result(self, "fail", "excluded customer: " + "; ".join(parts), evidence=ev, details=details,
                          remediation="Customers in GCC High, DoD, charity grant, test, trial, Quick Start or "
                                      "21Vianet tenants are not eligible; claim only paid commercial tenants.")
        missing = ctx.not_given("customer.flags")
        if missing:
            return not_checked(self, missing, details=details, why="GCC High, DoD, charity, test, trial, Quick Start "
                               "or 21Vianet, or none of these; the POE shows none")
        return result(self, "pass", "no exclusion flag in the claim or the POE", details=details)


CHECK = CustomerEligibility()
