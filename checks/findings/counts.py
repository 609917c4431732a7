"""User, seat, device, mailbox and endpoint counts stated in the POE (rules/detail.yaml), tied to a claimed
workload when their sentence names one."""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from checks import patterncache
from checks.base import iter_parts
from checks.datefind import find_dates
from checks.fastscan import consumed, prefixes, scanner
from checks.rulebook import workloads
from checks.textutil import find_name, fold, name_variants, rules, sentence_at, sentences
from models import Claim, Document, Part

_FILE = "detail.yaml"
_NUMBER = r"(?<![\w/.,:-])(?:\d{1,3}(?:[,.\u202f' ]\d{3})+|\d+)(?![\w/]|[.,]\d)"
#: A label's colon, bar or equals sign before a number: what every count written "Users: 1,200" has.
_LABEL_NUMBER = re.compile(r"[:|=]\s*\d")
#: Numbers that are product versions or names, not counts ("Windows 11 devices", "Office 365 users").
_NOT_A_COUNT = re.compile(r"\b(?:windows|office|microsoft|m|e|p|plan|version|v|server|win)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Count:
    start: int
    end: int
    value: int
    unit: str


#: A word start (where a "Users: 1,200" count can begin).
_WORD_START = re.compile(r"\b\w")


@lru_cache(maxsize=1)
def _count_rx() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    units, kind_of = [], {}
    for rule in rules(_FILE, "count_units"):
        units.append(f"(?P<{rule.id}>{rule.pattern.pattern})")
        kind_of[rule.id] = rule.id
    unit = "|".join(units)
    # up to three words between the number and its noun, on the number's line ("2025\nOutcome\nAll store
    # tablets" is a date's year above a heading, not a count of tablets)
    after = patterncache.compile(rf"(?P<num>{_NUMBER})(?:[ \t]+(?:(?!\d)[\w/&-]+|\d+/\d+)){{0,3}}?\s+(?:{unit})\b(?!\s*:)",
                       re.IGNORECASE)
    unit2 = unit.replace("?P<", "?P<u_")
    before = patterncache.compile(rf"\b(?:{unit2})\s*[:|=]\s*(?P<num>{_NUMBER})(?=\s*(?:$|[|;,)\n]|\s\s|[A-Za-z ]+:))", re.IGNORECASE | re.MULTILINE)
    return after, before, kind_of


@lru_cache(maxsize=1)
def _label_stops() -> re.Pattern[str] | None:
    """The ASCII characters that no unit word, nor the space before its label's colon, can hold (".", ",",
    "(", ...): a "Users: 1,200" count starts after the last of them before its colon. None when the units
    cannot be bounded so (then every word start is tried). Kept in the machine's pattern store: a start does not
    parse the units again (~35 ms)."""
    _after, before, _ = _count_rx()
    key = ("label_stops", before.pattern, int(before.flags), 1)
    stops = patterncache.default_store().derived(key, _stop_characters)
    if stops is not None and not isinstance(stops, str):  # not what _stop_characters makes: a damaged entry
        stops = _stop_characters()
    return patterncache.compile("[" + "".join(re.escape(c) for c in stops) + "]") if stops else None


def _stop_characters() -> str | None:
    """_label_stops' characters, worked out from the count patterns (None: the units cannot be bounded)."""
    _after, before, _ = _count_rx()
    units = "|".join(f"(?:{r.pattern.pattern})" for r in rules(_FILE, "count_units"))
    held = consumed(units, re.IGNORECASE)
    # where matches start ("word") is told by their first characters: prefixes of one character tell it as
    # three do, in 16 ms instead of 0.3 s (paid by the first count looked for in a process: `poecheck check`)
    starts = prefixes(before.pattern, before.flags, k=1)
    if held is None or starts is None or set(starts) != {"word"}:
        return None
    held |= {":", "|", "="} | {chr(c) for c in range(128) if chr(c).isspace()}
    return "".join(chr(c) for c in range(128) if chr(c).lower() not in held)


def _labelled(before: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """before.finditer(text), trying only the word starts between a label's colon and the last stop
    character before it (a page has a few labels and some hundred words)."""
    stop_rx = _label_stops()
    if stop_rx is None:
        yield from before.finditer(text)
        return
    stops = [m.start() for m in stop_rx.finditer(text)]
    starts: list[int] = []
    done = 0  # word starts before this offset are taken already
    for label in _LABEL_NUMBER.finditer(text):
        q = label.start()
        i = bisect_left(stops, q)
        lo = max(done, stops[i - 1] + 1 if i else 0)
        starts += [m.start() for m in _WORD_START.finditer(text, lo, q)]
        done = max(done, q)
    last = 0
    for p in starts:
        if p >= last and (m := before.match(text, p)) is not None:
            yield m
            last = m.end()


def _value(num: str) -> int:
    return int(re.sub(r"\D", "", num))


@lru_cache(maxsize=256)
def part_counts(text: str) -> tuple[Count, ...]:
    """Counts of users, seats, devices or mailboxes in one part's text."""
    text = fold(text)
    after, before, _ = _count_rx()
    out: list[Count] = []
    dates = [(d.start, d.end) for d in find_dates(text, order="DMY")]  # a date's year or day is not a count
    # most pages have no label before a number: the scan for "Users: 1,200" (every unit word tried at every
    # word) is skipped there
    for rx in (before, after) if _LABEL_NUMBER.search(text) else (after,):
        # each pattern's matches are disjoint and in order, so only an earlier `before` count can overlap
        # an `after` number: the last one starting before the number ends (found by bisection)
        taken = list(out)
        for m in _labelled(rx, text) if rx is before else scanner(rx).finditer(text):
            i = bisect_left(taken, m.end("num"), key=lambda c: c.start) - 1
            if i >= 0 and m.start("num") < taken[i].end:
                continue
            if _NOT_A_COUNT.search(text[max(0, m.start("num") - 12):m.start("num")]):
                continue
            if any(s <= m.start("num") < e for s, e in dates):
                continue
            unit = next(k.removeprefix("u_") for k, v in m.groupdict().items() if v and k != "num")
            value = _value(m.group("num"))
            if 0 < value < 10_000_000:
                out.append(Count(m.start(), m.end(), value, unit))
    return tuple(sorted(out, key=lambda c: c.start))


def find_counts(claim: Claim, docs: Sequence[Document]) -> list[tuple[Part, Count, str | None]]:
    """(part, count, workload id or None) for every count; a count is tied to a claimed workload its sentence names."""
    wl = workloads()
    names = {w: name_variants(wl[w].names) for w in claim.workloads}
    out = []
    for _doc, part in iter_parts(docs):
        counts = part_counts(part.text)
        spans = sentences(part.text) if counts else []
        tied_in: dict[tuple[int, int], list[str]] = {}  # per sentence: its counts share the names found
        for c in counts:
            s, e = sentence_at(spans, c.start)
            if (s, e) not in tied_in:
                sent = part.text[s:e]
                tied_in[s, e] = [w for w in claim.workloads if find_name(sent, names[w])]
            tied = tied_in[s, e]
            out.append((part, c, tied[0] if len(tied) == 1 else None))
    return out
