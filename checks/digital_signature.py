"""digital_signature: every PDF digital signature is intact, trusted and unchanged since signing."""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, result
from models import CheckResult, Claim, Document, Evidence, Signature


def _evidence(sig: Signature) -> Evidence:
    who = sig.signer_name or "unknown signer"
    quote = f"signature field {sig.field}: {who}" + (f" <{sig.signer_email}>" if sig.signer_email else "") + (
        f", {sig.signer_org}" if sig.signer_org else "") + (
        f", signed {sig.signing_time.isoformat()}" if sig.signing_time else "")
    state = "valid" if sig.valid else ", ".join(
        w for w, bad in (("broken (signed bytes changed)", not sig.intact), ("untrusted certificate", not sig.trusted),
                         ("modified after signing", sig.modified_after)) if bad)
    note = f"{state}: {sig.summary}" if sig.summary else state
    return Evidence(file=sig.file, part=sig.file, page=None, start=0, end=0, quote=quote,
                    rule_id="pdf_signature", note=note)


class DigitalSignature:
    id = "digital_signature"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        sigs = [s for d in docs for s in d.signatures]
        if not sigs:
            return result(self, "not_applicable", "no PDF digital signature in the POE (e-signature certificate "
                          "text, if any, is judged by customer_acknowledgement)")
        ev = [_evidence(s) for s in sigs]
        bad = [s for s in sigs if not s.valid]
        if not bad:
            return result(self, "pass", f"{len(sigs)} digital signature(s) intact and trusted", evidence=ev)
        reasons = sorted({e.note.split(":")[0] for e, s in zip(ev, sigs) if not s.valid})
        return result(self, "fail", f"{len(bad)} of {len(sigs)} digital signature(s) not valid: "
                      + "; ".join(reasons), evidence=ev,
                      remediation="Upload the PDF exactly as signed (no edits after signing), signed with a "
                                  "certificate from a trusted authority, or have the customer sign it again.")


CHECK = DigitalSignature()
