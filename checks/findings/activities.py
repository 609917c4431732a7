"""Activities the POE describes (rules/activities.yaml), one sentence at a time, with who did them and whether
they count (negated, planned, advice, support, done by the customer)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from checks import patterncache
from checks.base import iter_parts
from checks.fastscan import Scanner, edited, scanner
from checks.literals import Filtered
from checks.textutil import (
    email_domain,
    fold,
    in_domains,
    line_at,
    name_variants,
    phrase_pattern,
    rules,
    sentence_at,
    sentences,
)
from models import Claim, Document, Part

_FILE = "activities.yaml"
#: Where a clause ends; a "that" clause has its own subject ("<customer> confirms that the team deployed …").
_CLAUSE = re.compile(r"[;:]|\b(?:but|while|whereas|however|although|that)\b|,\s*(?:and|so)\s", re.IGNORECASE)
_LABEL_LINE = re.compile(r"^\s*(?:project|subject|re|title|reference|workloads?(?:\s+in\s+scope)?|date)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Activity:
    """One activity mention: where, which rule, and why it does not count (None when it counts)."""

    start: int
    end: int
    rule_id: str
    applicable: bool
    weight: float
    excluded: str | None = None


@lru_cache(maxsize=1)
def _combined() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, tuple[str, float]]]:
    """One regex for applicable work (verbs before nouns) and one for non-applicable work: a single
    scan of the text each; the named group that matched gives the rule id and weight."""
    weights: dict[str, tuple[str, float]] = {}

    def join(*keys: str) -> re.Pattern[str]:
        alts = []
        for key in keys:
            for rule in rules(_FILE, key):
                group = f"g{len(weights)}"
                weights[group] = (rule.id, rule.weight)
                alts.append(f"(?P<{group}>{rule.pattern.pattern})")
        return patterncache.compile("|".join(alts), re.IGNORECASE)

    return join("applicable", "applicable_nouns"), join("non_applicable"), weights


@lru_cache(maxsize=1)
def _cues() -> dict[str, re.Pattern[str]]:
    return {r.id: r.pattern for r in rules(_FILE, "cues")}


#: Cues searched in the few words before each activity through a Scanner (3-7x faster there); the others
#: either build slowly (seconds: negation_after, by_customer_after) or gain nothing on such short text.
_SCANNED_CUES = ("negation", "intent", "own_work", "support_lead", "advisory_lead", "subject_blocker")
#: Cues searched in the words after each activity only where a word they need is there (~8 and ~4 µs a search
#: plainly, ~3 through the filter: each tries its alternatives after each of the first words).
_FILTERED_CUES = ("negation_after", "by_customer_after")


@lru_cache(maxsize=1)
def _tail_cues() -> dict[str, Scanner | Filtered | re.Pattern[str]]:
    cues = _cues()
    return {**cues, **{c: scanner(cues[c]) for c in _SCANNED_CUES}, **{c: Filtered(cues[c]) for c in _FILTERED_CUES}}


_CUST_MASK, _PART_MASK = "Q", "P"


@lru_cache(maxsize=64)
def _names_rx(names: tuple[str, ...]) -> re.Pattern[str] | None:
    variants = name_variants(names)
    return re.compile("|".join(phrase_pattern(n) for n in variants), re.IGNORECASE) if variants else None


def _masked(text: str, partner: tuple[str, ...], customer: tuple[str, ...]) -> str:
    """The partner's names, then the customer's, replaced by a run of _PART_MASK or _CUST_MASK letters (same
    length), so words inside names ("Cloud Advisory Inc.") are not read as cues and the party is recognised as
    a subject. Noted as an edit of `text` (fastscan.edited): the scanners' index of it is made from the text's."""
    changed: list[int] = []
    out = text
    for names, letter in ((partner, _PART_MASK), (customer, _CUST_MASK)):
        rx = _names_rx(names)
        if rx is not None:
            out = rx.sub(partial(_run_of, letter, changed), out)
    if changed:
        edited(out, text, changed)
    return out


def _run_of(letter: str, changed: list[int], m: re.Match[str]) -> str:
    """A run of `letter` as long as the match; its offsets go to `changed`."""
    changed.extend(range(m.start(), m.end()))
    return letter * (m.end() - m.start())


def _any_of(alternatives: list[str]) -> re.Pattern[str]:
    return patterncache.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


@lru_cache(maxsize=8)
def _subjects(customer_authored: bool):
    """(customer-subject regex, partner-subject regex) for the part's author."""
    cues = _cues()
    cust = [cues["customer_subject"].pattern, rf"\b{_CUST_MASK}{{4,}}\b"]
    part = [rf"\b{_PART_MASK}{{4,}}\b"]
    if customer_authored:
        cust += [r"\bwe\b", r"\bour\s+(?:\w+\s+){0,2}(?:team|staff|it|admins?|engineers)\b", r"\bourselves\b"]
        part += [r"\byou\b", r"\byour\s+(?:\w+\s+){0,2}(?:team|consultants?|engineers?|staff|people)\b"]
    else:
        part.append(cues["partner_subject"].pattern)
    return _any_of(cust), _any_of(part)


def _attribution(left: str, right: str, cust_rx: re.Pattern[str], part_rx: re.Pattern[str],
                 inner: str = "") -> str | None:
    """Why an activity with `left` clause text before it, `inner` its own words and `right` after it does not
    count, or None. A negation may sit inside the phrase itself ("delivered no training")."""
    cues = _tail_cues()
    tail = left[-90:]
    negated_inside = " " in inner.strip() and cues["negation"].search(tail[-40:] + inner)  # "delivered no training"
    if cues["negation"].search(tail) or negated_inside or cues["negation_after"].search(right):
        return "negated"
    if cues["intent"].search(tail):
        return "intent"
    if cues["own_work"].search(tail) or cues["by_customer_after"].search(right):
        return "customer"
    if cues["support_lead"].search(tail):
        return "support"
    if cues["advisory_lead"].search(tail[-60:]):
        return "advisory"
    last_cust = None
    for m in cust_rx.finditer(left):
        if not cues["subject_blocker"].search(left[max(0, m.start() - 20):m.start()]):
            last_cust = m
    if last_cust is not None and len(left) - last_cust.end() <= 80:
        last_part = None
        for m in part_rx.finditer(left):
            last_part = m
        if last_part is None or last_part.start() < last_cust.start():
            return "customer"
    return None


@lru_cache(maxsize=256)
def part_activities(text: str, *, customer: tuple[str, ...] = (), partner: tuple[str, ...] = (),
                    customer_authored: bool = False) -> tuple[Activity, ...]:
    """Every activity mention in one part's text, with the reason it does not count (if any)."""
    text = _masked(fold(text), partner, customer)
    cust_rx, part_rx = _subjects(customer_authored)
    spans = sentences(text)
    out: list[Activity] = []
    work_rx, other_rx, weights = _combined()
    for m in scanner(work_rx, k=4).finditer(text):
        s, e = sentence_at(spans, m.start())
        if s == e or text[s:e].lstrip().startswith(">"):
            continue  # quoted text of an earlier message
        rule_id, weight = weights[m.lastgroup]
        if weight < 1 and _title_line(text, m.start()):
            continue  # nouns on title/label lines name the document, not work done
        sent = text[s:e]
        cuts = [0] + [c.end() for c in _CLAUSE.finditer(sent)]
        ms, me = m.start() - s, m.end() - s
        clause_start = max(c for c in cuts if c <= ms)
        nxt = [c for c in cuts if c > me]
        right = sent[me:nxt[0] if nxt else len(sent)]
        why = _attribution(sent[clause_start:ms], right, cust_rx, part_rx, inner=sent[ms:me])
        out.append(Activity(m.start(), m.end(), rule_id, True, weight, why))
    for m in scanner(other_rx, k=4).finditer(text):
        s, e = sentence_at(spans, m.start())
        if s != e and not text[s:e].lstrip().startswith(">"):
            rule_id, weight = weights[m.lastgroup]
            out.append(Activity(m.start(), m.end(), rule_id, False, weight))
    return tuple(sorted(out, key=lambda a: a.start))


def _title_line(text: str, pos: int) -> bool:
    """A heading, label or title line (nouns there name the document, not work done)."""
    ls, le = line_at(text, pos)
    line = text[ls:le]
    return len(line.split()) < 6 or bool(_LABEL_LINE.match(line))


def customer_authored(part: Part, claim: Claim) -> bool:
    """Whether the part is an e-mail body sent from a customer domain."""
    return part.email is not None and in_domains(email_domain(part.email.sender_email or part.email.sender),
                                                 claim.customer.domains)


def claim_activities(claim: Claim, docs: Sequence[Document]) -> list[tuple[Part, Activity]]:
    """Activities of every part, attributed with the claim's party names."""
    cust = (claim.customer.name, *claim.customer.aliases)
    part_names = (claim.partner.name, *claim.partner.aliases)
    out = []
    for _doc, part in iter_parts(docs):
        for act in part_activities(part.text, customer=cust, partner=part_names,
                                   customer_authored=customer_authored(part, claim)):
            out.append((part, act))
    return out


def delivered_weight(acts: Sequence[tuple[Part, Activity]]) -> float:
    """Summed weight of applicable activities that count (done by the partner, not negated or planned)."""
    return sum(a.weight for _p, a in acts if a.applicable and a.excluded is None)


def advisory_files(docs: Sequence[Document]) -> set[str]:
    """Files that state the partner changed nothing (an advisory engagement, no changes made, no access)."""
    rx = scanner(_cues()["advisory_declaration"])
    return {part.file for _doc, part in iter_parts(docs) if rx.search(fold(part.text))}
