"""Licensing transactions in the POE: quotation/order/invoice/renewal cues and licensing vocabulary
(rules/licensing.yaml). A POE reads as one with a document-type cue or enough kinds of licensing terms."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from checks.base import evidence, iter_parts
from checks.fastscan import scanner
from checks.rulebook import RULES_DIR, RuleFileError
from checks.textutil import rule_file, rules
from models import Document, Evidence

_FILE = "licensing.yaml"


@dataclass(frozen=True)
class Licensing:
    """Where the POE reads as a licence quote, order or renewal."""

    types: list[Evidence] = field(default_factory=list)
    terms: dict[str, Evidence] = field(default_factory=dict)

    @property
    def is_transaction(self) -> bool:
        """A document-type cue, or enough kinds of licensing vocabulary."""
        return bool(self.types) or len(self.terms) >= _min_terms()


@lru_cache(maxsize=1)
def _min_terms() -> int:
    try:
        return int(rule_file(_FILE)["thresholds"]["terms_without_type"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(f"{RULES_DIR / _FILE}: thresholds.terms_without_type: {exc}") from exc


def find_licensing(docs: Sequence[Document]) -> Licensing:
    """Document-type cues (every part) and the first hit of each licensing term."""
    found = Licensing()
    for _doc, part in iter_parts(docs):
        for rule in rules(_FILE, "document_types", flags=re.IGNORECASE | re.MULTILINE):
            m = scanner(rule.pattern).search(part.text)
            if m:
                found.types.append(evidence(part, m.start(), m.end(), rule_id=rule.id, context=20))
        for rule in rules(_FILE, "terms"):
            if rule.id in found.terms:
                continue  # only a term's first hit is kept
            m = scanner(rule.pattern).search(part.text)
            if m:
                found.terms[rule.id] = evidence(part, m.start(), m.end(), rule_id=rule.id, context=20)
    return found
