"""marketing_sentences: the sentences generic_content and activity_detail took for product copy, each by its own
search of the sentence."""
from __future__ import annotations

from checks.findings.marketing import MIN_WORDS, marketing_sentences
from checks.textutil import fold, pattern, sentences
from tests.checks.test_fastscan import _texts


def test_the_marketing_sentences_are_those_the_regex_finds_copy_in():
    rx = pattern("generic.yaml", "marketing")
    found = 0
    for text in map(fold, _texts()):
        want = {(s, e) for s, e in sentences(text)
                if len(text[s:e].split()) >= MIN_WORDS and rx.search(text[s:e])}
        assert marketing_sentences(text) == want
        found += len(want)
    assert found  # the dev letters do carry some product copy
