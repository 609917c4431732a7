"""digital_signature: every PDF digital signature is intact, trusted and unchanged since signing.

With no trust roots configured, an intact signature cannot be tied to a trusted signer: it is `warn`
(needs more POE), never `pass` and never `fail`; a broken or otherwise invalid signature still fails."""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, result
from models import CheckResult, Claim, Document, Evidence, Signature

#: What an intact signature is when nothing can verify its signer.
UNVERIFIED = "intact; no trust roots are configured, so its signer cannot be verified"


def _evidence(sig: Signature) -> Evidence:
    who = sig.signer_name or "unknown signer"
    quote = f"signature field {sig.field}: {who}" + (f" <{sig.signer_email}>" if sig.signer_email else "") + (
        f", {sig.signer_org}" if sig.signer_org else "") + (
        f", signed {sig.signing_time.isoformat()}" if sig.signing_time else "")
    if sig.valid:
        state = "valid"
    elif sig.unverified:
        state = UNVERIFIED
    else:
        state = ", ".join(
            w for w, bad in (("broken (signed bytes changed)", not sig.intact),
                             ("untrusted certificate", not sig.trusted),
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
        bad = [s for s in sigs if not s.valid and not s.unverified]
        if bad:
            reasons = sorted({e.note.split(":")[0] for e, s in zip(ev, sigs) if s in bad})
            return result(self, "fail", f"{len(bad)} of {len(sigs)} digital signature(s) not valid: "
                          + "; ".join(reasons), evidence=ev,
                          remediation="Upload the PDF exactly as signed (no edits after signing), signed with a "
                                      "certificate from a trusted authority, or have the customer sign it again.")
        unverified = [s for s in sigs if s.unverified]
        if unverified:
            message = ("signature " + UNVERIFIED if len(sigs) == 1 else
                       f"{len(sigs)} digital signatures intact; no trust roots are configured, so "
                       f"{'their signers' if len(unverified) > 1 else 'one signer'} cannot be verified")
            return result(self, "warn", message, evidence=ev, details={"unverified": len(unverified)},
                          remediation="Nothing to change in the document if the customer signed it: a reviewer "
                                      "verifies the signer's certificate (this installation has no trust roots "
                                      "configured).")
        return result(self, "pass", f"{len(sigs)} digital signature(s) intact and trusted", evidence=ev)


CHECK = DigitalSignature()
