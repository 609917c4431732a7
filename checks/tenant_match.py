"""tenant_match: a tenant id (GUID) in the POE equals the claim's tenant id."""
from __future__ import annotations

import re
from collections.abc import Sequence

from checks.base import CheckContext, evidence, iter_parts, result
from models import CheckResult, Claim, Document

_GUID = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")
_TENANT_LABEL = re.compile(r"tenant|directory\s*(?:id|\(tenant\))", re.IGNORECASE)
_OTHER_LABEL = re.compile(r"envelope|transaction|document\s*id|correlation|request\s*id|message|object\s*id"
                          r"|application\s*id|client\s*id|subscription|session|reference", re.IGNORECASE)


def _normal(guid: str) -> str:
    return re.sub(r"[^0-9a-f]", "", guid.lower())


class TenantMatch:
    id = "tenant_match"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        want = _normal(claim.customer.tenant_id) if claim.customer.tenant_id else None
        same, other = [], []
        for _doc, part in iter_parts(docs):
            text = part.text
            for m in _GUID.finditer(text):
                line_start = text.rfind("\n", 0, m.start()) + 1
                if m.start() - line_start < 20:  # a label wrapped at the end of the line before ("tenant\nID ...")
                    line_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
                before = text[max(line_start, m.start() - 60):m.start()]
                if want and _normal(m.group()) == want:
                    same.append(evidence(part, m.start(), m.end(), rule_id="tenant_guid", context=20))
                elif _TENANT_LABEL.search(before) and not _OTHER_LABEL.search(before):
                    other.append(evidence(part, m.start(), m.end(), rule_id="tenant_guid", context=20))
        if same:
            return result(self, "pass", "the claimed tenant id appears in the POE", evidence=same)
        if other:
            if want is None:
                return result(self, "warn", "the POE names a tenant id but the claim gives none",
                              evidence=other, blocking=False,
                              remediation="Add the customer's tenant id to the claim so it can be compared.")
            return result(self, "fail", "the POE names another tenant id than the claim's", evidence=other,
                          remediation="Check the claim's tenant id; upload POE for the claimed tenant.")
        return result(self, "not_applicable", "no tenant id in the POE")


CHECK = TenantMatch()
