"""The payout algorithm of POE_RULES.md §5 for one tenant+workload series, on plain ints (no I/O).

Months are month indexes (see rules.month_index), money is whole cents. The same loop serves the
audited ledger (rows requested) and the streaming CSV totals (rows not requested).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: One usage point: month index, MAU, PAU, and where it came from (CSV row or list position).
Point = tuple[int, int, int, int]
#: One ledger row: month index, MAU, PAU, HWM measured against, units, cents earned, cents released.
Row = tuple[int, int, int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Window:
    """Where a series may earn: the term, the first paying month and the money rules."""

    term_start: int
    term_end: int
    first_paying: int  # max(term start, association month)
    rate_cents: int
    max_cents: int
    min_hwm: int
    forfeit: bool = False
    eligible: bool = True


@dataclass(frozen=True, slots=True)
class SeriesTotals:
    """Totals of one series; earned = paid + held (held: earnings never released)."""

    units: int
    earned_cents: int
    paid_cents: int
    held_cents: int
    release_month: int | None  # the running HWM reached the minimum while earnings were held
    cap_month: int | None  # the max earning cut a month's earnings


def run_series(series: Iterable[Point], w: Window, rows: list[Row] | None = None) -> SeriesTotals:
    """Compute a series of points sorted by month without duplicates.

    Gaps mean no data: the month is simply absent and the HWM carries over. The HWM of the term's
    first month includes its own MAU (rule 1); any other month's is the highest MAU before it.
    """
    term_start, term_end, first, rate = w.term_start, w.term_end, w.first_paying, w.rate_cents
    min_hwm, forfeit, eligible = w.min_hwm, w.forfeit, w.eligible
    room = w.max_cents
    prev_max = units = earned = paid = pending = 0
    reached = False
    release_month = cap_month = None
    for m, mau, pau, _ in series:
        run_max = max(prev_max, mau)
        hwm = run_max if m == term_start else prev_max
        u = cents = rel = 0
        if first <= m <= term_end:
            c = min(pau, mau) - hwm
            if c > 0:
                u = c
                units += c
                if eligible:
                    cents = c * rate
                    if cents >= room:
                        if cents > room and cap_month is None:
                            cap_month = m
                        cents = room
                    room -= cents
                    earned += cents
        if eligible:
            if reached:
                rel = cents
            elif run_max >= min_hwm:
                reached = True
                if pending:
                    release_month = m
                rel = cents if forfeit else cents + pending
                if not forfeit:
                    pending = 0
            else:
                pending += cents
            paid += rel
        if rows is not None:
            rows.append((m, mau, pau, hwm, u, cents, rel))
        prev_max = run_max
    return SeriesTotals(units, earned, paid, earned - paid, release_month, cap_month)
