"""Sentences of generic product copy (rules/generic.yaml marketing), looked for once per text: generic_content
counts them, activity_detail skips them."""
from __future__ import annotations

from functools import lru_cache

from checks.fastscan import scanner
from checks.textutil import pattern, sentences

#: Sentences of fewer words are not looked at (activity_detail's least; generic_content asks for 6).
MIN_WORDS = 5


@lru_cache(maxsize=256)
def marketing_sentences(text: str) -> frozenset[tuple[int, int]]:
    """The (start, end) sentence spans of `text` (already folded) of MIN_WORDS words or more with marketing
    copy in them."""
    marketing = scanner(pattern("generic.yaml", "marketing"), k=4)
    return frozenset((s, e) for s, e in sentences(text)
                     if len(text[s:e].split()) >= MIN_WORDS and marketing.search_span(text, s, e))
