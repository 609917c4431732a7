"""Property tests of the payout rules (hypothesis): invariants that must hold for any usage."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from payout_helpers import make_claim

from service.payout import compute_payout, load_payout_rules
from service.payout.rules import WorkloadRate, month_index, month_label

FIRST = month_index("2024-06")


@st.composite
def usage_series(draw, max_len: int = 18) -> list[tuple[str, int, int]]:
    """Strictly increasing months from mid-2024 (gaps allowed) with MAU/PAU around the 300 minimum."""
    n = draw(st.integers(1, max_len))
    steps = draw(st.lists(st.sampled_from([1, 1, 1, 2, 3]), min_size=n, max_size=n))
    month, rows = FIRST + draw(st.integers(0, 6)), []
    for step in steps:
        month += step
        rows.append((month_label(month), draw(st.integers(0, 1500)), draw(st.integers(0, 1500))))
    return rows


@st.composite
def setups(draw):
    rows = draw(usage_series())
    association = month_label(draw(st.integers(FIRST, month_index("2025-11"))))
    rate = WorkloadRate(
        rate_cents=draw(st.sampled_from([100, 150, 300])), max_cents=draw(st.integers(0, 150_000))
    )
    rules = load_payout_rules().model_copy(
        update={
            "rates": {**load_payout_rules().rates, "MDE": rate},
            "release_rule": draw(st.sampled_from(["release_when_reached", "forfeit"])),
        }
    )
    return rows, association, rules


def _ledger(rows, association, rules):
    return compute_payout(make_claim({"MDE": rows}, association=association), rules=rules).workloads["MDE"]


@settings(max_examples=300, deadline=None)
@given(setups())
def test_units_never_exceed_pau_minus_hwm(setup):
    for m in _ledger(*setup).months:
        assert 0 <= m.units <= max(0, m.pau - m.hwm)
        assert m.units <= max(0, m.mau - m.hwm)


@settings(max_examples=300, deadline=None)
@given(setups())
def test_hwm_never_falls_and_is_the_running_maximum(setup):
    months = _ledger(*setup).months
    hwms = [m.hwm for m in months]
    assert hwms == sorted(hwms)
    for before, after in pairwise(months):
        assert after.hwm >= before.mau


@settings(max_examples=300, deadline=None)
@given(setups())
def test_months_before_association_or_outside_the_term_pay_nothing(setup):
    _, association, rules = setup
    for m in _ledger(*setup).months:
        if m.month < association or m.month < rules.term_start or m.month > rules.term_end:
            assert (m.units, m.dollars) == (0, 0)


@settings(max_examples=300, deadline=None)
@given(setups())
def test_totals_never_exceed_the_cap_and_add_up(setup):
    *_, rules = setup
    wl = _ledger(*setup)
    cap = rules.rates["MDE"].max_cents
    paid, held = round(wl.dollars * 100), round(wl.held_dollars * 100)
    assert paid + held <= cap
    assert round(sum(m.dollars for m in wl.months) * 100) == paid + held
    assert round(sum(m.released for m in wl.months) * 100) == paid
    assert all(m.dollars <= m.units * rules.rates["MDE"].rate_cents / 100 for m in wl.months)


@settings(max_examples=300, deadline=None)
@given(setups(), st.integers(1, 3), st.integers(0, 1500), st.integers(0, 1500))
def test_adding_a_later_month_can_only_raise_the_total(setup, step, mau, pau):
    """Appending a month never lowers what is paid, what is earned (paid + held) or the units.

    Held dollars may fall (they get released), and inserting a month *before* others may lower
    later payouts by raising their HWM, so the property is about extending the series.
    """
    rows, association, rules = setup
    before = _ledger(rows, association, rules)
    later = month_label(month_index(rows[-1][0]) + step)
    after = _ledger([*rows, (later, mau, pau)], association, rules)
    assert after.dollars >= before.dollars
    assert after.dollars + after.held_dollars >= before.dollars + before.held_dollars
    assert after.units >= before.units
    assert after.months[:-1] == before.months, "a later month never rewrites earlier rows"
