"""tenant_match: a tenant id (GUID) in the POE equals the claim's tenant id."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from checks.base import CheckContext, evidence, iter_parts, result
from checks.rulebook import load_yaml
from models import CheckResult, Claim, Document, Part

_GUID = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")
#: What OCR makes of a GUID: five dash-separated runs of letters, digits and stray marks, loosely sized.
_OCR_GUID = re.compile(r"(?<![\w-])\S{7,10}[-–—]\w{3,5}[-–—]\w{3,5}[-–—]\w{3,5}[-–—]\w{11,13}(?![\w-])")


@lru_cache(maxsize=1)
def _rules() -> tuple[re.Pattern, re.Pattern, int]:
    data = load_yaml("tenant.yaml")
    flags = re.IGNORECASE | re.VERBOSE
    return re.compile(data["tenant_labels"], flags), re.compile(data["other_labels"], flags), int(data["ocr_edits"])


def _normal(guid: str) -> str:
    return re.sub(r"[^0-9a-f]", "", guid.lower())


def _ocr_same(part: Part, want: str) -> list[re.Match]:
    """OCR-read ids within a few character edits of the claimed one (the same id, read imperfectly)."""
    if part.source != "ocr":
        return []
    edits = _rules()[2]
    return [m for m in _OCR_GUID.finditer(part.text)
            if Levenshtein.distance(re.sub(r"[^0-9a-z]", "", m.group().lower()), want, score_cutoff=edits) <= edits]


class TenantMatch:
    id = "tenant_match"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        want = _normal(claim.customer.tenant_id) if claim.customer.tenant_id else None
        tenant_label, other_label, _ = _rules()
        same, other = [], []
        for _doc, part in iter_parts(docs):
            text = part.text
            near = _ocr_same(part, want) if want else []
            for m in near:
                same.append(evidence(part, m.start(), m.end(), rule_id="tenant_guid_ocr", context=20))
            for m in _GUID.finditer(text):
                if any(n.start() <= m.start() < n.end() for n in near):
                    continue
                line_start = text.rfind("\n", 0, m.start()) + 1
                if m.start() - line_start < 20:  # a label wrapped at the end of the line before ("tenant\nID ...")
                    line_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
                before = text[max(line_start, m.start() - 100):m.start()]
                if want and _normal(m.group()) == want:
                    same.append(evidence(part, m.start(), m.end(), rule_id="tenant_guid", context=20))
                elif tenant_label.search(before) and not other_label.search(before):
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
