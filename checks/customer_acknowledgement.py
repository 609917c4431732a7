"""customer_acknowledgement: the customer acknowledged the work (signature block, e-signature, approval e-mail)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from checks.base import CheckContext, evidence, result
from checks.findings import findings_of
from checks.findings.acknowledgements import CERT_NOTE, DIGITAL, ESIGN, KIND_LABEL, Finding
from models import CheckResult, Claim, Document, Evidence

_REMEDIATION = ("Upload POE the customer acknowledged: a letter or form signed by the customer (printed name, "
                "handwritten signature, title, date), an e-signature envelope with its certificate of completion, "
                "or the customer's original e-mail (not a forward) confirming the work was completed.")


def finding_evidence(f: Finding, *, note: str | None = None) -> Evidence:
    """Evidence for one finding: quoted text, or the signature field for a PDF digital signature."""
    if f.kind == DIGITAL and f.signature is not None:
        sig = f.signature
        quote = f"signature field {sig.field}: {sig.signer_name or 'unknown signer'}" + (
            f" <{sig.signer_email}>" if sig.signer_email else "") + (f", {sig.signer_org}" if sig.signer_org else "")
        return Evidence(file=sig.file, part=sig.file, page=None, start=0, end=0, quote=quote,
                        rule_id=f.rule_id, note=note or f.reason)
    return evidence(f.part, f.start, f.end, rule_id=f.rule_id, note=note or f.note or f.reason, context=0)


class CustomerAcknowledgement:
    id = "customer_acknowledgement"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        found = findings_of(claim, docs, ctx).acknowledgements
        accepted = [f for f in found if f.accepted]
        valid_digital = {f.file for f in accepted if f.kind == DIGITAL}
        if accepted:
            kinds = list(dict.fromkeys(f.kind for f in accepted))
            message = "customer acknowledgement found: " + ", ".join(KIND_LABEL[k] for k in kinds)
            return result(self, "pass", message, evidence=_accepted_evidence(accepted, valid_digital),
                          details={"kinds": kinds, "acknowledgements": [_summary(f) for f in accepted]})
        unverified = [f for f in found if f.unverified]
        if unverified:
            return result(self, "warn", f"customer acknowledgement not verified: {unverified[0].reason}",
                          evidence=(finding_evidence(f) for f in found),
                          remediation="Nothing to change if the customer signed the PDF: a reviewer verifies the "
                                      "signer's certificate (this installation has no trust roots configured). "
                                      "Otherwise, " + _REMEDIATION[0].lower() + _REMEDIATION[1:],
                          details={"unverified": [_summary(f) for f in unverified],
                                   "rejected": [_summary(f) for f in found if not f.unverified]})
        if found:
            first = found[0]
            return result(self, "fail", f"no customer acknowledgement: {first.reason}",
                          evidence=(finding_evidence(f) for f in found), remediation=_REMEDIATION,
                          details={"rejected": [_summary(f) for f in found]})
        return result(self, "fail", "no customer acknowledgement: no customer signature, e-signature certificate "
                      "or customer approval e-mail found", remediation=_REMEDIATION)


def _accepted_evidence(accepted: Sequence[Finding], valid_digital: set[str]) -> Iterator[Evidence]:
    """Evidence of each accepted finding, an e-signature certificate's saying where the signature is checked."""
    for f in accepted:
        note = f.note
        if f.kind == ESIGN and f.file in valid_digital:
            note = "certificate-of-completion text; the PDF also carries a valid digital signature"
        elif f.kind == ESIGN:
            note = CERT_NOTE
        yield finding_evidence(f, note=f"{f.reason}; {note}" if note else f.reason)


def _summary(f: Finding) -> dict:
    return {"kind": f.kind, "file": f.file, "reason": f.reason,
            "date": f.date.isoformat() if f.date else None, "date_source": f.date_source,
            **{k: v for k, v in f.details.items() if k in ("name", "title", "id", "customer_signers", "sender", "ink")}}


CHECK = CustomerAcknowledgement()
