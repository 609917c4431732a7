"""The rule-based spaCy pipeline (blank English, no model download), loaded once per process."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc


@lru_cache(maxsize=1)
def nlp() -> Language:
    """A blank English tokenizer pipeline shared by every check."""
    return spacy.blank("en")


@lru_cache(maxsize=256)
def parse(text: str) -> Doc:
    """Tokenise a part's text once; checks share the Doc (the text itself is the cache key)."""
    return nlp().make_doc(text)


def phrase_matcher(phrases: Mapping[str, Iterable[str]], *, attr: str = "LOWER") -> PhraseMatcher:
    """A PhraseMatcher whose match ids are the mapping's keys (rule ids)."""
    pipeline = nlp()
    matcher = PhraseMatcher(pipeline.vocab, attr=attr)
    for rule_id, items in phrases.items():
        matcher.add(rule_id, [pipeline.make_doc(p) for p in items])
    return matcher


def matches(matcher: PhraseMatcher, text: str) -> list[tuple[str, int, int]]:
    """(rule_id, start_char, end_char) for every match of `matcher` in `text`."""
    doc = parse(text)
    vocab = nlp().vocab
    out = []
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        out.append((vocab.strings[match_id], span.start_char, span.end_char))
    return out
