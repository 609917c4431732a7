"""A pattern's required literals never turn away a text it matches: on the dev corpus's letters (as written,
upper-cased, cut into sentences and clause tails) for the cues searched through a filter, and on made-up
texts built from a pattern's own words."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.findings.activities import _FILTERED_CUES, _cues, _tail_cues
from checks.literals import Filtered, required
from checks.textutil import rules, sentences
from tests.checks.test_fastscan import _texts


@pytest.mark.parametrize(("source", "flags", "expected"), [
    pytest.param(r"\bfoo\s+bar\b|\bbaz\b", re.IGNORECASE, {"foo", "baz"}, id="best-of-each-alternative"),
    pytest.param(r"(?:was|were)\s+NOT", 0, {"not"}, id="longest-run-lower-cased"),
    pytest.param(r"x(?:abc|de)+y", 0, {"abc", "de"}, id="a-repeat-at-least-once"),
    pytest.param(r"\bQ{4,}\b", 0, {"qqqq"}, id="a-repeated-letter"),
    pytest.param(r"ab(?:cd)?|\w+", 0, None, id="an-alternative-without-literals"),
    pytest.param(r"(?:abc)*", 0, None, id="a-repeat-that-may-be-absent"),
    pytest.param("stra\u017fe", re.IGNORECASE, {"stra"}, id="long-s-matches-ascii-s"),
    pytest.param("\u212aelvin", re.IGNORECASE, {"elvin"}, id="kelvin-sign-matches-ascii-k"),
])
def test_required(source, flags, expected):
    assert required(source, flags) == (None if expected is None else frozenset(expected))


def test_a_text_with_a_letter_that_matches_ascii_case_insensitively_is_always_searched():
    rx = re.compile(r"\bstop\b", re.IGNORECASE)
    assert Filtered(rx).search("\u017ftop") is not None and rx.search("\u017ftop") is not None


def _fragments() -> list[str]:
    """Sentences of the dev letters, their clause tails and heads, as written and upper-cased."""
    out = []
    for text in _texts()[::2]:
        for s, e in sentences(text):
            sent = text[s:e]
            out += [sent, sent[-90:], sent[:80], sent.upper()]
    return out


def _filtered_patterns() -> list:
    return [pytest.param(_cues()[c], id=c) for c in _FILTERED_CUES] + [
        pytest.param(r.pattern, id=f"{key}:{r.id}") for key in ("cues", "applicable", "non_applicable")
        for r in rules("activities.yaml", key)][:120]


def test_the_filtered_cues_are_filtered():
    assert all(isinstance(_tail_cues()[c], Filtered) and _tail_cues()[c].literals for c in _FILTERED_CUES)


@pytest.mark.parametrize("rx", _filtered_patterns())
def test_a_filtered_search_is_the_search(rx):
    filtered = Filtered(rx)
    for text in _fragments():
        want = rx.search(text)
        got = filtered.search(text)
        assert (got is None) == (want is None) and (got is None or got.regs == want.regs), text
        assert [m.regs for m in filtered.finditer(text)] == [m.regs for m in rx.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_text_made_of_a_patterns_words_is_never_turned_away(data):
    """Texts made of the literals the cue needs, other words and punctuation, in any case: the filter lets
    every text the pattern matches through."""
    rx = _cues()[data.draw(st.sampled_from(_FILTERED_CUES))]
    words = sorted(Filtered(rx).literals) + ["the", "was", "by", "not", "scope", "customer", "its own", "de"]
    parts = data.draw(st.lists(st.sampled_from(words) | st.sampled_from([" ", ", ", ". ", "\n"]), max_size=12))
    text = "".join(p.upper() if data.draw(st.booleans()) else p for p in parts)
    assert (Filtered(rx).search(text) is None) == (rx.search(text) is None)
