"""compute_payout(): a claim's usage → an auditable PayoutLedger (POE_RULES.md §5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from models.claim import WORKLOAD_IDS, Claim, UsageMonth
from models.payout import LedgerMonth, MonthStatus, PayoutLedger, WorkloadLedger
from service.errors import InvalidUsage
from service.payout.engine import Point, Row, SeriesTotals, Window, run_series
from service.payout.rules import PayoutRules, load_payout_rules, month_index, month_label


def dollars(cents: int) -> float:
    """Whole cents → dollars for the ledger (exact for any realistic amount)."""
    return cents / 100


def eligibility_reasons(claim: Claim, rules: PayoutRules) -> list[str]:
    """Why the claim pays nothing whatever the usage (rule 6); empty when eligible."""
    reasons = []
    if rules.require_mci_enrolment and not claim.partner.mci_enrolled:
        reasons.append("no payout: the partner is not enrolled in Microsoft Commerce Incentives (MCI)")
    if rules.require_security_designation and not claim.partner.security_designation:
        reasons.append("no payout: the partner lacks the Security solutions designation")
    excluded = [f for f in claim.customer.flags if f in rules.excluded_flags]
    if excluded:
        reasons.append(f"no payout: excluded customer ({', '.join(excluded)})")
    return reasons


def make_window(
    workload: str, *, association: str | None, rules: PayoutRules, eligible: bool = True
) -> Window:
    """The paying window of one workload: from max(term start, association month) to term end."""
    rate = rules.rates[workload]
    start = rules.term_start_index
    first = max(start, month_index(association)) if association else start
    return Window(
        term_start=start,
        term_end=rules.term_end_index,
        first_paying=first,
        rate_cents=rate.rate_cents,
        max_cents=rate.max_cents,
        min_hwm=rules.min_hwm,
        forfeit=rules.release_rule == "forfeit",
        eligible=eligible,
    )


def normalise_usage(usage: Mapping[str, Sequence[UsageMonth | Mapping]]) -> dict[str, list[Point]]:
    """Validate usage per workload and return series sorted by month; bad rows raise InvalidUsage."""
    out: dict[str, list[Point]] = {}
    for workload, rows in usage.items():
        if workload not in WORKLOAD_IDS:
            raise InvalidUsage(f"usage: unknown workload {workload!r}; valid ids: {', '.join(WORKLOAD_IDS)}")
        series: dict[int, Point] = {}
        for i, row in enumerate(rows, start=1):
            try:
                um = row if isinstance(row, UsageMonth) else UsageMonth.model_validate(row)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(x) for x in err["loc"]) or "row"
                raise InvalidUsage(f"usage[{workload}] row {i}: {where}: {err['msg']}") from exc
            m = month_index(um.month)
            if m in series:
                raise InvalidUsage(f"usage[{workload}] row {i}: duplicate month {um.month}")
            series[m] = (m, um.mau, um.pau, i)
        out[workload] = [series[m] for m in sorted(series)]
    return out


def month_status(row: Row, w: Window) -> MonthStatus:
    """The one word a reviewer reads first for a ledger row."""
    m, mau, pau, hwm, units, cents, released = row
    if m < w.term_start:
        return "before_term"
    if m > w.term_end:
        return "released" if released else "after_term"
    if m < w.first_paying:
        return "before_association"
    if not w.eligible:
        return "ineligible"
    if cents < units * w.rate_cents:
        return "capped_at_max"
    if released > cents:
        return "released"
    if cents > released:
        return "held"
    if mau > hwm and pau < mau:
        return "pau_capped"
    return "paid" if units else "no_growth"


def money_text(cents: int) -> str:
    """Cents as `$1,234` or `$1,234.50`."""
    return f"${cents // 100:,}" if cents % 100 == 0 else f"${cents / 100:,.2f}"


def workload_reasons(totals: SeriesTotals, w: Window) -> list[str]:
    """Why a workload's payout is what it is, beyond the numbers."""
    reasons = []
    if totals.release_month is not None and w.eligible and not w.forfeit:
        reasons.append(
            f"earnings held until the running HWM reached {w.min_hwm} in "
            f"{month_label(totals.release_month)}, then released"
        )
    if totals.held_cents:
        if w.forfeit:
            reasons.append(
                f"{money_text(totals.held_cents)} forfeited: earned before the running HWM "
                f"reached {w.min_hwm}"
            )
        else:
            reasons.append(f"{money_text(totals.held_cents)} held: the running HWM never reached {w.min_hwm}")
    if totals.cap_month is not None:
        reasons.append(f"max earning {money_text(w.max_cents)} reached in {month_label(totals.cap_month)}")
    if w.eligible and totals.units == 0:
        reasons.append("no compensable units: no growth above the HWM within PAU in the paying months")
    return reasons


def workload_ledger(workload: str, series: Sequence[Point], w: Window) -> WorkloadLedger:
    """Run one series and build its audited ledger."""
    rows: list[Row] = []
    totals = run_series(series, w, rows)
    months = [
        LedgerMonth(
            month=month_label(r[0]),
            mau=r[1],
            pau=r[2],
            hwm=r[3],
            units=r[4],
            dollars=dollars(r[5]),
            released=dollars(r[6]),
            status=month_status(r, w),
        )
        for r in rows
    ]
    reasons = workload_reasons(totals, w) if series else [f"no usage data for {workload}"]
    return WorkloadLedger(
        workload=workload,
        rate=dollars(w.rate_cents),
        max_earning=dollars(w.max_cents),
        months=months,
        units=totals.units,
        dollars=dollars(totals.paid_cents),
        held_dollars=dollars(totals.held_cents),
        reasons=reasons,
    )


def compute_payout(
    claim: Claim, *, usage: Mapping[str, Sequence[UsageMonth]] | None = None, rules: PayoutRules | None = None
) -> PayoutLedger:
    """The payout ledger of every claimed workload, from `usage` or else the claim's own usage."""
    return ledger_from_series(
        claim, normalise_usage(claim.usage if usage is None else usage), rules=rules or load_payout_rules()
    )


def ledger_from_series(
    claim: Claim, series: Mapping[str, Sequence[Point]], *, rules: PayoutRules
) -> PayoutLedger:
    """The ledger of a claim from already validated series (claim JSON or usage CSV)."""
    reasons = eligibility_reasons(claim, rules)
    eligible = not reasons
    assoc = claim.association_month
    if assoc and assoc > rules.term_end:
        reasons.append(f"no payout: association month {assoc} is after the term ({rules.term_end})")
    for workload in series:
        if workload not in claim.workloads:
            reasons.append(f"usage for {workload} ignored: the workload is not claimed")
    ledgers = {
        wid: workload_ledger(
            wid, series.get(wid, []), make_window(wid, association=assoc, rules=rules, eligible=eligible)
        )
        for wid in claim.workloads
    }
    paid = sum(round(wl.dollars * 100) for wl in ledgers.values())
    held = sum(round(wl.held_dollars * 100) for wl in ledgers.values())
    return PayoutLedger(
        claim_id=claim.claim_id,
        tenant_id=claim.customer.tenant_id,
        workloads=ledgers,
        total_units=sum(wl.units for wl in ledgers.values()),
        total_dollars=dollars(paid),
        total_held_dollars=dollars(held),
        reasons=reasons,
    )
