"""Prototype (issue 12, "spaCy where it pays"): the rulebook's vocabularies matched in one spaCy pass.

One `spacy.blank("en")` pipeline per process, built on first use (`build_matcher`); its tokenizer also
splits French/Italian elisions ("d'installation") and a hyphen before a digit ("CSP-2024"), where the
regexes see word boundaries. A text becomes one Doc: spaCy's tokens without the whitespace tokens (a phrase
may wrap across lines), a trailing hyphen split off its word, and a vocabulary word hyphenated across a line
break joined again ("de-\\nployed" -> "deployed"); each line starts a sentence, so `IS_SENT_START` plays
the regexes' `^` (MULTILINE).

What is matched, with the rule key "vocabulary:rule id" standing behind every match id:
- phrases (`terms` of the rule files, workload names and aliases) in a `PhraseMatcher(attr="LOWER")`, each
  with its hyphen/space spellings, as `textutil.phrase_pattern` allows; workload acronyms (MDE, MCAS) in a
  `PhraseMatcher(attr="ORTH")` (case-sensitive, as `workload_match` reads them);
- rules written as regexes, translated from the regex itself (`_Translator`), one top-level alternative at
  a time: a finite language becomes phrases; `(?:\\w+\\s+){m,n}` gaps, a line start and an open last
  word (a stem) become `Matcher` token patterns; a final look-ahead becomes context that is not part of
  the hit, a final negative look-ahead a veto. An alternative that does not translate may have a hand
  translation in `TOKEN_PATTERNS`; otherwise it stays a regex (`untranslated`), run with `regex_fallback`.
Placeholders of generic.yaml and the cue regexes stay regexes: they are character-level or anchored to the
text around a hit, not vocabularies. Fuzzy (OCR-slip) workload names of `textutil.find_name` have no
counterpart here.

Overlaps are resolved as the regexes resolve them: a vocabulary compiled into one alternation (the
activities) keeps the leftmost hit, the earlier rule winning at one start; other rules are scanned each on
its own.
"""
from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from re import _constants as C
from re import _parser as sre
from typing import TYPE_CHECKING

from checks.rulebook import RULES_DIR, RuleFileError, workloads
from checks.textutil import fold, rule_file

if TYPE_CHECKING:
    from spacy.matcher import Matcher

#: vocabulary -> (rule file, sections, overlap mode, regex flags). "first": one alternation, leftmost hit
#: wins, earlier rule first at one start (findings.activities); "each": every rule scanned on its own.
VOCABULARIES: dict[str, tuple[str, tuple[str, ...], str, int]] = {
    "activities.applicable": ("activities.yaml", ("applicable", "applicable_nouns"), "first", re.IGNORECASE),
    "activities.non_applicable": ("activities.yaml", ("non_applicable",), "first", re.IGNORECASE),
    "workloads": ("workloads.yaml", (), "each", 0),
    "generic.marketing": ("generic.yaml", ("marketing",), "each", re.IGNORECASE),
    "licensing.document_types": ("licensing.yaml", ("document_types",), "each", re.IGNORECASE | re.MULTILINE),
    "licensing.terms": ("licensing.yaml", ("terms",), "each", re.IGNORECASE),
    "eligibility.excluded": ("eligibility.yaml", ("excluded",), "each", re.IGNORECASE),
}
#: Rules whose regexes are case-sensitive (customer_eligibility: 'DoD' is an acronym, 'dod' is not).
CASED = frozenset({"eligibility.excluded:dod"})

#: Hand translations, by the regex they stand for, in the notation of `_token` (one string per pattern).
TOKEN_PATTERNS: dict[str, tuple[str, ...]] = {
    r"\bretired\b(?=\s+(?:\d[\d,]*\s+)?(?:legacy|old|the|obsolete|\d))": (
        "retired > ?~\\d[\\d,]* legacy|old|the|obsolete", "retired > ~\\d.*"),
    r"\bquot(?:ation|e)\s*(?:no\.?|number|#|ref(?:erence)?|id)?\s*[:#]?\s*[A-Z]{0,4}-?\d": (
        "quotation|quote ?no|number|=#|ref|reference|id ?. ?:|=# ~[a-z]{0,4}\\d.*",
        "quotation|quote ?no|number|=#|ref|reference|id ?. ?:|=# ~[a-z]{1,4} - ~\\d.*",
        "quotation|quote ~(?:no\\.?|#)[a-z]{0,4}-?\\d.*", "~quot(?:ation|e)#?[a-z]{0,4}-?\\d.*"),
    r"[$€£]\s?\d[\d,]*(?:\.\d\d)?": ("$|€|£|us$ ~\\d.*",),
    r"\b\d+-month\s+term\b": ("~\\d+ - month term",),
    r"\b\d+[\s-]day\s+trial\b": ("~\\d+ ?- day trial",),
    r"\b(?:non-?profit|not-for-profit|charit(?:y|able))\s+(?:\w+\s+){0,2}(?:grants?|donat\w*|licen[cs]es?|offers?"
    r"|pricing|discount|subscriptions?|tenant|plan)\b": tuple(
        f"{head} {{0,2}}_ ~(?:grants?|donat\\w*|licen[cs]es?|offers?|pricing|discount|subscriptions?|tenant|plan)"
        for head in ("nonprofit|charity|charitable", "non - profit", "not - for - profit")),
}

_ACRONYM = re.compile(r"^[A-Z0-9]{2,5}$")
_QUANT = re.compile(r"^(\{\d*,\d*\}|[?*+])")
#: A token pattern with at most this many spellings goes to a PhraseMatcher (a hash look-up per token)
#: instead of the Matcher (whose cost grows with its number of patterns at every token).
MAX_SPELLINGS = 512
_MAX_PATTERNS = 64


@dataclass(frozen=True)
class _Meta:
    rule_key: str
    priority: int
    head: int | None = None   # tokens of the hit (the rest is look-ahead context); None: the whole match
    veto: bool = False
    bounded: bool = False     # no letter, digit or hyphen may touch the hit (workload acronyms)


@dataclass
class _Unit:
    """One translated pattern: token dicts, and whether it is look-ahead context (head) or a veto."""

    tokens: list[dict]
    head: int | None = None
    veto: bool = False


# ---- the hand notation ----------------------------------------------------------------------------------

def _token(spec: str) -> dict:
    """One token pattern from its notation.

    Optional quantifier first (`?`, `*`, `+`, `{m,n}`), then `^` (first token of a line), then the body:
    `_` any non-punctuation token, `#num` a number, `~regex` lower-case text matching the regex, `=A|B`
    the exact text (case-sensitive), else `a|b` the lower-case text.
    """
    op = None
    m = _QUANT.match(spec)
    if m and len(spec) > len(m.group()):
        op, spec = m.group(), spec[m.end():]
    tok: dict = {}
    if spec.startswith("^") and len(spec) > 1:
        tok["IS_SENT_START"] = True
        spec = spec[1:]
    if spec == "_":
        tok["IS_PUNCT"] = False
    elif spec == "#num":
        tok["LIKE_NUM"] = True
    elif spec.startswith("~"):
        tok["LOWER"] = {"REGEX": f"^(?:{spec[1:]})$"}
    elif spec.startswith("=") and len(spec) > 1:
        alts = spec[1:].split("|")
        tok["ORTH"] = alts[0] if len(alts) == 1 else {"IN": alts}
    else:
        alts = spec.split("|")
        tok["LOWER"] = alts[0] if len(alts) == 1 else {"IN": alts}
    if op:
        tok["OP"] = op
    return tok


def _parse_spec(spec: str) -> _Unit:
    """A pattern of the notation: tokens separated by spaces, `>` before look-ahead context, `!` first for a veto."""
    words = spec.lstrip("!").split()
    head = words.index(">") if ">" in words else None
    return _Unit([_token(w) for w in words if w != ">"], head, spec.startswith("!"))


# ---- translating a regex ---------------------------------------------------------------------------------

class _Untranslatable(Exception):
    pass


_SEP = frozenset({" ", "-", ""})


#: `[^\S\n]`: whitespace other than a line break (a line-start title's leading spaces), one space as a token gap.
_HORIZONTAL_SPACE = [(C.NEGATE, None), (C.CATEGORY, C.CATEGORY_NOT_SPACE), (C.LITERAL, 10)]


def _class(items: list) -> set[str]:
    if list(items) == _HORIZONTAL_SPACE:
        return {" "}
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < 4:
            out.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is C.CATEGORY and av is C.CATEGORY_SPACE:
            out.add(" ")
        else:
            raise _Untranslatable(f"character class {op} {av}")
    return out


def _strings(items: Iterable) -> set[str]:
    """Every string a finite regex matches, whitespace runs written as one space."""
    out = {""}
    for op, av in items:
        if op is C.AT and av is C.AT_BOUNDARY:
            continue
        if op is C.LITERAL:
            alts = {chr(av)}
        elif op is C.IN:
            alts = _class(av)
        elif op is C.BRANCH:
            alts = set().union(*(_strings(b) for b in av[1]))
        elif op is C.SUBPATTERN and not av[1] and not av[2]:
            alts = _strings(av[3])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            one = _strings(sub)
            if one <= _SEP:  # a run of spaces/hyphens: tokenised the same whatever its length
                alts = one | ({""} if lo == 0 else set())
            elif hi > 3:
                raise _Untranslatable("unbounded repeat")
            else:
                alts = {"".join(p) for k in range(lo, hi + 1) for p in itertools.product(one, repeat=k)}
        else:
            raise _Untranslatable(f"{op}")
        out = {a + b for a in out for b in alts}
        if len(out) > MAX_SPELLINGS:
            raise _Untranslatable("too many spellings")
    return out


def _branches(regex: str) -> list[str]:
    """The top-level alternatives of a regex ('a|b(c|d)' -> ['a', 'b(c|d)'])."""
    out, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 1
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            j = i + 1 + (regex[i + 1:i + 2] == "^")
            if regex[j:j + 1] == "]":  # a ']' first in a class is a literal
                i = j
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(regex[start:i])
            start = i + 1
        i += 1
    return [*out, regex[start:]]


def _gap(av) -> tuple[int, int] | None:
    """(min, max) of a `(?:\\w+\\s+){m,n}` word gap, else None."""
    lo, hi, sub = av
    sub = list(sub)
    if len(sub) != 2 or hi > 12 or any(op not in (C.MAX_REPEAT, C.MIN_REPEAT) for op, _ in sub):
        return None
    (_, (wlo, _w, word)), (_, (slo, _s, space)) = sub
    word, space = list(word), list(space)
    if wlo < 1 or slo < 1 or len(word) != 1 or len(space) != 1 or word[0][0] is not C.IN or space[0][0] is not C.IN:
        return None
    if _class_is_space(space[0][1]) and any(op is C.CATEGORY and a is C.CATEGORY_WORD or op is C.NEGATE
                                            for op, a in word[0][1]):
        return lo, hi
    return None


def _word_run(item: tuple) -> int | None:
    """The minimum of a `\\w*`/`\\w+` item, else None."""
    op, av = item
    if op is C.MAX_REPEAT and av[1] is C.MAXREPEAT and list(av[2]) == [(C.IN, [(C.CATEGORY, C.CATEGORY_WORD)])]:
        return av[0]
    return None


def _class_is_space(items) -> bool:
    return list(items) in ([(C.CATEGORY, C.CATEGORY_SPACE)], _HORIZONTAL_SPACE)


def _pieces(items: list) -> list[tuple]:
    """The regex as pieces: ("line",), ("seg", strings, suffix), ("gap", m, n), ("look", positive, pieces);
    a segment's suffix is None when it ends a word, else the regex of what may follow its last word."""
    pieces: list[tuple] = []
    buf: list = []

    def flush(last: bool) -> None:
        if not buf:
            return
        bounded = buf[-1] == (C.AT, C.AT_BOUNDARY)
        while buf and buf[-1] == (C.AT, C.AT_BOUNDARY):
            buf.pop()
        suffix = None
        if buf and (lo := _word_run(buf[-1])) is not None:  # 'configura[çc]\w*': a stem, any ending
            buf.pop()
            suffix = r"\w" if lo else ""
        strings = _strings(buf)
        if suffix is None and not bounded and any(s[-1:].isalnum() for s in strings):
            suffix = ""  # the regex stops inside a word
        if suffix is not None and not last:
            raise _Untranslatable("a word open at its end before a gap")
        pieces.append(("seg", strings, suffix))
        buf.clear()

    for i, (op, av) in enumerate(items):
        if op is C.AT and av is C.AT_BEGINNING and not pieces and not buf:
            pieces.append(("line",))
        elif op in (C.ASSERT, C.ASSERT_NOT) and av[0] == 1 and i == len(items) - 1:
            flush(last=True)
            pieces.append(("look", op is C.ASSERT, _pieces(list(av[1]))))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and (gap := _gap(av)):
            flush(last=False)
            pieces.append(("gap", *gap))
        else:
            buf.append((op, av))
    flush(last=True)
    return pieces


def _compress(seqs: set[tuple[str, ...]]) -> list[list[set[str]]]:
    """Token sequences as few per-position alternative sets as possible (each set product is exact)."""
    out = []
    by_len: dict[int, set[tuple[str, ...]]] = {}
    for s in seqs:
        by_len.setdefault(len(s), set()).add(s)
    pending = list(by_len.values())
    while pending:
        group = pending.pop()
        sets = [{s[i] for s in group} for i in range(len(next(iter(group))))]
        if math.prod(map(len, sets)) == len(group):
            out.append(sets)
            continue
        i = next(i for i, s in enumerate(sets) if len(s) > 1)
        pending += [{s for s in group if s[i] == v} for v in sets[i]]
    return out


class _Translator:
    def __init__(self, words) -> None:
        self.words = words  # text -> its tokens, as the Doc will have them

    def units(self, regex: str, *, cased: bool) -> list[_Unit]:
        """The token patterns of a regex; raises _Untranslatable."""
        try:
            items = list(sre.parse(regex).data)
        except re.error as exc:
            raise _Untranslatable(str(exc)) from exc
        return self._units(_pieces(items), cased)

    def _alternatives(self, piece: tuple, cased: bool, line: bool) -> list[list[dict]]:
        attr = "ORTH" if cased else "LOWER"
        _, strings, suffix = piece
        seqs = {tuple(w if cased else w.lower() for w in self.words(s)) for s in strings}
        if seqs == {()}:
            return [[]]  # only spaces: a token boundary
        if () in seqs:
            raise _Untranslatable("an optional segment")
        out = []
        for sets in _compress(seqs):
            toks = [{attr: next(iter(s)) if len(s) == 1 else {"IN": sorted(s)}} for s in sets]
            if suffix is not None:  # the regex ends inside a word: its last word is a stem
                stems = "|".join(map(re.escape, sorted(sets[-1])))
                toks[-1] = {attr: {"REGEX": f"^(?:{stems}){suffix}"}}
            if line:
                toks[0]["IS_SENT_START"] = True
            out.append(toks)
        return out

    def _sequences(self, pieces: list[tuple], cased: bool) -> list[list[dict]]:
        """Token patterns for pieces without look-arounds (the product of each segment's alternatives)."""
        parts: list[list[list[dict]]] = []
        line = False
        for piece in pieces:
            if piece[0] == "line":
                line = True
            elif piece[0] == "gap":
                parts.append([[{"IS_PUNCT": False, "OP": f"{{{piece[1]},{piece[2]}}}"}]])
            elif piece[0] == "seg":
                parts.append(self._alternatives(piece, cased, line and not any(p != [[]] for p in parts)))
            else:
                raise _Untranslatable("look-around not at the end")
        combos = list(itertools.product(*parts))
        if len(combos) > _MAX_PATTERNS:
            raise _Untranslatable("too many token patterns")
        out = [[t for part in combo for t in part] for combo in combos]
        if not all(out):
            raise _Untranslatable("no tokens")
        return out

    def _units(self, pieces: list[tuple], cased: bool) -> list[_Unit]:
        look = pieces[-1] if pieces and pieces[-1][0] == "look" else None
        heads = self._sequences(pieces[:-1] if look else pieces, cased)
        if look is None:
            return [_Unit(h) for h in heads]
        if any("OP" in t for h in heads for t in h):
            raise _Untranslatable("a gap before a look-ahead")
        context = self._sequences(look[2], cased)
        if look[1]:
            return [_Unit(h + c, head=len(h)) for h in heads for c in context]
        return [_Unit(h) for h in heads] + [_Unit(h + c, veto=True) for h in heads for c in context]


def _anchor(token: dict, vocab) -> frozenset[str] | Callable[[str], bool] | None:
    """What a pattern's first token needs of the lower-case word: the words it may be, or a test of the
    word (a regex, a number); None when that depends on more than the word (a quantifier, exact case)."""
    if "OP" in token or set(token) - {"LOWER", "LIKE_NUM", "IS_SENT_START"} or len(token) - ("IS_SENT_START" in token) != 1:
        return None
    if token.get("LIKE_NUM") is True:
        return lambda word: vocab[word].like_num
    value = token["LOWER"]
    if isinstance(value, str):
        return frozenset([value])
    if set(value) == {"IN"}:
        return frozenset(value["IN"])
    if set(value) == {"REGEX"}:
        return re.compile(value["REGEX"]).search
    return None


def _width(tokens: list[dict]) -> int:
    """The most tokens a pattern can span."""
    width = 0
    for t in tokens:
        op = t.get("OP")
        if op in ("*", "+"):
            return 1000
        width += int(op[1:-1].split(",")[1] or 1000) if op and op.startswith("{") else 1
    return width


def _literal(unit: _Unit) -> tuple[str, list[tuple[str, ...]]] | None:
    """(attribute, every word sequence) of a pattern of literal words only (some optional), else None."""
    tokens = unit.tokens
    keys = [set(t) - {"OP"} for t in tokens]
    if any(len(k) != 1 for k in keys) or len({next(iter(k)) for k in keys}) != 1:
        return None
    attr = next(iter(keys[0]))
    if attr not in ("LOWER", "ORTH"):
        return None
    choices: list[list[str | None]] = []
    for i, t in enumerate(tokens):
        value, op = t[attr], t.get("OP")
        if op not in (None, "?") or (op and unit.head is not None and i < unit.head):
            return None
        if isinstance(value, dict) and set(value) != {"IN"}:
            return None
        alts: list[str | None] = list(value["IN"]) if isinstance(value, dict) else [value]
        choices.append([*alts, None] if op == "?" else alts)
    spellings = {tuple(w for w in combo if w is not None) for combo in itertools.product(*choices)}
    spellings.discard(())
    return (attr, sorted(spellings)) if 0 < len(spellings) <= MAX_SPELLINGS else None


def _variants(phrase: str) -> Iterator[str]:
    """A phrase with each gap between its words written as a space or a hyphen (phrase_pattern's [\\s-]+)."""
    words = [w for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    for seps in itertools.product((" ", "-"), repeat=len(words) - 1):
        yield words[0] + "".join(s + w for s, w in zip(seps, words[1:], strict=True))


# ---- the rules -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VocabRule:
    """One rule of a vocabulary: its key, phrases and regexes, as in the rule file."""

    key: str
    priority: int
    terms: tuple[str, ...]
    patterns: tuple[str, ...]
    flags: int
    acronyms: tuple[str, ...] = ()


def vocabulary_rules() -> list[VocabRule]:
    """Every rule of every vocabulary, from the rule files (workloads: names and acronym aliases)."""
    out = []
    for vocab, (file, sections, _mode, flags) in VOCABULARIES.items():
        if vocab == "workloads":
            for priority, (wid, wl) in enumerate(workloads().items()):
                out.append(VocabRule(f"workloads:workload_{wid}", priority,
                                     tuple(n for n in wl.names if not _ACRONYM.match(n)), (), 0,
                                     tuple(n for n in wl.names if _ACRONYM.match(n))))
            continue
        priority = 0
        for section in sections:
            items = rule_file(file).get(section)
            if not isinstance(items, list):
                raise RuleFileError(f"{RULES_DIR / file}: missing '{section}'")
            for item in items:
                key = f"{vocab}:{item['id']}"
                out.append(VocabRule(key, priority, tuple(str(t) for t in item.get("terms") or ()),
                                     tuple(str(p) for p in item.get("patterns") or ()),
                                     0 if key in CASED else flags))
                priority += 1
    return out


# ---- the matcher -----------------------------------------------------------------------------------------

@dataclass
class Coverage:
    """How each vocabulary's regexes were carried over (counts of patterns)."""

    translated: dict[str, int] = field(default_factory=dict)
    by_hand: dict[str, int] = field(default_factory=dict)
    partly: dict[str, int] = field(default_factory=dict)  # some top-level alternatives stay a regex
    untranslated: dict[str, int] = field(default_factory=dict)


class VocabMatcher:
    """The pipeline, its matchers, and what each match key stands for."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("en")
        self.base_tokenizer = _tokenizer(self.nlp)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.cased = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        #: Matchers of token patterns, grouped by what their first token needs, each with the most tokens its
        #: patterns span: a group runs only on the window after a word that can start it (a Matcher costs
        #: about its number of patterns at every token, and most tokens start none).
        self.anchored: list[tuple[Matcher, int]] = []
        self._groups: dict[object, int] = {}
        self._exact: dict[str, list[int]] = {}                     # word -> groups it starts
        self._tests: list[tuple[Callable[[str], bool], int]] = []  # (test of a word, group)
        self._groups_of: dict[str, tuple[int, ...]] = {}           # per-process cache of both
        self.tokens: Matcher | None = None                         # patterns no word can anchor
        self.meta: dict[int, _Meta] = {}
        self.modes: dict[str, str] = {}
        self.rules = vocabulary_rules()
        #: rule key -> regexes not carried over (run as regexes with `regex_fallback`)
        self.untranslated: dict[str, tuple[re.Pattern[str], ...]] = {}
        self.coverage = Coverage()
        self.lexicon: frozenset[str] = frozenset()  # words of the patterns, known once all are added
        self._words_seen: set[str] = set()
        self._count = itertools.count()
        translator = _Translator(self._words)
        for rule in self.rules:
            self._add_rule(rule, translator)
        self.lexicon = frozenset(w for w in self._words_seen if len(w) >= 4 and w.isalpha())
        self.fallback = self._fallback()

    def _add_rule(self, rule: VocabRule, translator: _Translator) -> None:
        """A rule's phrases, acronyms and regexes (translated, by hand, or left as regexes)."""
        vocab = rule.key.split(":", 1)[0]
        self.modes[rule.key] = VOCABULARIES[vocab][2]
        cov = self.coverage
        for counter in (cov.translated, cov.by_hand, cov.partly, cov.untranslated):
            counter.setdefault(vocab, 0)
        if rule.terms:
            words = {tuple(t.text.lower() for t in self.make_doc(v)) for term in rule.terms for v in _variants(term)}
            self._add_phrases(rule, "LOWER", sorted(w for w in words if w), _Unit([]))
        for acronym in rule.acronyms:
            self._add(rule, _Unit([{"ORTH": acronym}]), bounded=True)
        left = []
        for regex in rule.patterns:
            if regex in TOKEN_PATTERNS:
                units = [_parse_spec(s) for s in TOKEN_PATTERNS[regex]]
                cov.by_hand[vocab] += 1
            else:  # each top-level alternative on its own; those that do not translate stay a regex
                units, rest = [], []
                for branch in _branches(regex):
                    try:
                        units += translator.units(branch, cased=not rule.flags & re.IGNORECASE)
                    except _Untranslatable:
                        rest.append(branch)
                if rest:
                    left.append("|".join(rest))
                counter = cov.untranslated if not units else cov.partly if rest else cov.translated
                counter[vocab] += 1
            for unit in units:
                self._add(rule, unit)
        if left:
            self.untranslated[rule.key] = tuple(re.compile(p, rule.flags) for p in left)

    def _add(self, rule: VocabRule, unit: _Unit, *, bounded: bool = False) -> None:
        """One pattern: to a PhraseMatcher when it is literal words only, else to an anchored Matcher."""
        literal = _literal(unit)
        if literal is not None:
            self._add_phrases(rule, *literal, unit, bounded=bounded)
            return
        from spacy.matcher import Matcher

        key = self._key(rule, unit, bounded)
        for t in unit.tokens:
            value = t.get("LOWER")
            self._words_seen.update([value] if isinstance(value, str) else value.get("IN", []) if value else [])
        first = _anchor(unit.tokens[0], self.nlp.vocab)
        if first is None:
            self.tokens = self.tokens or Matcher(self.nlp.vocab, validate=True)
            self.tokens.add(key, [unit.tokens])
            return
        sig = first if isinstance(first, frozenset) else repr(unit.tokens[0])
        if sig not in self._groups:
            g = self._groups[sig] = len(self.anchored)
            self.anchored.append((Matcher(self.nlp.vocab, validate=True), 0))
            if isinstance(first, frozenset):
                for w in first:
                    self._exact.setdefault(w, []).append(g)
            else:
                self._tests.append((first, g))
        g = self._groups[sig]
        matcher, width = self.anchored[g]
        matcher.add(key, [unit.tokens])
        self.anchored[g] = (matcher, max(width, _width(unit.tokens)))

    def _add_phrases(self, rule: VocabRule, attr: str, spellings: list[tuple[str, ...]], unit: _Unit, *,
                     bounded: bool = False) -> None:
        from spacy.tokens import Doc

        key = self._key(rule, unit, bounded)
        self._words_seen.update(w.lower() for sp in spellings for w in sp)
        matcher = self.phrases if attr == "LOWER" else self.cased
        matcher.add(key, [Doc(self.nlp.vocab, words=list(sp)) for sp in spellings])

    def _key(self, rule: VocabRule, unit: _Unit, bounded: bool) -> str:
        """A new match key for one pattern of `rule`, and what its matches mean."""
        key = f"{rule.key}#{next(self._count)}"
        self.meta[self.nlp.vocab.strings[key]] = _Meta(rule.key, rule.priority, unit.head, unit.veto, bounded)
        return key

    def _fallback(self) -> list[tuple[re.Pattern[str], str, int]]:
        """(regex, rule key, priority) of every untranslated regex (one scan each: an alternation of them
        is slower, it loses the regex engine's literal-prefix search)."""
        prio = {r.key: r.priority for r in self.rules}
        return [(rx, key, prio[key]) for key, regexes in self.untranslated.items() for rx in regexes]

    def _words(self, text: str) -> list[str]:
        """The tokens of a spelling as they are inside a text (a leading hyphen follows a word there)."""
        if text[:1] == "-":
            return [t.text for t in self.make_doc("x" + text)][1:]
        return [t.text for t in self.make_doc(text)]

    def make_doc(self, text: str):
        """The Doc matched: spaCy's tokens without whitespace, hyphens split off, lines as sentences;
        `user_data["offsets"]` maps tokens into `text`. A word hyphenated at a line end is joined when
        the joined word is a vocabulary word and its second half is not ("de-\\nployed"; "end-\\nuser"
        stays "end - user", as "end-user communications" needs)."""
        from spacy.tokens import Doc

        words: list[str] = []
        offsets: list[tuple[int, int]] = []
        starts: list[bool] = []
        line_start = True
        toks = list(self.base_tokenizer(text))
        n, i = len(toks), 0
        while i < n:
            tok = toks[i]
            t = tok.text
            if tok.is_space:
                line_start = line_start or "\n" in t
                i += 1
                continue
            s = tok.idx
            if len(t) > 1 and t[-1] == "-":
                nxt = toks[i + 2] if i + 2 < n else None
                if (nxt is not None and toks[i + 1].text.count("\n") == 1 and nxt.text[:1].islower()
                        and (t[:-1] + nxt.text).lower() in self.lexicon and nxt.lower_ not in self.lexicon):
                    words.append(t[:-1] + nxt.text)
                    offsets.append((s, nxt.idx + len(nxt.text)))
                    starts.append(line_start)
                    line_start = False
                    i += 3
                    continue
                words += [t[:-1], "-"]
                offsets += [(s, s + len(t) - 1), (s + len(t) - 1, s + len(t))]
                starts += [line_start, False]
            else:
                words.append(t)
                offsets.append((s, s + len(t)))
                starts.append(line_start)
            line_start = False
            i += 1
        doc = Doc(self.nlp.vocab, words=words, sent_starts=starts)
        doc.user_data["offsets"] = offsets
        doc.user_data["lower"] = [w.lower() for w in words]
        return doc

    def _anchored(self, doc) -> Iterator[tuple[int, int, int]]:
        """Matches of the anchored token patterns: each group's Matcher on the window after its words."""
        n = len(doc)
        cache = self._groups_of
        for i, word in enumerate(doc.user_data["lower"]):
            groups = cache.get(word)
            if groups is None:
                if len(cache) > 500_000:
                    cache.clear()
                groups = cache[word] = (*self._exact.get(word, ()), *(g for test, g in self._tests if test(word)))
            for g in groups:
                matcher, width = self.anchored[g]
                for match_id, s, e in matcher(doc[i:min(n, i + width)]):
                    if s == 0:
                        yield match_id, i, i + e

    def match_doc(self, doc, text: str, *, regex_fallback: bool = False) -> list[tuple[str, int, int]]:
        """(rule key, start, end) in `text` of every hit in its Doc, overlaps resolved as the regexes do."""
        offsets = doc.user_data["offsets"]
        cands: list[tuple[int, int, int, str]] = []
        vetoes: set[tuple[str, int]] = set()
        found = itertools.chain(self.phrases(doc), self.cased(doc), self.tokens(doc) if self.tokens else (),
                                self._anchored(doc))
        for match_id, start, end in found:
            m = self.meta[match_id]
            s = offsets[start][0]
            if m.veto:
                vetoes.add((m.rule_key, s))
                continue
            e = offsets[start + m.head - 1][1] if m.head else offsets[end - 1][1]
            if m.bounded and not _bounded(text, s, e):
                continue
            cands.append((s, m.priority, s - e, m.rule_key))
        if regex_fallback:
            folded = fold(text)
            for rx, key, prio in self.fallback:
                cands += [(m.start(), prio, m.start() - m.end(), key) for m in rx.finditer(folded)]
        return _resolve([c for c in cands if (c[3], c[0]) not in vetoes], self.modes)

    def match_text(self, text: str, *, regex_fallback: bool = False) -> list[tuple[str, int, int]]:
        """(rule key, start, end) character offsets into `text` of every vocabulary hit, in one pass."""
        return self.match_doc(self.make_doc(fold(text)), text, regex_fallback=regex_fallback)


def _bounded(text: str, start: int, end: int) -> bool:
    """No word character or hyphen right before `start` or right after `end` (the acronyms' look-arounds)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "-_" or after.isalnum() or after in "-_")


def _resolve(cands: list[tuple[int, int, int, str]], modes: dict[str, str]) -> list[tuple[str, int, int]]:
    """Leftmost hits without overlap, per alternation group ('first': the earlier rule wins at one start,
    then the longest) or per rule ('each')."""
    groups: dict[str, list[tuple[int, int, int, str]]] = {}
    for c in cands:
        key = c[3]
        groups.setdefault(key.split(":", 1)[0] if modes[key] == "first" else key, []).append(c)
    out = []
    for group in groups.values():
        group.sort()
        pos = -1
        for start, _prio, neg_len, key in group:
            if start >= pos:
                out.append((key, start, start - neg_len))
                pos = start - neg_len
    return sorted(out, key=lambda h: (h[1], h[0]))


#: Elided articles and prepositions of the rulebook's French and Italian ("d'installation", "l'adozione")
#: and a hyphen before a digit ("CSP-2024-118", "Q-1234") split as the regexes' word boundaries split them.
_ELISION = r"(?i:[cdjlmnst]|qu|dell|dall|nell|sull|all|un)'"
_HYPHEN_DIGIT = r"(?<=[0-9A-Za-z])-(?=[0-9])"


def _tokenizer(nlp):
    """spaCy's English tokenizer with the rulebook's extra prefixes and infixes."""
    from spacy.util import compile_infix_regex, compile_prefix_regex

    tokenizer = nlp.tokenizer
    tokenizer.prefix_search = compile_prefix_regex([*nlp.Defaults.prefixes, _ELISION]).search
    tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, _HYPHEN_DIGIT]).finditer
    return tokenizer


@lru_cache(maxsize=1)
def build_matcher() -> VocabMatcher:
    """The process's matcher (the blank pipeline and every vocabulary), built on first use."""
    return VocabMatcher()


def match_text(text: str, *, regex_fallback: bool = False) -> list[tuple[str, int, int]]:
    """(rule key "vocabulary:rule id", start, end) of every vocabulary hit in `text`, in one spaCy pass;
    with `regex_fallback`, the regexes that have no token translation run too."""
    return build_matcher().match_text(text, regex_fallback=regex_fallback)

