"""licensing_only: the POE is not only about licence purchases, quotes, orders or renewals.

`fail` when the documents read as a licensing transaction (a quotation/order/invoice/renewal cue, or
three kinds of licensing vocabulary) and no delivered deployment or adoption work is described
(the activity finder of applicable_activities: past-tense work by the partner). A completion letter
that mentions licences in passing passes because it describes delivered work.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from checks.base import CheckContext, evidence, iter_parts, result
from checks.fastscan import scanner
from checks.findings import findings_of
from checks.findings.activities import delivered_weight
from checks.rulebook import RULES_DIR, RuleFileError
from checks.textutil import rule_file, rules
from models import CheckResult, Claim, Document, Evidence

_FILE = "licensing.yaml"


@lru_cache(maxsize=1)
def _min_terms() -> int:
    try:
        return int(rule_file(_FILE)["thresholds"]["terms_without_type"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(f"{RULES_DIR / _FILE}: thresholds.terms_without_type: {exc}") from exc


class LicensingOnly:
    id = "licensing_only"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        types: list[Evidence] = []
        terms: dict[str, Evidence] = {}
        for _doc, part in iter_parts(docs):
            for rule in rules(_FILE, "document_types", flags=re.IGNORECASE | re.MULTILINE):
                m = scanner(rule.pattern).search(part.text)
                if m:
                    types.append(evidence(part, m.start(), m.end(), rule_id=rule.id, context=20))
            for rule in rules(_FILE, "terms"):
                m = scanner(rule.pattern).search(part.text)
                if m and rule.id not in terms:
                    terms[rule.id] = evidence(part, m.start(), m.end(), rule_id=rule.id, context=20)
        licensing = bool(types) or len(terms) >= _min_terms()
        work = delivered_weight(findings_of(claim, docs, ctx).activities)
        details = {"document_types": sorted({e.rule_id for e in types}), "licensing_terms": sorted(terms),
                   "delivered_work_weight": work}
        if licensing and work < 1:
            return result(self, "fail", "the POE is about licences (quote/order/renewal) and describes no delivered work",
                          evidence=types + list(terms.values()), details=details,
                          remediation="Licence quotes, orders and renewals are not POE: upload a document describing "
                                      "the deployment or adoption work delivered, acknowledged by the customer.")
        if licensing:
            return result(self, "pass", "licences are mentioned, but delivered work is described", details=details)
        return result(self, "pass", "the POE is not a licensing document", details=details)


CHECK = LicensingOnly()
