"""user_counts: user, seat, device, mailbox or endpoint counts are stated (returned by workload)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from checks.base import CheckContext, evidence, iter_parts, result
from checks.rulebook import workloads
from checks.textutil import find_name, fold, name_variants, rules, sentence_at, sentences
from models import CheckResult, Claim, Document, Part

_FILE = "detail.yaml"
_NUMBER = r"(?<![\w/.,:-])(?:\d{1,3}(?:[,.\u202f' ]\d{3})+|\d+)(?![\w/]|[.,]\d)"
#: Numbers that are product versions or names, not counts ("Windows 11 devices", "Office 365 users").
_NOT_A_COUNT = re.compile(r"(?:windows|office|microsoft|m|e|p|plan|version|v|server|win)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Count:
    start: int
    end: int
    value: int
    unit: str


@lru_cache(maxsize=1)
def _count_rx() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    units, kind_of = [], {}
    for rule in rules(_FILE, "count_units"):
        units.append(f"(?P<{rule.id}>{rule.pattern.pattern})")
        kind_of[rule.id] = rule.id
    unit = "|".join(units)
    after = re.compile(rf"(?P<num>{_NUMBER})\s+(?:(?:(?!\d)[\w/&-]+|\d+/\d+)\s+){{0,3}}?(?:{unit})\b(?!\s*:)", re.IGNORECASE)
    unit2 = unit.replace("?P<", "?P<u_")
    before = re.compile(rf"\b(?:{unit2})\s*[:|=]\s*(?P<num>{_NUMBER})(?=\s*(?:$|[|;,)\n]|\s\s|[A-Za-z ]+:))", re.IGNORECASE | re.MULTILINE)
    return after, before, kind_of


def _value(num: str) -> int:
    return int(re.sub(r"\D", "", num))


@lru_cache(maxsize=256)
def part_counts(text: str) -> tuple[Count, ...]:
    """Counts of users, seats, devices or mailboxes in one part's text."""
    text = fold(text)
    after, before, _ = _count_rx()
    out: list[Count] = []
    for rx in (before, after):
        for m in rx.finditer(text):
            if any(c.start < m.end("num") and m.start("num") < c.end for c in out):
                continue
            if _NOT_A_COUNT.search(text[max(0, m.start("num") - 12):m.start("num")]):
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
        for c in counts:
            s, e = sentence_at(spans, c.start)
            sent = part.text[s:e]
            tied = [w for w in claim.workloads if find_name(sent, names[w])]
            out.append((part, c, tied[0] if len(tied) == 1 else None))
    return out


class UserCounts:
    id = "user_counts"
    blocking = False

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        found = find_counts(claim, docs)
        by_workload: dict[str, dict[str, int]] = {}
        for _p, c, w in found:
            slot = by_workload.setdefault(w or "overall", {})
            slot[c.unit] = max(slot.get(c.unit, 0), c.value)
        ev = [evidence(p, c.start, c.end, rule_id=f"count_{c.unit}", note=w) for p, c, w in found]
        if found:
            summary = ", ".join(f"{v:,} {u}" for u, v in by_workload.get("overall", next(iter(by_workload.values()))).items())
            return result(self, "pass", f"counts are stated ({summary})", evidence=ev,
                          details={"counts": by_workload})
        return result(self, "warn", "no user, seat, device or mailbox counts found", details={"counts": {}},
                      remediation="State how many users, devices or mailboxes the work covered, per workload.")


CHECK = UserCounts()
