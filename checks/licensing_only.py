"""licensing_only: the POE is not only about licence purchases, quotes, orders or renewals.

`fail` when the documents read as a licensing transaction (a quotation/order/invoice/renewal cue, or
three kinds of licensing vocabulary) and no delivered deployment or adoption work is described
(the activity finder of applicable_activities: past-tense work by the partner). A completion letter
that mentions licences in passing passes because it describes delivered work.
"""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, result
from checks.findings import findings_of
from checks.findings.activities import delivered_weight
from models import CheckResult, Claim, Document


class LicensingOnly:
    id = "licensing_only"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        found = findings_of(claim, docs, ctx)
        lic = found.licensing
        types, terms, licensing = lic.types, lic.terms, lic.is_transaction
        work = delivered_weight(found.activities)
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
