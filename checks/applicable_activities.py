"""applicable_activities: the POE describes deployment or adoption work done by the partner.

Activities are found with the vocabularies of rules/activities.yaml, one sentence at a time. An
applicable activity does not count when it is negated ("no changes were made"), stated as intent
("will deploy"), advice about it ("advised on configuring"), support of somebody else's work ("helped
the customer configure") or done by the customer ("the customer's team deployed ..."; in an e-mail
written by the customer, "we" is the customer and "your team" the partner). A licence quote, order or renewal
with no work described is an activity that does not qualify: `fail`, as advice alone is.
"""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, evidence, result
from checks.findings import findings_of
from checks.findings.activities import Activity, delivered_weight
from models import CheckResult, Claim, Document, Evidence, Part


class ApplicableActivities:
    id = "applicable_activities"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        acts = findings_of(claim, docs, ctx).activities
        counted = [(p, a) for p, a in acts if a.applicable and a.excluded is None]
        excluded = [(p, a) for p, a in acts if a.applicable and a.excluded is not None]
        other = [(p, a) for p, a in acts if not a.applicable]

        def ev(items: Sequence[tuple[Part, Activity]]) -> list[Evidence]:
            return [evidence(p, a.start, a.end, rule_id=a.rule_id, context=40,
                             note=f"not counted: {a.excluded}" if a.excluded else None) for p, a in items[:10]]

        kinds = sorted({a.rule_id for _p, a in other} | {a.excluded for _p, a in excluded if a.excluded})
        details = {"applicable": sorted({a.rule_id for _p, a in counted}), "not_counted": kinds,
                   "weight": delivered_weight(acts)}
        if details["weight"] >= 1:
            return result(self, "pass", "the POE describes deployment or adoption work by the partner",
                          evidence=ev(counted), details=details)
        remediation = ("Upload POE describing the deployment, configuration, migration, onboarding or training "
                       "the partner delivered; advice, helpdesk support and managed services do not qualify.")
        if other or excluded:
            return result(self, "fail",
                          f"only non-applicable activities described ({', '.join(kinds)})",
                          evidence=ev(other + excluded), details=details, remediation=remediation)
        licensing = findings_of(claim, docs, ctx).licensing
        if licensing.is_transaction:  # buying or renewing licences is an activity, and not an applicable one
            details["not_counted"] = ["licence purchase"]
            return result(self, "fail", "only a licence purchase, quote or renewal is described",
                          evidence=(licensing.types + list(licensing.terms.values()))[:10], details=details,
                          remediation=remediation)
        return result(self, "warn", "no deployment or adoption activity found in the POE", details=details,
                      blocking=False, remediation=remediation)


CHECK = ApplicableActivities()
