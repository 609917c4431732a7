"""dates: the customer's acknowledgement is dated within the 12 months before the claim date.

Window: from the claim date minus 12 calendar months (same day; 28 Feb when that day does not exist) up to and
including the claim date."""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from checks.base import CheckContext, evidence, result
from checks.findings import findings_of
from checks.findings.acknowledgements import DIGITAL, EMAIL, HANDWRITTEN_UNREAD, Finding
from models import CheckResult, Claim, Document, Evidence


def window_start(reference: date) -> date:
    """The earliest date inside the window: `reference` minus 12 calendar months."""
    year = reference.year - 1
    day = min(reference.day, calendar.monthrange(year, reference.month)[1])
    return date(year, reference.month, day)


def _evidence(f: Finding) -> Evidence:
    note = f"{f.date_source}: {f.date.isoformat()}" if f.date else f.reason
    if f.kind == DIGITAL and f.signature is not None:
        return Evidence(file=f.file, part=f.file, page=None, start=0, end=0,
                        quote=f"signature field {f.signature.field} signed {f.signature.signing_time}",
                        rule_id="signing_time", note=note)
    if f.kind == EMAIL and f.part is not None and f.part.email and f.part.email.sent:
        return Evidence(file=f.file, part=f.part.path, page=None, start=0, end=0,
                        quote=f"Sent: {f.part.email.sent.isoformat()}", rule_id="email_sent", note=note)
    if f.date_span and f.part is not None:
        part = f.part
        if f.details.get("date_part") and f.details["date_part"] != part.path:
            return Evidence(file=f.file, part=f.details["date_part"], page=None, start=f.date_span[0],
                            end=f.date_span[1], quote=f.date.isoformat(), rule_id="document_date", note=note)
        return evidence(part, f.date_span[0], f.date_span[1], rule_id="acknowledgement_date", note=note)
    return evidence(f.part, f.start, f.end, rule_id=f.rule_id, note=note) if f.part else Evidence(
        file=f.file, part=f.file, page=None, start=0, end=0, quote=f.reason, rule_id=f.rule_id, note=note)


class Dates:
    id = "dates"
    blocking = True

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        ref = ctx.reference_date
        start = window_start(ref)
        window = {"from": start.isoformat(), "to": ref.isoformat()}
        found = findings_of(claim, docs, ctx).acknowledgements
        # with no accepted acknowledgement, the date of one that only could not be verified (an intact digital
        # signature and no trust roots) is still checked: customer_acknowledgement says why it is not accepted
        accepted = [f for f in found if f.accepted] or [f for f in found if f.unverified]
        if not accepted:
            return result(self, "fail", "no dated customer acknowledgement to check", details=window,
                          remediation="Upload POE with the customer's dated acknowledgement (signature date, "
                                      "e-signature completion or the customer's e-mail).")
        dated = [f for f in accepted if f.date]
        by_hand = [f for f in accepted if f.date_source == HANDWRITTEN_UNREAD]
        if not dated and by_hand:
            return result(self, "warn", "the acknowledgement is dated by hand, but the date could not be read: a "
                          "reviewer must read it", evidence=(_evidence(f) for f in by_hand), details=window,
                          blocking=False, remediation="Upload a clearer scan of the signed page (the handwritten date "
                          "legible), or an acknowledgement with a printed or electronic date.")
        if not dated:
            return result(self, "fail", "the customer acknowledgement is undated",
                          evidence=(_evidence(f) for f in accepted), details=window,
                          remediation="Have the customer date the signature (or upload a dated acknowledgement).")
        inside = [f for f in dated if start <= f.date <= ref]
        if inside:
            best = max(inside, key=lambda f: f.date)
            return result(self, "pass", f"acknowledgement dated {best.date.isoformat()} ({best.date_source}), "
                          f"within 12 months before the claim date {ref.isoformat()}"
                          + ("" if best.accepted else " (its signer is not verified: see customer_acknowledgement)"),
                          evidence=(_evidence(f) for f in inside), details=window)
        later = [f for f in dated if f.date > ref]
        if later:
            f = min(later, key=lambda f: f.date)
            return result(self, "fail", f"acknowledgement dated {f.date.isoformat()}, after the claim date "
                          f"{ref.isoformat()}", evidence=(_evidence(f) for f in dated), details=window,
                          remediation="Check the claim date and the signature date; a claim cannot rely on an "
                                      "acknowledgement dated after it.")
        f = max(dated, key=lambda f: f.date)
        return result(self, "fail", f"acknowledgement dated {f.date.isoformat()}, more than 12 months before the "
                      f"claim date {ref.isoformat()} (window starts {start.isoformat()})",
                      evidence=(_evidence(f) for f in dated), details=window,
                      remediation="Upload an acknowledgement the customer dated within the 12 months before the "
                                  "claim date.")


CHECK = Dates()
