"""The Check protocol, the frozen context every check gets, and helpers to build results."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import ClassVar, Protocol

from checks.textutil import find_name, month_first_countries
from models import CheckResult, Claim, Document, Evidence, Part
from models.claim import OPTIONAL_FIELDS


@dataclass(frozen=True)
class ReuseMatch:
    """An earlier POE on another claim that this POE nearly duplicates (found by the service's index)."""

    claim_id: str
    partner: str
    similarity: float
    file: str = ""


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides the claim and documents: no clock, no settings, no I/O."""

    reference_date: date
    date_order: str = "MDY"
    store_available: bool = False
    reuse_matches: tuple[ReuseMatch, ...] = ()
    extra: dict = field(default_factory=dict)
    #: The optional claim fields the caller stated (models.claim.OPTIONAL_FIELDS); None: all of them, with
    #: POE_RULES §3 defaults for those left out. Only the self-check form states fewer.
    stated: frozenset[str] | None = None

    @classmethod
    def for_claim(cls, claim: Claim, **kwargs) -> CheckContext:
        """Context with the claim date as reference and the customer's country's date order."""
        order = "MDY" if claim.customer.country in month_first_countries() else "DMY"
        return cls(reference_date=claim.claim_date, date_order=order, **kwargs)


    def not_given(self, *fields: str) -> list[str]:
        """Of `fields` (claim paths such as 'customer.flags'), those the caller did not state."""
        return [] if self.stated is None else [f for f in fields if f not in self.stated]


class Check(Protocol):
    id: ClassVar[str]
    blocking: ClassVar[bool]

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult: ...


def iter_parts(docs: Sequence[Document]) -> Iterator[tuple[Document, Part]]:
    """Every part with text, in document order."""
    for doc in docs:
        for part in doc.parts:
            if part.text:
                yield doc, part


def evidence(part: Part, start: int, end: int, *, rule_id: str | None = None, note: str | None = None,
             context: int = 0) -> Evidence:
    """Evidence quoting part.text[start:end] (widened by `context` chars on each side, on word bounds)."""
    text = part.text
    if context:
        s = max(0, start - context)
        e = min(len(text), end + context)
        while s > 0 and not text[s - 1].isspace():
            s -= 1
        while e < len(text) and not text[e].isspace():
            e += 1
        start, end = s, e
    quote = " ".join(text[start:end].split())
    return Evidence(file=part.file, part=part.path, page=part.page, start=start, end=end,
                    quote=quote, rule_id=rule_id, note=note)


def name_evidence(part: Part, names: Sequence[str], pattern: re.Pattern[str] | None, *, rule_id: str,
                  pattern_rule_id: str | None = None) -> Evidence | None:
    """Evidence of a name in `part` (fuzzy, OCR-tolerant; a fuzzy hit says so), else of `pattern`, else None."""
    hit = find_name(part.text, names) if names else None
    if hit:
        return evidence(part, hit.start, hit.end, rule_id=rule_id,
                        note=None if hit.score == 100 else f"fuzzy match ({hit.score:.0f}) of {hit.name!r}")
    m = pattern.search(part.text) if pattern else None
    return evidence(part, m.start(), m.end(), rule_id=pattern_rule_id or rule_id) if m else None


def result(check: type | object, status: str, message: str, *, evidence: Iterable[Evidence] = (),
           remediation: str | None = None, details: dict | None = None, blocking: bool | None = None) -> CheckResult:
    """Build a CheckResult for `check` with the first 20 of `evidence` (an iterator: the rest is not made);
    remediation is dropped on pass."""
    return CheckResult(
        id=check.id,
        status=status,
        blocking=check.blocking if blocking is None else blocking,
        message=message,
        evidence=list(islice(evidence, 20)),
        remediation=None if status in ("pass", "not_applicable") else remediation,
        details=details or {},
    )


def not_checked(check: type | object, fields: Sequence[str], *, why: str = "",
                details: dict | None = None) -> CheckResult:
    """`warn`: the check cannot decide because the self-check did not give `fields` (never a silent pass)."""
    names = " and ".join(OPTIONAL_FIELDS.get(f, f) for f in fields)
    return result(check, "warn", f"not checked: give {names}" + (f" ({why})" if why else ""), blocking=False,
                  remediation=f"Give {names} in the claim, then check again.",
                  details={**(details or {}), "not_given": list(fields)})
