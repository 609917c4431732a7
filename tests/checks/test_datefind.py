from __future__ import annotations

from datetime import date

import pytest

from checks.datefind import find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        pytest.param("Date: 14 March 2025", "DMY", date(2025, 3, 14), id="day-month-name"),
        pytest.param("Date: 03/14/2025", "MDY", date(2025, 3, 14), id="us-numeric"),
        pytest.param("Date: 2025-03-14", "DMY", date(2025, 3, 14), id="iso"),
        pytest.param("Date: March 14th, 2025", "MDY", date(2025, 3, 14), id="month-ordinal"),
        pytest.param("Date: 14.03.2025", "DMY", date(2025, 3, 14), id="dotted"),
        pytest.param("Date: Jan 14, 2025", "DMY", date(2025, 1, 14), id="abbrev-month"),
        pytest.param("Date: 14-Mar-2025", "MDY", date(2025, 3, 14), id="dashed-abbrev"),
        pytest.param("Signed: 1/20/2025 11:21:57 AM", "MDY", date(2025, 1, 20), id="with-time"),
        pytest.param("Signed: 1/20/2025\n11:21:57 AM", "MDY", date(2025, 1, 20), id="time-next-line"),
        pytest.param("Date: 03/02/2025", "MDY", date(2025, 3, 2), id="ambiguous-mdy"),
        pytest.param("Date: 03/02/2025", "DMY", date(2025, 2, 3), id="ambiguous-dmy"),
        pytest.param("Date: 0l/22/2O24", "MDY", date(2024, 1, 22), id="ocr-letters-for-digits"),
        pytest.param("Date: 03 / 02 / 2025", "MDY", date(2025, 3, 2), id="ocr-spaces"),
        pytest.param("the 14th of March 2025", "DMY", date(2025, 3, 14), id="of-month"),
        pytest.param("Signed this 14th day of March 2024.", "DMY", date(2024, 3, 14), id="day-of-month"),
        pytest.param("Datum: 2025/03/14", "MDY", date(2025, 3, 14), id="year-first-slashes"),
        pytest.param("Datum: 2025.03.14", "DMY", date(2025, 3, 14), id="year-first-dots"),
        pytest.param("Leipzig, 14. März 2025", "DMY", date(2025, 3, 14), id="german-month-day-dot"),
        pytest.param("am 3. Mai 2025 unterschrieben", "DMY", date(2025, 5, 3), id="german-mai"),
        pytest.param("1 Dez. 2024", "DMY", date(2024, 12, 1), id="german-abbrev"),
        pytest.param("05 / 14 / 2025 18:22:05 GMT", "MDY", date(2025, 5, 14), id="audit-trail-spaced"),
    ],
)
def test_find_dates_formats(text, order, expected):
    found = find_dates(text, order=order)
    assert [f.date for f in found] == [expected]
    assert text[found[0].start:found[0].end] == found[0].text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("IP Address: 203.0.113.197", id="ip-address"),
        pytest.param("Build 10.0.19045 on 3 sites", id="version"),
        pytest.param("Phone +1 (317) 555-0129", id="phone"),
        pytest.param("March 2025 and Q1 2025", id="month-year-only"),
        pytest.param("Reference TID-2024-386", id="reference"),
        pytest.param("Agent version 2025.1.10 installed", id="year-first-version"),
        pytest.param("See section 3. The rollout in 2025", id="numbered-heading"),
        pytest.param("Mai 2025 and 14 days of March", id="no-full-date"),
    ],
)
def test_find_dates_ignores_non_dates(text):
    assert find_dates(text, order="MDY") == []


def test_parse_date_rejects_partial():
    assert parse_date("March 2025", order="MDY") is None
    assert parse_date("32/13/2025", order="DMY") is None
