"""public_sector_disclosure: public-sector customers are told, in writing, what Microsoft pays the partner.

`not_applicable` unless the customer segment is public_sector. Restricted country (data file):
`fail`. US and PR: `pass` only when a sentence discloses fees/commission/compensation from Microsoft
and the customer acknowledged it in writing: the acknowledgement is in that sentence or its
neighbour, or the disclosure sits in a document the customer signs (a sign-off phrase such as "Accepted on
behalf of the Customer", or any customer acknowledgement signatures_text accepts in that document) or in an
e-mail sent from a customer domain. Other countries: `pass` with a note (the
written-disclosure rule of POE_RULES §4 applies to the US and Puerto Rico only).
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from checks.base import CheckContext, evidence, not_checked, result
from checks.findings import findings_of
from checks.findings.activities import customer_authored
from checks.rulebook import RULES_DIR, RuleFileError
from checks.textutil import fold, rule_file, rules, sentences
from models import CheckResult, Claim, Document, Evidence

_FILE = "public_sector.yaml"


@lru_cache(maxsize=1)
def _countries() -> tuple[frozenset[str], frozenset[str]]:
    data = rule_file(_FILE)
    try:
        return (frozenset(str(c).upper() for c in data["restricted_countries"]),
                frozenset(str(c).upper() for c in data["disclosure_countries"]))
    except (KeyError, TypeError) as exc:
        raise RuleFileError(f"{RULES_DIR / _FILE}: {exc}") from exc


def _signed_files(claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> set[str]:
    """Files (and e-mail attachments) that carry an accepted customer acknowledgement."""
    return {f.file for f in findings_of(claim, docs, ctx).acknowledgements if f.accepted}


def _find(claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> tuple[list[Evidence], list[Evidence]]:
    """(acknowledged disclosures, unacknowledged disclosures) in the documents."""
    need = {r.id: r.pattern for r in rules(_FILE, "disclosure")}
    ack = {r.id: r.pattern for r in rules(_FILE, "acknowledgement")}
    signed_files = None
    good, bare = [], []
    for doc in docs:
        doc_signed = any(ack["signed_block"].search(p.text) for p in doc.parts if p.text)
        for part in doc.parts:
            if not part.text:
                continue
            text = fold(part.text)
            spans = sentences(text)
            for i, (s, e) in enumerate(spans):
                sent = text[s:e]
                if not all(rx.search(sent) for rx in need.values()):
                    continue
                window = " ".join(text[a:b] for a, b in spans[max(0, i - 1):i + 2])
                ev = evidence(part, s, e, rule_id="fee_disclosure")
                acked = doc_signed or bool(ack["customer_ack"].search(window)) or customer_authored(part, claim)
                if not acked:
                    signed_files = _signed_files(claim, docs, ctx) if signed_files is None else signed_files
                    acked = part.file in signed_files
                (good if acked else bare).append(ev)
    return good, bare


class PublicSectorDisclosure:
    id = "public_sector_disclosure"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        if claim.customer.segment != "public_sector":
            missing = ctx.not_given("customer.segment")
            if missing:
                return not_checked(self, missing, why="a public-sector customer needs a fee disclosure")
            return result(self, "not_applicable", "the customer is not public sector")
        missing = ctx.not_given("customer.country")
        if missing:
            return not_checked(self, missing, why="the disclosure rules of public-sector claims depend on it")
        country = claim.customer.country
        restricted, disclosure = _countries()
        if country in restricted:
            return result(self, "fail", f"public-sector customers in {country} are on the restricted list",
                          details={"country": country},
                          remediation="Public-sector engagements in this country cannot be claimed.")
        if country not in disclosure:
            return result(self, "pass", f"no written fee disclosure is required for {country}",
                          details={"country": country, "required": False})
        good, bare = _find(claim, docs, ctx)
        details = {"country": country, "required": True}
        if good:
            return result(self, "pass", "the customer acknowledged a written disclosure of the partner's "
                          "compensation from Microsoft", evidence=good, details=details)
        remediation = ("Add a written disclosure of the fees or incentives the partner receives from Microsoft, "
                       "acknowledged by the customer (in the signed letter or the customer's e-mail).")
        if bare:
            return result(self, "fail", "a fee disclosure is present but the customer did not acknowledge it",
                          evidence=bare, details=details, remediation=remediation)
        return result(self, "fail", "no disclosure of the partner's compensation from Microsoft",
                      details=details, remediation=remediation)


CHECK = PublicSectorDisclosure()
