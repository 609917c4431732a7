"""Find calendar dates in text: cheap regex candidates, normalised by dateparser (never a whole-text search)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from checks.datefast import MONTHS, plain_date
from checks.fastscan import scanner

#: Any month name of datefast's list, longest first (so 'march' is preferred to 'mar'), with an optional dot.
_MONTH = "(?:" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
#: The month-name pattern, for other users of dates (e.g. masking dates in fingerprints).
MONTH_PATTERN = _MONTH
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?:19|20)\d\d"
_TIME = r"(?:[\sT,]+\d{1,2}:\d\d(?::\d\d)?(?:\s*[AaPp]\.?[Mm]\.?)?)?"
#: Digits as OCR misreads them ('O' for 0, 'l'/'I' for 1), only inside numeric date shapes.
_D = r"[0-9OIl]"
_CANDIDATE = re.compile(
    "|".join((
        r"(?<![\w.])(?:19|20)\d\d-[01]?\d-[0-3]?\d(?![\d])" + _TIME,                       # 2025-03-14
        r"(?<![\w./-])(?:19|20)\d\d(?P<ysep>[/.])[01]\d(?P=ysep)[0-3]\d(?![\w/.])" + _TIME,  # 2025/03/14
        rf"(?<![\w./-]){_D}{{1,2}}\s?(?P<sep>[/.-])\s?{_D}{{1,2}}\s?(?P=sep)\s?(?:{_D}{{4}}|\d\d)(?![\w/])" + _TIME,  # 03/14/2025
        rf"(?<![\w])(?:{_DAY})(?:\s+day)?(?:\s+of|\s+de)?[\s-]+{_MONTH}(?:\s+del?)?[\s,-]+{_YEAR}(?!\d)",  # 14th day of March 2025
        rf"(?<![\w]){_MONTH}\s+{_DAY},?\s+{_YEAR}(?!\d)",                                      # March 14th, 2025
    )),
    re.IGNORECASE,
)
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
#: Languages of the month names in _MONTH.
_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "nb"]
_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]}


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: character offsets, the calendar date and the text as written."""

    start: int
    end: int
    date: date
    text: str


@lru_cache(maxsize=4096)
def _parse(candidate: str, order: str) -> date | None:
    return plain_date(candidate, order) or dateparser_date(candidate, order)


def dateparser_date(candidate: str, order: str) -> date | None:
    """dateparser's reading of one date string in the languages of _MONTH (None if not a full date)."""
    import dateparser  # lazy: start-up (0.25 s to load and start; the plain shapes need none, see datefast)

    parsed = dateparser.parse(candidate, languages=_LANGUAGES, settings={"DATE_ORDER": order, **_SETTINGS})
    return parsed.date() if parsed else None


def parse_date(candidate: str, *, order: str) -> date | None:
    """Normalise one date string with the given day/month order ("MDY" or "DMY"); None if not a full date."""
    text = " ".join(candidate.split())
    if re.match(r"^[0-9OIl]", text) and not re.search(r"[a-hj-kmnp-z]", text, re.IGNORECASE):
        text = text.translate(_OCR_DIGITS)
    text = re.sub(r"\s*([/.-])\s*", r"\1", text) if re.match(r"^\d", text) and "-" not in text[:5] else text
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th|er)\b", "", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=\d)(?:\.(?=\s+[^\W\d])|\s+day\b)", "", text, flags=re.IGNORECASE)  # "14. März", "14 day of"
    return _parse(text, order)


@lru_cache(maxsize=512)
def _find(text: str, order: str) -> tuple[FoundDate, ...]:
    out = []
    for m in scanner(_CANDIDATE).finditer(text):
        found = parse_date(m.group(), order=order)
        if found is not None:
            out.append(FoundDate(start=m.start(), end=m.end(), date=found, text=m.group()))
    return tuple(out)


def find_dates(text: str, *, order: str) -> list[FoundDate]:
    """Every full date (day, month, year) in `text`; numeric dates read in `order` ("MDY" or "DMY")."""
    return list(_find(text, order))
