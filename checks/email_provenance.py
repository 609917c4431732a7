"""email_provenance: an e-mail POE is an original between the partner and the customer, not a forward.

Only top-level e-mails are judged (an e-mail attached inside another is the outer e-mail's content; the
acknowledgement check reads it, keeping its own headers)."""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, evidence, result
from checks.findings.acknowledgements import domain_matches, first_match, is_top_level
from models import CheckResult, Claim, Document, Evidence, Part

_FORWARD_FIX = ("Upload the customer's original e-mail (saved as .msg from the mailbox that received it), "
                "not a forward.")


def forward_reason(part: Part, claim: Claim) -> tuple[str, Evidence] | None:
    """Why this e-mail is a forward (subject prefix or forwarded-message block), or None."""
    meta, body = part.email, part.text or ""
    subject = meta.subject or ""
    if first_match("forward_subject", subject, anchored=True):
        quote = f"Subject: {subject}"
        return "the subject marks it as a forward", Evidence(
            file=part.file, part=part.path, page=None, start=0, end=0, quote=quote, rule_id="fw_prefix",
            note="subject header")
    hit = first_match("forward_markers", body)
    if hit:
        return "the body holds a forwarded-message block", evidence(
            part, hit[1].start(), hit[1].end(), rule_id=hit[0], context=40)
    is_reply = bool(first_match("reply_subject", subject, anchored=True))
    if not is_reply and not domain_matches(meta.sender_email, claim.customer.domains):
        for key in ("quote_markers",):
            hit = first_match(key, body)
            if hit and hit[0] in ("original_message", "outlook_rule", "header_block"):
                return "the body holds another person's e-mail under an original-message header", evidence(
                    part, hit[1].start(), hit[1].end(), rule_id=hit[0], context=40)
    return None


class EmailProvenance:
    id = "email_provenance"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        mails = [p for d in docs for p in d.parts if p.kind == "email_body" and p.email is not None]
        if not mails:
            return result(self, "not_applicable", "no e-mail in the POE")
        top = [p for p in mails if is_top_level(p)] or mails
        ev: list[Evidence] = []
        partner_missing = []
        for part in top:
            meta = part.email
            fwd = forward_reason(part, claim)
            if fwd:
                return result(self, "fail", f"{part.file} is a forward: {fwd[0]}", evidence=[fwd[1]],
                              remediation=_FORWARD_FIX, details={"file": part.file})
            people = [a for a in (meta.sender_email, *meta.to, *meta.cc) if a]
            header = Evidence(file=part.file, part=part.path, page=None, start=0, end=0,
                              quote=f"From: {meta.sender_email or '?'}; To: {', '.join(meta.to) or '?'}"
                              + (f"; Cc: {', '.join(meta.cc)}" if meta.cc else ""), rule_id="email_parties",
                              note="e-mail headers")
            if not any(domain_matches(a, claim.customer.domains) for a in people):
                return result(self, "fail", f"{part.file}: no sender or recipient at a customer domain "
                              f"({', '.join(claim.customer.domains) or 'none given in the claim'})",
                              evidence=[header], details={"file": part.file},
                              remediation="Upload an e-mail the customer sent to (or received from) the partner; "
                                          "add the customer's e-mail domains to the claim if they are missing.")
            if claim.partner.domains and not any(domain_matches(a, claim.partner.domains) for a in people):
                partner_missing.append(part.file)
            ev.append(header)
        if partner_missing:
            return result(self, "warn", f"no partner-domain party in {', '.join(partner_missing)}", evidence=ev,
                          blocking=False, remediation="Upload the e-mail exchanged between the customer and the "
                          "partner, or add the partner's e-mail domain to the claim.")
        return result(self, "pass", "original e-mail between the partner and a customer domain", evidence=ev)


CHECK = EmailProvenance()
