"""Rulebook vocabularies matched by the current regexes vs one spaCy pass (bench/spacy_vocab.py).

Texts: every part of every case of fixtures/poe_dev, poe_holdout and poe_ext, ingested once per process.

Speed, in ms per 1,000 characters, best of the rounds (regex and spaCy interleaved in each round, the
checks' text caches emptied first):
- regex: what the checks scan today: the two activity alternations of `findings.activities`, `find_workload`
  for every workload, the rules of generic (marketing), licensing and eligibility one by one;
- spaCy: the tokeniser alone, the Doc (tokeniser included), the matchers; "hybrid" adds the regexes that
  have no token translation (run as regexes, so that nothing of the rulebook is lost).

Agreement, per vocabulary: the (part, rule id) pairs the current regexes find against those of the hybrid
pass (and of spaCy alone), and examples of the differences.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from models import Part

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPORA = ("poe_dev", "poe_holdout", "poe_ext")
EXAMPLES = 3

Hits = list[tuple[str, int, int]]
Sample = list[tuple[str, Part, str]]  # (corpus/case/part path, part, folded text)


@lru_cache(maxsize=2)
def texts(quick: bool = False) -> tuple[tuple[str, Part], ...]:
    """("corpus/case/part path", part) of every part with text; quick: the first five dev cases."""
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    settings = Settings()
    out = []
    for corpus in CORPORA[:1] if quick else CORPORA:
        cases = sorted(p for p in (FIXTURES / corpus / "docs").iterdir() if p.is_dir())
        for case in cases[:5] if quick else cases:
            for path in sorted(p for p in case.rglob("*") if p.is_file()):
                for part in ingest_path(path, settings=settings).parts:
                    if part.text:
                        out.append((f"{corpus}/{case.name}/{part.path}", part))
    return tuple(out)


@lru_cache(maxsize=1)
def _activity_rx() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """The two alternations findings.activities scans (built as its `_combined` builds them)."""
    from checks.textutil import rules

    out = {}
    for vocab, keys in (("activities.applicable", ("applicable", "applicable_nouns")),
                        ("activities.non_applicable", ("non_applicable",))):
        groups: dict[str, str] = {}
        alts = []
        for key in keys:
            for rule in rules("activities.yaml", key):
                group = f"g{len(groups)}"
                groups[group] = rule.id
                alts.append(f"(?P<{group}>{rule.pattern.pattern})")
        out[vocab] = (re.compile("|".join(alts), re.IGNORECASE), groups)
    return out


def _each(file: str, key: str, text: str, *, flags: int = re.IGNORECASE, cased: tuple[str, ...] = ()) -> Hits:
    """Every rule of a list on its own, as generic_content, licensing_only and customer_eligibility scan."""
    from checks.textutil import rules

    case_sensitive = {r.id: r.pattern for r in rules(file, key, flags=0) if r.id in cased}
    return [(r.id, m.start(), m.end()) for r in rules(file, key, flags=flags)
            for m in case_sensitive.get(r.id, r.pattern).finditer(text)]


def regex_scanners() -> dict[str, Callable[[Part, str], Hits]]:
    """Vocabulary -> the current matching of one part (given its text folded) as (rule id, start, end)."""
    from checks.rulebook import workloads
    from checks.workload_match import find_workload

    def alternation(vocab: str) -> Callable[[Part, str], Hits]:
        def scan(_part: Part, folded: str) -> Hits:
            rx, groups = _activity_rx()[vocab]
            return [(groups[m.lastgroup], m.start(), m.end()) for m in rx.finditer(folded)]
        return scan

    def workload_hits(part: Part, _folded: str) -> Hits:
        return [(f"workload_{wid}", ev.start, ev.end) for wid in workloads() if (ev := find_workload(part, wid))]

    return {
        "activities.applicable": alternation("activities.applicable"),
        "activities.non_applicable": alternation("activities.non_applicable"),
        "workloads": workload_hits,
        "generic.marketing": lambda _p, folded: _each("generic.yaml", "marketing", folded),
        "licensing.document_types": lambda p, _f: _each("licensing.yaml", "document_types", p.text,
                                                        flags=re.IGNORECASE | re.MULTILINE),
        "licensing.terms": lambda p, _f: _each("licensing.yaml", "terms", p.text),
        "eligibility.excluded": lambda _p, folded: _each("eligibility.yaml", "excluded", folded, cased=("dod",)),
    }


def _clear_caches() -> None:
    from checks import textutil
    from checks.findings import activities

    for fn in (textutil._compact, textutil.sentences, activities.part_activities):
        fn.cache_clear()


def timings(sample: Sample, rounds: int) -> dict[str, float]:
    """Best-of-rounds seconds over the sample: per regex vocabulary, per spaCy phase, the regex fallback and
    the whole activities finder; regex and spaCy interleaved in each round."""
    from bench.spacy_vocab import build_matcher
    from checks.findings.activities import part_activities

    vm = build_matcher()
    scanners = regex_scanners()
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    for _ in range(rounds):
        _clear_caches()
        for vocab, scan in scanners.items():
            t0 = time.perf_counter()
            for _key, part, folded in sample:
                scan(part, folded)
            keep(f"regex:{vocab}", time.perf_counter() - t0)
        t_tok = t_doc = t_match = t_fallback = 0.0
        for _key, part, folded in sample:
            t0 = time.perf_counter()
            vm.base_tokenizer(folded)
            t1 = time.perf_counter()
            doc = vm.make_doc(folded)
            t2 = time.perf_counter()
            vm.match_doc(doc, part.text)
            t3 = time.perf_counter()
            for rx, _rule, _prio in vm.fallback:
                list(rx.finditer(folded))
            t4 = time.perf_counter()
            t_tok, t_doc, t_match, t_fallback = t_tok + t1 - t0, t_doc + t2 - t1, t_match + t3 - t2, t_fallback + t4 - t3
        for name, seconds in (("spacy:tokeniser", t_tok), ("spacy:doc", t_doc), ("spacy:match", t_match),
                              ("spacy:fallback", t_fallback)):
            keep(name, seconds)
        _clear_caches()
        t0 = time.perf_counter()
        for _key, part, _folded in sample:
            part_activities(part.text)
        keep("activities_finder", time.perf_counter() - t0)
    return best


def _quote(text: str, start: int, end: int, context: int = 30) -> str:
    s, e = max(0, start - context), min(len(text), end + context)
    return " ".join(f"{text[s:start]}[{text[start:end]}]{text[end:e]}".split())


def _examples(hits: dict[tuple[str, str], tuple[int, int]], keys: set[tuple[str, str]],
              parts: dict[str, Part], note: Callable[[str, str], str | None]) -> list[dict]:
    """Up to EXAMPLES differences, taking the rule ids in turn."""
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for k in sorted(keys):
        by_rule.setdefault(k[1], []).append(k)
    picked: list[tuple[str, str]] = []
    while len(picked) < EXAMPLES and any(by_rule.values()):
        for rule in sorted(by_rule):
            if by_rule[rule] and len(picked) < EXAMPLES:
                picked.append(by_rule[rule].pop(0))
    out = []
    for part_key, rule in picked:
        s, e = hits[(part_key, rule)]
        example = {"part": part_key, "rule": rule, "quote": _quote(parts[part_key].text, s, e)}
        if text := note(part_key, rule):
            example["note"] = text
        out.append(example)
    return out


def _hit_level(regex: dict[tuple[str, str, int], int], hybrid: dict[tuple[str, str, int], int],
               parts: dict[str, Part]) -> dict:
    """Hits (part, rule, start) of each way, and examples of hits only one of them has."""
    def examples(mine: dict[tuple[str, str, int], int], other: dict[tuple[str, str, int], int]) -> list[str]:
        keys = sorted(set(mine) - set(other))
        step = max(1, len(keys) // EXAMPLES)
        return [f"{k[1]}: {_quote(parts[k[0]].text, k[2], mine[k], 25)} ({k[0]})" for k in keys[::step][:EXAMPLES]]

    same_start = set(regex) & set(hybrid)
    return {"regex": len(regex), "hybrid": len(hybrid), "same_start": len(same_start),
            "same_start_and_end": sum(regex[k] == hybrid[k] for k in same_start),
            "regex_only_examples": examples(regex, hybrid), "hybrid_only_examples": examples(hybrid, regex)}


def agreement(sample: Sample) -> dict[str, dict]:
    """Per vocabulary: coverage of the translation, and (part, rule id) pairs of the current regexes against
    the hybrid pass (and spaCy alone), with examples of the differences."""
    from bench.spacy_vocab import VOCABULARIES, build_matcher
    from checks.workload_match import find_workload

    vm = build_matcher()
    scanners = regex_scanners()
    parts = {key: part for key, part, _f in sample}
    found: dict[str, dict[str, dict[tuple[str, str], tuple[int, int]]]] = {
        way: {v: {} for v in VOCABULARIES} for way in ("regex", "hybrid", "spacy")}
    hits: dict[str, dict[str, dict[tuple[str, str, int], int]]] = {
        way: {v: {} for v in VOCABULARIES} for way in ("regex", "hybrid")}  # (part, rule, start) -> end
    for key, part, folded in sample:
        for vocab, scan in scanners.items():
            for rule, s, e in scan(part, folded):
                found["regex"][vocab].setdefault((key, rule), (s, e))
                hits["regex"][vocab][(key, rule, s)] = e
        doc = vm.make_doc(folded)
        for way, fallback in (("spacy", False), ("hybrid", True)):
            for rule_key, s, e in vm.match_doc(doc, part.text, regex_fallback=fallback):
                vocab, rule = rule_key.split(":", 1)
                found[way][vocab].setdefault((key, rule), (s, e))
                if way == "hybrid":
                    hits[way][vocab][(key, rule, s)] = e

    def workload_note(part_key: str, rule: str) -> str | None:
        ev = find_workload(parts[part_key], rule.removeprefix("workload_"))
        return ev.note if ev else None

    def no_note(_part_key: str, _rule: str) -> None:
        return None

    out = {}
    for vocab in VOCABULARIES:
        r, h, s = (set(found[way][vocab]) for way in ("regex", "hybrid", "spacy"))
        only_r, only_h = r - h, h - r
        by_rule: dict[str, list[int]] = {}
        for k in only_r:
            by_rule.setdefault(k[1], [0, 0])[0] += 1
        for k in only_h:
            by_rule.setdefault(k[1], [0, 0])[1] += 1
        out[vocab] = {
            "regexes": {"translated": vm.coverage.translated[vocab], "by_hand": vm.coverage.by_hand[vocab],
                        "partly": vm.coverage.partly[vocab], "untranslated": vm.coverage.untranslated[vocab]},
            "regex_pairs": len(r), "hybrid_pairs": len(h), "both": len(r & h),
            "agreement": round(len(r & h) / len(r | h), 3) if r | h else 1.0,
            "regex_only": len(only_r), "hybrid_only": len(only_h),
            "by_rule_regex_only_hybrid_only": dict(sorted(by_rule.items())),
            "spacy_alone": {"pairs": len(s), "both": len(r & s), "regex_only": len(r - s), "spacy_only": len(s - r),
                            "agreement": round(len(r & s) / len(r | s), 3) if r | s else 1.0},
            "regex_only_examples": _examples(found["regex"][vocab], only_r, parts,
                                             workload_note if vocab == "workloads" else no_note),
            "hybrid_only_examples": _examples(found["hybrid"][vocab], only_h, parts, no_note),
        }
        if vocab != "workloads":  # find_workload gives one hit per workload and part: no hit-level comparison
            out[vocab]["hits"] = _hit_level(hits["regex"][vocab], hits["hybrid"][vocab], parts)
    return out


def run(quick: bool = False) -> dict:
    """Speed (ms per 1,000 characters and spaCy/regex ratios) and agreement per vocabulary."""
    from bench.spacy_vocab import VOCABULARIES, build_matcher
    from checks.textutil import fold

    logging.disable(logging.CRITICAL)
    rounds = 1 if quick else 7
    t0 = time.perf_counter()
    sample = [(key, part, fold(part.text)) for key, part in texts(quick)]
    ingest_s = time.perf_counter() - t0
    chars = sum(len(p.text) for _k, p, _f in sample)
    t0 = time.perf_counter()
    build_matcher()
    build_s = time.perf_counter() - t0

    t = timings(sample, rounds)
    ms = {k: v * 1e6 / chars for k, v in t.items()}  # seconds over the sample -> ms per 1,000 characters
    regex = sum(ms[f"regex:{v}"] for v in VOCABULARIES)
    spacy_total = ms["spacy:doc"] + ms["spacy:match"]
    hybrid = spacy_total + ms["spacy:fallback"]
    speed = {
        "regex_ms_per_1k_chars": {**{v: round(ms[f"regex:{v}"], 3) for v in VOCABULARIES}, "total": round(regex, 3)},
        "spacy_ms_per_1k_chars": {"tokeniser_alone": round(ms["spacy:tokeniser"], 3),
                                  "doc_incl_tokeniser": round(ms["spacy:doc"], 3),
                                  "matchers": round(ms["spacy:match"], 3), "total": round(spacy_total, 3),
                                  "untranslated_regexes": round(ms["spacy:fallback"], 3),
                                  "hybrid_total": round(hybrid, 3)},
        "ratio_spacy_alone_to_regex": round(spacy_total / regex, 2),
        "ratio_hybrid_to_regex": round(hybrid / regex, 2),
        "activities_finder_ms_per_1k_chars": round(ms["activities_finder"], 3),
        "build_matcher_s": round(build_s, 2),
        "rounds": rounds,
    }
    return {"texts": {"corpora": list(CORPORA[:1] if quick else CORPORA), "parts": len(sample), "chars": chars,
                      "ingest_s": round(ingest_s, 1)},
            "speed": speed, "agreement": agreement(sample)}
