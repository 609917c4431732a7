"""party_names: the partner's and the customer's names (or aliases, or domains) appear in the POE."""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, evidence, iter_parts, name_evidence, result
from checks.textutil import domain_pattern, name_variants
from models import CheckResult, Claim, Document, Evidence, Part


def _email_domains(part: Part) -> str:
    """Sender and recipient addresses of an e-mail part, as one searchable string."""
    if part.email is None:
        return ""
    meta = part.email
    return " ".join(a for a in (meta.sender or "", meta.sender_email or "", *meta.to, *meta.cc) if a)


def find_party(docs: Sequence[Document], names: Sequence[str], domains: Sequence[str],
               rule: str) -> Evidence | None:
    """First evidence of a party in the documents: its name/alias (fuzzy) or one of its domains.

    Generic words ("the customer") never count; an e-mail address in a header counts as the domain.
    """
    variants = name_variants(names)
    dom = domain_pattern(domains)
    for _doc, part in iter_parts(docs):
        found = name_evidence(part, variants, dom, rule_id=f"{rule}_name", pattern_rule_id=f"{rule}_domain")
        if found:
            return found
    if dom:
        for doc in docs:
            for part in doc.parts:
                header = _email_domains(part)
                m = dom.search(header)
                if m:
                    return evidence(part, 0, 0, rule_id=f"{rule}_domain",
                                    note=f"e-mail address at {m.group().lower()} in the headers")
    return None


class PartyNames:
    id = "party_names"
    blocking = False

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        partner = find_party(docs, [claim.partner.name, *claim.partner.aliases], claim.partner.domains, "partner")
        customer = find_party(docs, [claim.customer.name, *claim.customer.aliases], claim.customer.domains,
                              "customer")
        found = [e for e in (partner, customer) if e]
        details = {"partner_found": partner is not None, "customer_found": customer is not None}
        if partner and customer:
            return result(self, "pass", "the POE names both the partner and the customer", evidence=found,
                          details=details)
        if not found:
            return result(self, "fail", "the POE names neither the partner nor the customer", details=details,
                          remediation=f"Upload POE that names both {claim.partner.name} and {claim.customer.name}.")
        missing = claim.customer.name if partner else claim.partner.name
        who = "customer" if partner else "partner"
        return result(self, "warn", f"the POE does not name the {who} ({missing})", evidence=found, details=details,
                      remediation=f"Upload POE that names the {who}, {missing}, e.g. in the acceptance block.")


CHECK = PartyNames()
