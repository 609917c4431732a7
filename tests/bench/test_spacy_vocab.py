"""The spaCy vocabulary matcher prototype (bench/spacy_vocab.py) on sentences and dev letters."""
from __future__ import annotations

import re

import pytest

from bench.spacy_vocab import (
    TOKEN_PATTERNS,
    VOCABULARIES,
    build_matcher,
    match_text,
    vocabulary_rules,
)
from checks.textutil import fold, rules
from tests.checks.conftest import build  # noqa: F401 (the dev letters fixture)


def hits(text: str, *, fallback: bool = False) -> list[tuple[str, str]]:
    """(rule key, matched text) of every hit, line breaks shown as they are in the text."""
    return [(key, text[s:e]) for key, s, e in match_text(text, regex_fallback=fallback)]


def keys(text: str) -> set[str]:
    return {key for key, _ in hits(text)}


def current_regex_finds(file: str, section: str, rule_id: str, text: str) -> bool:
    """Whether the rule's compiled regex (as the checks use it today) matches the folded text."""
    rule = next(r for r in rules(file, section) if r.id == rule_id)
    return rule.pattern.search(fold(text)) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Onboarded 300 devices to Defender for\nEndpoint.",
                     ("workloads:workload_MDE", "Defender for\nEndpoint"), id="alias-across-line-break"),
        pytest.param("Microsoft Defender for\n   Office 365 policies",
                     ("workloads:workload_MDO", "Microsoft Defender for\n   Office 365"), id="indented-next-line"),
        pytest.param("Rolled out Defender-for-Endpoint sensors",
                     ("workloads:workload_MDE", "Defender-for-Endpoint"), id="hyphens-for-spaces"),
        pytest.param("DEFENDER FOR ENDPOINT was deployed", ("workloads:workload_MDE", "DEFENDER FOR ENDPOINT"),
                     id="upper-case-name"),
        pytest.param("the mcas console", ("workloads:workload_MDA", None), id="lower-case-acronym-ignored"),
        pytest.param("MCAS policies", ("workloads:workload_MDA", "MCAS"), id="acronym"),
        pytest.param("the MDE-related work", ("workloads:workload_MDE", None), id="acronym-touching-hyphen"),
        pytest.param("the MDEX tool", ("workloads:workload_MDE", None), id="acronym-inside-token"),
    ],
)
def test_workload_names(text, expected):
    key, quote = expected
    found = [q for k, q in hits(text) if k == key]
    assert found == ([quote] if quote else [])


def test_hyphenation_across_a_line_break_is_undone_for_vocabulary_words():
    text = "We completed the on-\nboarding of 300 laptops and de-\nployed the sensors."
    assert hits(text) == [("activities.applicable:deployment_noun", "on-\nboarding"),
                          ("activities.applicable:deploy", "de-\nployed")]
    # what the regexes over raw text do not see
    assert not current_regex_finds("activities.yaml", "applicable", "deploy", "de-\nployed the sensors")
    assert not current_regex_finds("activities.yaml", "applicable_nouns", "deployment_noun", "the on-\nboarding")


def test_a_line_break_hyphen_of_other_words_stays_a_hyphen():
    text = "sent the end-\nuser communications"
    assert hits(text) == [("activities.applicable:adoption", "end-\nuser communications")]


@pytest.mark.parametrize(
    ("text", "key", "quote"),
    [
        pytest.param("We Configured the policies", "activities.applicable:configure", "Configured", id="title-case"),
        pytest.param("WE CONFIGURED THE POLICIES", "activities.applicable:configure", "CONFIGURED", id="upper-case"),
        pytest.param("the Department of Defense tenant", "eligibility.excluded:dod", "Department of Defense",
                     id="cased-rule"),
        pytest.param("the department of defense tenant", "eligibility.excluded:dod", None, id="cased-rule-lower"),
        pytest.param("a DoD tenant", "eligibility.excluded:dod", "DoD", id="dod"),
        pytest.param("a dod tenant", "eligibility.excluded:dod", None, id="dod-lower"),
    ],
)
def test_case(text, key, quote):
    assert [q for k, q in hits(text) if k == key] == ([quote] if quote else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("We applied the new policies.", [("activities.applicable:configure", "applied")],
                     id="look-ahead-is-not-part-of-the-hit"),
        pytest.param("We applied for a grant.", [], id="look-ahead-missing"),
        pytest.param("It enabled us to plan. We enabled MFA.", [("activities.applicable:configure", "enabled")],
                     id="negative-look-ahead-vetoes"),
        pytest.param("With built-in intelligence.", [("generic.marketing:buzz", "built-in intelligence")],
                     id="veto-across-hyphen"),
        pytest.param("Conducted three admin workshops", [("activities.applicable:training",
                                                          "Conducted three admin workshops")], id="word-gap"),
        pytest.param("Invoice\nthe invoice was paid", [("licensing.document_types:invoice", "Invoice")],
                     id="line-start-only"),
        pytest.param("Quote No. Q-1234 attached", [("licensing.document_types:quotation", "Quote No. Q-1234")],
                     id="hand-translation"),
        pytest.param("SOW CSP-2024-118", [("licensing.terms:channel", "CSP")], id="hyphen-before-digit-splits"),
        pytest.param("aucune prestation d'installation", [("activities.applicable:deployment_noun", "installation")],
                     id="french-elision"),
    ],
)
def test_token_patterns(text, expected):
    assert hits(text) == expected


def test_alternation_keeps_the_earlier_rule_at_one_start():
    # 'created ... runbooks' is training, but configure ('created') comes first in the alternation
    assert hits("We created the runbooks") == [("activities.applicable:configure", "created")]


def test_every_hand_translation_stands_for_a_regex_of_the_rule_files():
    patterns = {p for r in vocabulary_rules() for p in r.patterns}
    assert set(TOKEN_PATTERNS) <= patterns


def test_every_regex_is_translated_or_kept_as_a_regex():
    vm = build_matcher()
    cov = vm.coverage
    for vocab in VOCABULARIES:
        total = sum(len(r.patterns) for r in vm.rules if r.key.startswith(vocab + ":"))
        assert cov.translated[vocab] + cov.by_hand[vocab] + cov.partly[vocab] + cov.untranslated[vocab] == total
    left = {key for key, _ in hits("x", fallback=True)}
    assert left == set()
    assert all(isinstance(rx, re.Pattern) for rxs in vm.untranslated.values() for rx in rxs)


@pytest.mark.parametrize("case", ["dev-001", "dev-002", "dev-014", "dev-026", "dev-034"])
def test_same_rules_as_the_regexes_on_dev_letters(build, case):  # noqa: F811
    from bench.spacy_match_bench import regex_scanners

    _claim, docs = build.dev_pdf(case)
    for part in docs[0].parts:
        folded = fold(part.text)
        regex = {(vocab, rule) for vocab, scan in regex_scanners().items() for rule, _s, _e in scan(part, folded)}
        spacy = {tuple(key.split(":", 1)) for key, _s, _e in match_text(part.text, regex_fallback=True)}
        assert spacy == regex, part.path
