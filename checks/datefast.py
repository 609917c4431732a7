"""The plain date shapes read without dateparser: '2025-03-14', '14/03/2025' (in the claim's order),
'14 March 2025', 'March 14, 2025', with the month names of the languages datefind looks for.

dateparser costs about a quarter of a second to load and to start its first parse (its locale and timezone
patterns); most POE dates are of these shapes. Anything else, or a date that does not exist (which dateparser
may read another way), is left to dateparser (None here). tests/checks/test_datefast.py holds every shape and
month name to dateparser's reading.
"""
from __future__ import annotations

import re
from datetime import date

#: Month names in the languages POE is written in (English, German, French, Spanish, Italian, Dutch, Portuguese,
#: Scandinavian), abbreviations where they are common: the one list (datefind's month pattern is built from it).
_NAMES = {
    1: "jan january januar janvier enero gennaio januari janeiro",
    2: "feb february februar février fevrier févr fevr febrero febbraio februari fevereiro",
    3: "mar march märz marz maerz mars marzo maart março marco",
    4: "apr april avr avril abr abril aprile",
    5: "may mai mayo maggio mei maio",
    6: "jun june juni juin junio giugno junho",
    7: "jul july juli juillet julio luglio julho",
    8: "aug august août aout agosto augustus",
    9: "sep sept september septembre septiembre setiembre settembre setembro",
    10: "oct october octobre octubre okt oktober ottobre outubro",
    11: "nov november novembre noviembre novembro",
    12: "dec december décembre decembre déc dez dezember diciembre dicembre dezembro desember",
}
#: Month name (lower case, without a trailing dot) -> month number.
MONTHS = {name: month for month, names in _NAMES.items() for name in names.split()}
#: Spellings dateparser does not read ('3 Maerz 2025' is no date to it): found by datefind, left to dateparser here.
_DATEPARSER_DECIDES = frozenset({"maerz"})

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
#: '14 de marzo de 2025' and '14 of March 2025' are dateparser's: it reads them with that language's names only.
_DAY_MONTH = re.compile(r"(\d{1,2})[ -]([^\W\d_]+)\.?[ ,-]+(\d{4})")
_MONTH_DAY = re.compile(r"([^\W\d_]+)\.? (\d{1,2}),? (\d{4})")


def plain_date(text: str, order: str) -> date | None:
    """The date `text` writes in one of the plain shapes (numeric ones read in `order`, "MDY" or "DMY"), or
    None when it is of another shape or not a calendar date (then dateparser decides)."""
    if m := _ISO.fullmatch(text):
        return _date(int(m[1]), int(m[3]), int(m[4]))
    if m := _NUMERIC.fullmatch(text):
        first, second = int(m[1]), int(m[3])
        month, day = (first, second) if order == "MDY" else (second, first)
        return _date(int(m[4]), month, day)
    if m := _DAY_MONTH.fullmatch(text):
        return _named(m[3], m[2], m[1])
    if m := _MONTH_DAY.fullmatch(text):
        return _named(m[3], m[1], m[2])
    return None


def _named(year: str, month: str, day: str) -> date | None:
    month = month.lower()
    number = None if month in _DATEPARSER_DECIDES else MONTHS.get(month)
    return None if number is None else _date(int(year), number, int(day))


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
