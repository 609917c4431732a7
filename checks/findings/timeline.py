"""Timeline statements (dates, phases, durations of the engagement) in the POE (rules/detail.yaml)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from checks.base import iter_parts
from checks.fastscan import scanner
from checks.textutil import fold, line_at, pattern, rules, sentence_at, sentences
from models import Document, Part

_FILE = "detail.yaml"


@dataclass(frozen=True)
class TimelineHit:
    start: int
    end: int
    kind: str


@lru_cache(maxsize=256)
def part_timeline(text: str) -> tuple[TimelineHit, ...]:
    """Timeline statements in one part's text: engagement dates, durations and phases."""
    text = fold(text)
    spans = sentences(text)
    cue, excl = scanner(pattern(_FILE, "timeline_cues"), k=4), scanner(pattern(_FILE, "timeline_exclusions"), k=4)
    label = pattern(_FILE, "date_labels")
    out = []
    for found in scanner(pattern(_FILE, "date_shapes")).finditer(text):
        s, e = sentence_at(spans, found.start())
        ls, le = line_at(text, found.start())
        if label.search(text[ls:le]) or not cue.search_span(text, s, e):
            continue
        above = text[line_at(text, max(0, ls - 1))[0]:max(0, ls - 1)].rstrip()
        if not text[ls:le].replace(found.group(), "").strip(" .,;:()|-–—") and not (
                cue.search(above) and (above.endswith(":") or len(above.split()) > 5)):
            continue  # a date alone on its line under a name or title (not a label such as "Go-live:", nor the
            # end of a wrapped sentence "… from January 20 to"): a signature block's date
        out.append(TimelineHit(found.start(), found.end(), "date"))
    for rule in rules(_FILE, "timeline"):
        for m in scanner(rule.pattern).finditer(text):
            s, e = sentence_at(spans, m.start())
            if rule.id == "duration" and (excl.search_span(text, s, e) or not cue.search_span(text, s, e)):
                continue
            out.append(TimelineHit(m.start(), m.end(), rule.id))
    return tuple(sorted(out, key=lambda h: h.start))


def find_timeline(docs: Sequence[Document]) -> list[tuple[Part, TimelineHit]]:
    """Timeline statements of every part."""
    return [(part, hit) for _doc, part in iter_parts(docs) for hit in part_timeline(part.text)]
