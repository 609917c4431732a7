"""Scanner finds exactly what the plain regex finds: on the dev corpus's letters (as written, upper-cased and
with accented letters put in) for every big vocabulary the checks scan whole texts with."""
from __future__ import annotations

import gc
import re
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks.datefind import _CANDIDATE
from checks.fastscan import (
    INDEX_MIN_CHARS,
    Scanner,
    _index,
    _positions,
    _Split,
    _TextIndex,
    consumed,
    prefixes,
    scanner,
)
from checks.findings.acknowledgements import _compiled
from checks.findings.activities import _combined, _cues
from checks.findings.counts import _count_rx
from checks.textutil import fold, pattern, rules, sentences
from models import Claim

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"


@cache
def _texts() -> tuple[str, ...]:
    out = []
    for pdf in sorted(DEV.glob("*/*.pdf"))[:20]:
        doc = pdfium.PdfDocument(pdf)
        for page in doc:
            text = page.get_textpage().get_text_range()
            out += [text, fold(text), text.upper(), text.replace("e", "é").replace("u", "ü")]
        doc.close()
    return tuple(t for t in out if t.strip())


def _patterns() -> list:
    work, other, _ = _combined()
    out = [pytest.param(work, 3, id="activities-applicable"), pytest.param(work, 4, id="activities-applicable-k4"),
           pytest.param(other, 3, id="activities-other")]
    for file, key, flags in (("detail.yaml", "timeline_cues", re.IGNORECASE), ("detail.yaml", "date_shapes", re.IGNORECASE),
                             ("detail.yaml", "need", re.IGNORECASE), ("generic.yaml", "marketing", re.IGNORECASE),
                             ("generic.yaml", "placeholders", 0)):
        out.append(pytest.param(pattern(file, key, flags=flags), 3, id=f"{file}:{key}"))
    out += [pytest.param(other, 4, id="activities-other-k4"),  # the vocabularies scanned with 4 characters
            pytest.param(pattern("generic.yaml", "marketing"), 4, id="generic.yaml:marketing-k4"),
            pytest.param(pattern("detail.yaml", "timeline_cues"), 4, id="detail.yaml:timeline_cues-k4"),
            pytest.param(pattern("detail.yaml", "timeline_exclusions"), 4, id="detail.yaml:timeline_exclusions-k4")]
    out.append(pytest.param(_CANDIDATE, 3, id="date-candidates"))
    out.append(pytest.param(_count_rx()[0], 3, id="counts-number-then-unit"))
    out.append(pytest.param(_cues()["advisory_declaration"], 3, id="advisory-declaration"))
    out += [pytest.param(r.pattern, 3, id=f"licensing:{r.id}") for r in rules("licensing.yaml", "terms")]
    out += [pytest.param(r.pattern, 3, id=f"eligibility:{r.id}") for r in rules("eligibility.yaml", "excluded")]
    out += [pytest.param(rx, 3, id=f"acknowledgement:{key}:{rid}")  # first_match searches a page through its Scanner
            for key in ("titles", "vendors", "ids", "typed_signature") for rid, rx in _compiled(key)]
    return out


@pytest.mark.parametrize(("rx", "k"), _patterns())
def test_scanner_matches_what_the_regex_matches(rx, k):
    scanner = Scanner(rx, k, build_after=0)
    assert scanner._trigger is not None  # these vocabularies are bounded, so the fast path is taken
    for text in _texts():
        want = [(m.start(), m.end(), m.lastgroup) for m in rx.finditer(text)]
        assert [(m.start(), m.end(), m.lastgroup) for m in scanner.finditer(text)] == want
        first = scanner.search(text)
        assert (first.span() if first else None) == (want[0][:2] if want else None)


@pytest.mark.parametrize(("source", "flags", "expected"), [
    pytest.param(r"\bdeployed\b", re.IGNORECASE, {"word": {"dep"}}, id="word"),
    pytest.param(r"(?<![\w])(?:set|stood)\s+up", re.IGNORECASE, {"word": {"set", "sto"}}, id="lookbehind"),
    pytest.param(r"Go|go-live", 0, {"any": {"go", "go-"}}, id="short"),
    pytest.param(r"#\d", 0, {"any": {"#" + d for d in "0123456789"}}, id="not-a-word"),
    pytest.param(r"\bthis\s+quote\b", re.IGNORECASE, {"word": {"thi"}}, id="phrase"),
])
def test_prefixes(source, flags, expected):
    assert {kind: set(keys) for kind, keys in prefixes(source, flags).items()} == expected


def test_a_match_at_a_line_start_is_looked_for_at_line_starts_only():
    found = prefixes(r"^\s*quote\b|\bthis\s+quote\b", re.IGNORECASE | re.MULTILINE)
    assert set(found) == {"line", "word"}
    assert "quo" in found["line"] and " qu" in found["line"] and found["word"] == {"thi"}


@pytest.mark.parametrize("source", [
    pytest.param(r"(a)\1", id="back-reference"),
    pytest.param(r"x?", id="may-match-nothing"),
    pytest.param(r"(?:\s*)*done", id="empty-iteration"),
])
def test_unbounded_patterns_fall_back_to_the_plain_regex(source):
    rx = re.compile(source)
    scanner = Scanner(rx, build_after=0)
    assert scanner._trigger is None
    assert [m.span() for m in scanner.finditer("aa done x")] == [m.span() for m in rx.finditer("aa done x")]


def test_the_trigger_is_built_only_once_enough_text_has_been_scanned():
    """A 1-page check never pays the build; the answers are the same before and after it."""
    rx = re.compile(r"\b(?:deployed|configured)\b", re.IGNORECASE)
    scanner = Scanner(rx, build_after=100)
    text = "We deployed it and configured it. " * 2
    assert [m.span() for m in scanner.finditer(text)] == [m.span() for m in rx.finditer(text)]
    assert scanner._trigger is None
    scanner.search(text * 3)
    assert scanner._trigger is not None
    assert [m.span() for m in scanner.finditer(text)] == [m.span() for m in rx.finditer(text)]


@pytest.mark.parametrize(("source", "flags", "expected"), [
    pytest.param(r"\bpc:ar\b", re.IGNORECASE, set("pc:ar"), id="literals"),
    pytest.param(r"(?<!x)[A-C]\s?(?=y)", 0, set("abc") | {chr(c) for c in range(128) if chr(c).isspace()}, id="look-arounds-consume-nothing"),
    pytest.param(r"(?>\d+)-", 0, set("0123456789-"), id="atomic"),
])
def test_consumed(source, flags, expected):
    assert set(consumed(source, flags)) == expected


def test_consumed_of_a_back_reference_is_unknown():
    assert consumed(r"(a)\1", 0) is None


@pytest.mark.parametrize(("rx", "k"), _patterns())
def test_the_text_index_gives_the_positions_the_trigger_gives(rx, k):
    """A long text's word and line starts, found by prefix in the shared index, are where the trigger fires."""
    scanner = Scanner(rx, k, build_after=0)
    long_texts = [t for t in _texts() if len(t) >= INDEX_MIN_CHARS]
    assert long_texts
    for text in long_texts:
        assert list(scanner._candidates(scanner._trigger, text)) == list(_positions(scanner._trigger, text, k))


@pytest.mark.parametrize("kind", ["word", "line"])
def test_a_table_cut_from_the_longest_heads_is_the_table_scanned_for(kind):
    """Whichever table of a text is asked for first, the shorter heads' tables are the same."""
    for text in [t for t in _texts() if len(t) >= INDEX_MIN_CHARS][:40]:
        cut = _TextIndex(text)
        cut.table(kind, 4)
        for j in (1, 2, 3):
            assert cut.table(kind, j) == _TextIndex(text).table(kind, j)


def _scanned_table(text: str, kind: str, j: int) -> dict[str, tuple[int, ...]]:
    """A text's table as the regex of its heads finds them (group 1: the first j characters of every word or
    line of the case-folded text), the definition the index is held to."""
    heads = re.compile(rf"\b(?=(\w.{{0,{j - 1}}}))" if kind == "word" else rf"^(?=(.{{0,{j}}}))",
                       re.DOTALL | (re.MULTILINE if kind == "line" else 0))
    out: dict[str, list[int]] = {}
    for m in heads.finditer(_TextIndex(text).folded):
        out.setdefault(m.group(1), []).append(m.start())
    return {head: tuple(places) for head, places in out.items()}


@pytest.mark.parametrize("kind", ["word", "line"])
def test_a_table_holds_the_heads_of_every_word_or_line(kind):
    for text in _texts()[:80]:
        index = _TextIndex(text)
        for j in (4, 2, 3):
            assert index.table(kind, j) == _scanned_table(text, kind, j)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9_ \n\t.-é\u00a0ſ\u212a", max_size=60), st.sampled_from(["word", "line"]),
       st.integers(1, 4))
def test_a_table_holds_the_heads_of_any_text(text, kind, j):
    assert _TextIndex(text).table(kind, j) == _scanned_table(text, kind, j)


def test_the_garbage_collector_stops_following_a_text_index():
    """An index's tables hold tuples of offsets: after one collection the collector no longer walks them (a
    cache of indexes would otherwise add hundreds of objects per text to every full collection)."""
    index = _TextIndex(next(t for t in _texts() if len(t) >= INDEX_MIN_CHARS))
    tables = [index.table(kind, j) for kind in ("word", "line") for j in (3, 4)]
    gc.collect()
    assert tables[0] and not any(gc.is_tracked(places) for table in tables for places in table.values())


def test_most_vocabularies_use_the_index():
    used = [Scanner(p.values[0], p.values[1], build_after=0)._keys is not None for p in _patterns()]
    assert sum(used) >= len(used) - 3


def _split_patterns() -> list:
    """The vocabularies big enough to be split (the activities lists, the marketing copy, ...)."""
    out = [p for p in _patterns() if _Split.build(p.values[0]) is not None]
    assert len(out) >= 3
    return out


def _same(m, want) -> bool:
    return (m is None and want is None) or (m is not None and want is not None and m.regs == want.regs
                                            and m.lastgroup == want.lastgroup)


@pytest.mark.parametrize(("rx", "k"), _split_patterns())
def test_a_split_tries_every_alternative_that_matches_at_a_position(rx, k):
    """At every position of the dev letters (as written, upper-cased, accented), the alternatives picked by the
    first two letters match as the whole pattern does: same span, groups and rule (lastgroup)."""
    split = _Split.build(rx)
    for text in _texts()[:12]:
        folded = text.translate(str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)}))
        for p in range(len(text) - 1):
            key = folded[p:p + 2]
            if key.isascii():
                sub = split.sub(key)
                assert _same(sub.match(text, p) if sub else None, rx.match(text, p)), (text[p:p + 40], p)


@cache
def _built(rx: re.Pattern[str], k: int) -> Scanner:
    return Scanner(rx, k, build_after=0)


@cache
def _words(source: str) -> tuple[str, ...]:
    """The literal words written in a pattern (its phrases, in every language)."""
    return tuple(sorted(set(re.findall(r"(?<![\\(?])[^\W\d_]{3,}", source))))


@pytest.mark.parametrize(("rx", "k"), _split_patterns())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_split_scanner_finds_the_patterns_own_phrases_as_the_regex_does(rx, k, data):
    """Texts made of the pattern's own words (any case, joined by spaces, line breaks, hyphens or stops) and of
    the words of a dev letter: the Scanner, its split built, finds exactly the matches of the regex."""
    words = list(_words(rx.pattern)) + _texts()[0].split()[:200]
    picked = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=60))
    seps = data.draw(st.lists(st.sampled_from([" ", "  ", "\n", "-", ". ", ", ", " é "]), min_size=len(picked),
                              max_size=len(picked)))
    case = data.draw(st.sampled_from([str, str.upper, str.title, str.lower]))
    text = case("".join(w + s for w, s in zip(picked, seps)))
    scanner = _built(rx, k)
    assert scanner._split is not None
    got = [(m.regs, m.lastgroup) for m in scanner.finditer(text)]
    assert got == [(m.regs, m.lastgroup) for m in rx.finditer(text)]
    assert _same(scanner.search(text), rx.search(text))


@pytest.mark.parametrize(("rx", "k"), _patterns())
def test_a_span_search_finds_what_the_regex_finds_in_the_slice(rx, k):
    """Every sentence and line of the dev letters, and the slices cut mid-word around them: the same first
    match (span, groups, rule) as the regex's search of the slice."""
    scanner = _built(rx, k)
    for text in _texts():
        spans = [*sentences(text), *((s + 1, e - 1) for s, e in sentences(text) if e - s > 2),
                 *((m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)), (0, len(text)), (3, len(text) - 3)]
        for s, e in spans:
            assert _same(scanner.search_span(text, s, e), rx.search(text[s:e])), (text[s:e][:60], s, e)


@pytest.mark.parametrize(("rx", "k"), _split_patterns())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_span_search_in_the_patterns_own_phrases_is_the_regex_search_of_the_slice(rx, k, data):
    """Texts made of the pattern's own words, cut anywhere (mid-word, before an accented letter): the span
    search finds the regex's first match in the slice."""
    words = list(_words(rx.pattern)) + _texts()[0].split()[:200]
    picked = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=60))
    seps = data.draw(st.lists(st.sampled_from([" ", "\n", "-", ". ", " é "]), min_size=len(picked),
                              max_size=len(picked)))
    text = data.draw(st.sampled_from([str, str.upper, str.lower]))("".join(w + s for w, s in zip(picked, seps)))
    scanner = _built(rx, k)
    for _ in range(10):
        s = data.draw(st.integers(0, len(text)))
        e = data.draw(st.integers(s, len(text)))
        assert _same(scanner.search_span(text, s, e), rx.search(text[s:e])), (text[s:e][:60], s, e)


def test_a_pattern_gets_the_same_scanner_each_time_and_equal_patterns_share_one():
    rx = re.compile(r"\bscanner\s+look-?up\b", re.IGNORECASE)
    re.purge()
    equal = re.compile(r"\bscanner\s+look-?up\b", re.IGNORECASE)
    assert equal is not rx and equal == rx
    assert scanner(rx) is scanner(rx) is scanner(equal)
    assert scanner(rx, 4) is not scanner(rx) and scanner(rx, 4).k == 4


def test_patterns_made_afresh_on_every_call_get_their_own_pattern_s_scanner():
    """The look-up by object keeps at most 256 patterns: made afresh, each is still scanned as itself."""
    made = [re.compile(rf"\bword{i}\b") for i in range(300)]
    for rx in made + made[:5]:
        assert scanner(rx).pattern == rx


def _assert_index_is_scanned_one(text: str) -> None:
    """Each table of the index `text` gets (made from another text's, when it was noted as an edit of one) is the
    one the heads regex finds, and its word and line starts are where words and lines begin."""
    index = _TextIndex(text)
    assert index._like() is not None  # made from the text it was noted as an edit of
    folded = index.folded
    assert index.starts("word") == tuple(m.start() for m in re.finditer(r"\w+", folded))
    assert index.starts("line") == (0, *(m.end() for m in re.finditer("\n", folded)))
    for kind, j in (("word", 3), ("word", 4), ("line", 3), ("word", 1)):
        assert index.table(kind, j) == _scanned_table(text, kind, j), (kind, j)


def _claims() -> list[Claim]:
    return [Claim.model_validate_json(path.read_text()) for path in sorted((DEV.parent / "claims").glob("*.json"))[:12]]


def test_an_index_made_from_the_text_a_folded_or_masked_text_was_edited_from_is_the_scanned_one():
    """fold() and the masks of part_activities note their text as an edit of the one they were made from; the
    index of the folded or masked text, made from that text's tables, is the one a scan of it gives."""
    from checks.findings.activities import _masked  # reason: the masked texts whose indexes are made so

    names = [((c.partner.name, *c.partner.aliases), (c.customer.name, *c.customer.aliases)) for c in _claims()]
    edits = 0
    for raw in [t for t in _texts() if len(t) >= INDEX_MIN_CHARS]:
        raw += "\n\f"  # texts not seen before in this process
        folded = fold(raw)
        steps = [(raw, folded)] + [(folded, _masked(folded, partner, customer)) for partner, customer in names]
        for base, text in steps:
            if text == base:
                continue
            for kind, j in (("word", 3), ("word", 4), ("line", 3), ("word", 1)):
                _index(base).table(kind, j)  # the tables are moved from those the text they come from has
            _assert_index_is_scanned_one(text)
            edits += 1
    assert edits > 40


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ9_ \n\t.-é\u00a0ſ\u212a", min_size=1, max_size=60),
       st.lists(st.tuples(st.integers(0, 59), st.sampled_from("aZ9_ \n.-éſ")), max_size=8))
def test_an_index_made_from_an_edited_text_s_is_the_scanned_one(base, changes):
    """Any text with any characters replaced in place: the index made from the original's is the scanned one."""
    from checks import fastscan  # reason: short texts are noted as edits too once the threshold is 0

    chars = list(base)
    changed = [p for p, _ in changes if p < len(chars)]
    for p, ch in changes:
        if p < len(chars):
            chars[p] = ch
    text = "".join(chars)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastscan, "INDEX_MIN_CHARS", 0)
        fastscan.edited(text, base, changed)
        for kind, j in (("word", 3), ("word", 4), ("line", 3), ("word", 1)):
            _index(base).table(kind, j)
        if text in fastscan._EDITS:
            _assert_index_is_scanned_one(text)


def _cue_patterns() -> list:
    """The cues searched in the few words before each activity (through their Scanners)."""
    from checks.findings.activities import _SCANNED_CUES  # reason: the cues part_activities scans so

    return [pytest.param(_cues()[cue], 3, id=f"cue:{cue}") for cue in _SCANNED_CUES]


@pytest.mark.parametrize(("rx", "k"), _patterns() + _cue_patterns())
def test_a_short_text_is_searched_as_the_regex_searches_it(rx, k):
    """Every sentence of the dev letters (as written, upper-cased, accented), its last 90, 60 and 40 characters
    and its first 60, as the activities' cues search them: the Scanner's first match is the regex's."""
    scanner = _built(rx, k)
    for text in _texts()[:60]:
        for s, e in sentences(text):
            sentence = text[s:e]
            for piece in (sentence, sentence[-90:], sentence[-60:], sentence[-40:], sentence[:60]):
                assert _same(scanner.search(piece), rx.search(piece)), piece


_SHORT = re.compile(r"aab|ab\.|\bba\b|\n?b{3}", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aAbB .\n", max_size=40))
def test_a_short_text_search_tries_every_place_the_trigger_fires_at(text):
    """Matches that may start anywhere, at a word start or a line's: overlapping places, the first match after
    places that fail."""
    assert _same(_built(_SHORT, 3).search(text), _SHORT.search(text))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZq9 \n.•·’–Ééİıſ\u212aßẞΣς", max_size=40))
def test_a_folded_text_has_only_its_ascii_letters_lower_cased(text):
    """Whichever way it is made (str.lower when no non-ASCII letter would change, else translate)."""
    from checks.fastscan import _folded  # reason: the folding every index and trigger reads

    want = text.translate(str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)}))
    assert _folded(text) == (want, tuple(i for i, ch in enumerate(text) if ord(ch) > 127))


def test_the_dev_letters_fold_as_translate_folds_them():
    from checks.fastscan import _folded  # reason: the folding every index and trigger reads

    table = str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)})
    for text in _texts():
        assert _folded(text)[0] == text.translate(table)
