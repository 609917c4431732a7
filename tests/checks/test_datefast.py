"""The plain date shapes read without dateparser give dateparser's date, for every month name and both orders;
anything they do not read is left to dateparser."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from checks import datefind
from checks.datefast import MONTHS, plain_date
from checks.datefind import dateparser_date, find_dates

WORD_SHAPES = ("{d} {m} {y}", "{d} {m}. {y}", "{d}-{m}-{y}", "{d} {m}, {y}", "{m} {d}, {y}", "{m} {d} {y}",
               "{M} {d}, {y}", "{d} {M} {y}")


def _agree(text: str, order: str) -> bool:
    plain = plain_date(text, order)
    return plain is None or plain == dateparser_date(text, order)


def test_every_month_name_reads_as_dateparser_reads_it():
    texts = [shape.format(d=d, m=name, M=name.capitalize(), y=2025)
             for name, d, shape in itertools.product(MONTHS, (3, 31), WORD_SHAPES)]
    assert sum(plain_date(t, "DMY") is not None for t in texts) >= 0.75 * len(texts)
    assert [t for t in texts if not _agree(t, "DMY")] == []
    assert [t for t in texts[::7] if not _agree(t, "MDY")] == []


def test_numeric_dates_read_in_the_claims_order_as_dateparser_reads_them():
    texts = [t for a, b, sep in itertools.product((1, 4, 12, 13, 31), (2, 12, 13, 29), "/.-")
             for t in (f"{a:02d}{sep}{b:02d}{sep}2025", f"{a}{sep}{b}{sep}2024", f"2025{sep}{b:02d}{sep}{a:02d}")]
    assert [(t, order) for t, order in itertools.product(texts, ("DMY", "MDY")) if not _agree(t, order)] == []


@pytest.mark.parametrize(("text", "order", "expected"), [
    pytest.param("04/03/2025", "DMY", date(2025, 3, 4), id="dmy"),
    pytest.param("04/03/2025", "MDY", date(2025, 4, 3), id="mdy"),
    pytest.param("2025-3-4", "MDY", date(2025, 3, 4), id="iso"),
    pytest.param("3 März 2025", "MDY", date(2025, 3, 3), id="german"),
    pytest.param("sept. 4, 2025", "DMY", date(2025, 9, 4), id="abbreviated"),
])
def test_plain_shapes(text, order, expected):
    assert plain_date(text, order) == expected


@pytest.mark.parametrize("text", [
    pytest.param("13/03/2025", id="no-13th-month"),  # dateparser reads it the other way round
    pytest.param("30 February 2025", id="no-such-day"),
    pytest.param("14 de marzo de 2025", id="connector"),
    pytest.param("04/03/25", id="two-digit-year"),
    pytest.param("2025-03-14 10:30", id="time"),
    pytest.param("14 Maerz 2025", id="unknown-name"),
])
def test_other_shapes_are_dateparsers(text):
    assert plain_date(text, "MDY") is None


def test_dates_found_in_text_are_the_same_without_the_plain_shapes(monkeypatch):
    text = ("Signed 14 March 2025; kick-off 2025-02-03, go-live 03/04/2025 and 13/03/2025, "
            "acceptance 14 de marzo de 2025, review 3. März 2025, invoice sept. 4, 2025, due 30 February 2025.")
    fast = [(f.start, f.end, f.date) for f in find_dates(text, order="MDY")]
    monkeypatch.setattr(datefind, "plain_date", lambda text, order: None)
    datefind._parse.cache_clear()
    datefind._find.cache_clear()
    try:
        slow = [(f.start, f.end, f.date) for f in find_dates(text, order="MDY")]
    finally:
        datefind._parse.cache_clear()
        datefind._find.cache_clear()
    assert slow == fast
    assert len(fast) == 7
