"""Text helpers shared by the checks: OCR-tolerant folding, sentences, rule files of phrases, fuzzy names."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

from rapidfuzz import fuzz

from checks import patterncache
from checks.fastscan import edited
from checks.rulebook import RULES_DIR, RuleFileError, load_yaml

# Length-preserving substitutions: table borders, bullets and typographic quotes/dashes that OCR and
# PDF text layers produce. Offsets into the folded text equal offsets into the original.
_FOLD = str.maketrans({"|": " ", "¦": " ", "•": " ", "·": " ", "▪": " ", "●": " ", "◦": " ", "\u00a0": " ",
                       "’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                       "\u2010": "-", "\u2011": "-", "\t": " "})

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9À-ÖØ-ÞŒŠŽŸ•\-*])|\n\s*\n|\n(?=\s*(?:[•*·▪●◦]|-\s|\d+[.)]\s))|;\s")


#: A 0, 1 or 5 between letters, or after three lower-case letters at a word's end. The digit comes first, so
#: `re` skips to the digits of the text instead of trying the look-behinds at every character (7x faster).
_OCR_IN_WORD = re.compile(r"[015](?:(?<=[A-Za-z][015])(?=[A-Za-z])|(?<=[a-z]{3}[015])(?!\w))")
_OCR_LETTER = {"0": "o", "1": "l", "5": "s"}
#: The characters _FOLD replaces: a text has few of them, so replacing each where found is 4x faster than
#: str.translate (which looks up every character once the text is not ASCII).
_FOLD_CHAR = re.compile("[" + re.escape("".join(map(chr, _FOLD))) + "]")


@lru_cache(maxsize=512)
def fold(text: str) -> str:
    """The text with table borders, bullets and typographic punctuation made plain, and a digit OCR put
    between letters read as its letter ('c0nfigured'); the length is unchanged. Noted as an edit of `text`
    (fastscan.edited): the scanners' index of it is made from the text's."""
    changed: list[int] = []

    def plain(m: re.Match[str]) -> str:
        changed.append(m.start())
        return _FOLD[ord(m.group())]

    def letter(m: re.Match[str]) -> str:
        changed.append(m.start())
        return _OCR_LETTER[m.group()]

    folded = _OCR_IN_WORD.sub(letter, _FOLD_CHAR.sub(plain, text))
    if changed:
        edited(folded, text, changed)
    return folded


#: A day written as an ordinal ("3.", "14."), as German and Scandinavian dates write it before the month.
_DAY_ORDINAL = re.compile(r"(?<![\d.])\b[0-3]?\d\.$")


@cache
def _month_next() -> re.Pattern[str]:
    from checks.datefind import MONTH_PATTERN  # dateparser (datefind) only when a month is looked for

    return re.compile(rf"{MONTH_PATTERN}(?!\w)", re.IGNORECASE)


#: Longest span sentences() returns (the longest sentence of the corpora is about 2,000 characters). Text
#: without sentence ends (a table, a hostile repetition) is cut at line breaks or spaces, so the checks
#: that look at the sentence around each match stay linear in the text.
MAX_SENTENCE_CHARS = 2500


@lru_cache(maxsize=512)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) spans of sentences and bullet items; line wraps inside a sentence are kept together.
    No span is longer than MAX_SENTENCE_CHARS."""
    spans, start = [], 0
    for m in _sentence_ends(text):
        if _DAY_ORDINAL.search(text, max(0, m.start() - 4), m.start()) and _month_next().match(text, m.end()):
            continue  # "am 3. März 2025": the day of a date, not a sentence's end
        if m.start() > start:
            spans.extend(_bounded(text, start, m.start()))
        start = m.end()
    if start < len(text):
        spans.extend(_bounded(text, start, len(text)))
    return tuple((s, e) for s, e in spans if text[s:e].strip())


#: Where a sentence end may begin: after a full stop, question or exclamation mark (its look-behind), or at a
#: line break or semicolon (its other alternatives).
_END_MARK = re.compile(r"[.!?\n;]")


def _sentence_ends(text: str) -> Iterator[re.Match[str]]:
    """_SENTENCE_END.finditer(text), the pattern tried only where a match may begin (next to one of the few
    characters of _END_MARK) instead of at every character."""
    match, last = _SENTENCE_END.match, 0
    for mark in _END_MARK.finditer(text):
        p = mark.end() if mark.group() in ".!?" else mark.start()
        if p >= last and (m := match(text, p)) is not None:
            yield m
            last = m.end()


def _bounded(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) cut into pieces of at most MAX_SENTENCE_CHARS, at a line break or else a space."""
    while end - start > MAX_SENTENCE_CHARS:
        lo, hi = start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS
        cut = text.rfind("\n", lo, hi)
        if cut < 0:
            cut = text.rfind(" ", lo, hi)
        if cut < 0:
            cut = hi
        yield start, cut
        start = cut + 1 if text[cut].isspace() else cut
    yield start, end


def sentence_at(spans: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence span containing offset `pos` (or a zero-width span at pos)."""
    i = bisect_right(spans, pos, key=lambda span: span[0]) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return pos, pos


def line_at(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the line containing offset `pos`."""
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, len(text) if e < 0 else e


def phrase_pattern(phrase: str) -> str:
    """Regex for a phrase: words separated by any whitespace (line wraps), '-' or ' ' interchangeable."""
    words = [w for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    if not words:
        raise ValueError("empty phrase")
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    head = r"\b" if re.match(r"\w", words[0]) else ""
    tail = r"\b" if re.search(r"\w$", words[-1]) else ""
    return head + body + tail


@dataclass(frozen=True)
class Rule:
    """One rule of a data file: an id (becomes Evidence.rule_id) and a compiled pattern."""

    id: str
    pattern: re.Pattern[str]
    weight: float = 1.0


def compile_rules(file: str, items: object, *, flags: int = re.IGNORECASE) -> tuple[Rule, ...]:
    """Compile a list of {id, terms?: [phrases], patterns?: [regex], weight?} items, naming `file` on error."""
    if not isinstance(items, list):
        raise RuleFileError(f"{RULES_DIR / file}: expected a list of rules")
    out, seen = [], set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise RuleFileError(f"{RULES_DIR / file}: every rule needs an 'id': {item!r}")
        rid = item["id"]
        if rid in seen:
            raise RuleFileError(f"{RULES_DIR / file}: duplicate rule id {rid!r}")
        seen.add(rid)
        alts = []
        try:
            alts += [phrase_pattern(str(t)) for t in item.get("terms") or []]
            alts += [str(p) for p in item.get("patterns") or []]
            if not alts:
                raise ValueError("no terms or patterns")
            pattern = patterncache.compile("|".join(f"(?:{a})" for a in alts), flags)
            weight = float(item.get("weight", 1.0))
        except (re.error, ValueError, TypeError) as exc:
            raise RuleFileError(f"{RULES_DIR / file}: rule {rid!r}: {exc}") from exc
        out.append(Rule(rid, pattern, weight))
    return tuple(out)


@cache
def rule_file(file: str) -> dict:
    """A rules YAML file (cached); must carry a `version`."""
    data = load_yaml(file)
    if "version" not in data:
        raise RuleFileError(f"{RULES_DIR / file}: missing 'version'")
    return data


def rules(file: str, key: str, *, flags: int = re.IGNORECASE) -> tuple[Rule, ...]:
    """The compiled rule list under `key` of a rules file (cached per file and key)."""
    return _rules(file, key, flags)


@cache
def _rules(file: str, key: str, flags: int) -> tuple[Rule, ...]:
    data = rule_file(file)
    if key not in data:
        raise RuleFileError(f"{RULES_DIR / file}: missing '{key}'")
    return compile_rules(file, data[key], flags=flags)


def pattern(file: str, key: str, *, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One regex that matches any rule under `key` (for cue look-ups where the rule id does not matter)."""
    return _pattern(file, key, flags)


@cache
def _pattern(file: str, key: str, flags: int) -> re.Pattern[str]:
    return patterncache.compile("|".join(f"(?:{r.pattern.pattern})" for r in _rules(file, key, flags)), flags)


# ---- names -------------------------------------------------------------------------------------------

#: An e-mail address (the one pattern every rule that reads addresses uses).
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*", re.IGNORECASE)


@lru_cache(maxsize=1)
def legal_suffix() -> re.Pattern[str]:
    """Trailing legal suffixes of a company name (names.yaml `legal_suffixes`), one or several (\"Co., Ltd.\")."""
    data = rule_file("names.yaml")
    suffixes = data.get("legal_suffixes")
    if not isinstance(suffixes, list) or not suffixes:
        raise RuleFileError(f"{RULES_DIR / 'names.yaml'}: 'legal_suffixes' must be a non-empty list")
    alts = "|".join(sorted((re.escape(s).replace(r"\ ", r"\s*") for s in suffixes), key=len, reverse=True))
    return re.compile(rf"(?:[\s,]+(?:{alts})\.?)+\s*$", re.IGNORECASE)


def strip_legal_suffix(name: str) -> str:
    """'Shenhai Precision Instruments Co., Ltd.' -> 'Shenhai Precision Instruments'."""
    stripped = legal_suffix().sub("", name.strip())
    return stripped or name.strip()


_TOKEN = re.compile(r"[^\W_]+")


class _Offsets:
    """The offset in the text of each character of its compact form (a word's space: the word's end). Worked
    out on first use: most texts searched for a name hold none of them, and the words' offsets are then never
    needed."""

    __slots__ = ("_table", "_text", "_words")

    def __init__(self, text: str, words: list[str]) -> None:
        self._text, self._words = text, words
        self._table: tuple[list[int], list[int]] | None = None  # each word's offset in the text and in the compact form

    def __getitem__(self, pos: int) -> int:
        table = self._table
        if table is None:
            words = self._words
            table = self._table = ([m.start() for m in _TOKEN.finditer(self._text)],
                                   [0, *accumulate(len(w) + 1 for w in words)][:len(words)])
        starts, at = table
        i = bisect_right(at, pos) - 1
        return starts[i] + pos - at[i]


@lru_cache(maxsize=512)
def _compact(text: str) -> tuple[str, _Offsets]:
    """Lower-cased words of the text joined by single spaces, and each compact character's offset in `text`.

    A digit OCR put inside a word ('Soluti0ns') is read as its letter first (see fold()).
    """
    text = _OCR_IN_WORD.sub(lambda m: _OCR_LETTER[m.group()], text)
    words = _TOKEN.findall(text)
    joined = " ".join(words)
    compact = joined.lower()
    if len(compact) != len(joined):  # a letter whose lower case is longer: that word keeps its case
        compact = " ".join(w.lower() if len(w.lower()) == len(w) else w for w in words)
    return compact, _Offsets(text, words)


def _snap(compact: str, s: int, e: int) -> tuple[int, int]:
    """Move an alignment's edges to the nearest word bounds (within two characters)."""
    def start_ok(i: int) -> bool:
        return i == 0 or compact[i - 1] == " "

    def end_ok(i: int) -> bool:
        return i == len(compact) or compact[i] == " "

    for d in (0, -1, 1, -2, 2):
        if 0 <= s + d <= len(compact) and start_ok(s + d) and compact[s + d:s + d + 1] != " ":
            s += d
            break
    for d in (0, 1, -1, 2, -2):
        if s < e + d <= len(compact) and end_ok(e + d):
            e += d
            break
    return s, e


@lru_cache(maxsize=1024)
def _key(name: str) -> str:
    """The name's lower-cased words joined by single spaces (names are few: each is worked out once)."""
    return " ".join(re.findall(r"[^\W_]+", name.lower()))


@dataclass(frozen=True)
class NameHit:
    start: int
    end: int
    name: str
    score: float


def name_variants(names: Iterable[str]) -> tuple[str, ...]:
    """Names and their suffix-less forms, de-duplicated, longest first."""
    out: dict[str, None] = {}
    for n in names:
        if not n or not n.strip():
            continue
        for v in (n.strip(), strip_legal_suffix(n)):
            if len(_key(v)) >= 2:
                out[v] = None
    return tuple(sorted(out, key=len, reverse=True))


def find_name(text: str, names: Sequence[str]) -> NameHit | None:
    """Best occurrence of any of `names` in `text`, tolerant of case, punctuation, line wraps and OCR slips.

    Short names (under 10 letters) must match exactly on word bounds; longer ones may differ by about
    one character in ten (rapidfuzz partial_ratio with a score cutoff on the compacted text).
    """
    compact, idx = _compact(text)
    if not compact:
        return None
    padded = f" {compact} "
    for name in names:
        key = _key(name)
        if not key:
            continue
        pos = padded.find(f" {key} ")
        if pos >= 0:
            return NameHit(idx[pos], idx[pos + len(key) - 1] + 1, name, 100.0)
    best: NameHit | None = None
    for name in names:
        key = _key(name)
        if len(key.replace(" ", "")) < 10:
            continue
        cutoff = 100 * (1 - max(1, len(key) // 10) / len(key)) - 0.5
        al = fuzz.partial_ratio_alignment(key, compact, score_cutoff=cutoff)
        if al is None or (best and al.score <= best.score):
            continue
        s, e = _snap(compact, al.dest_start, al.dest_end)
        if (s > 0 and compact[s - 1] != " ") or (e < len(compact) and compact[e] != " "):
            continue  # whole words only: 'Windows Defender Ant(ivirus)' is not 'Windows Defender ATP'
        if fuzz.ratio(key, compact[s:e], score_cutoff=cutoff) == 0:
            continue
        if re.sub(r"\D", "", compact[s:e]) != re.sub(r"\D", "", key):
            continue
        best = NameHit(idx[s], idx[max(s, e - 1)] + 1, name, al.score)
    return best


def domain_pattern(domains: Iterable[str]) -> re.Pattern[str] | None:
    """Regex matching any of the e-mail/web domains (as a whole host or a sub-domain)."""
    ds = [d.strip().lower().lstrip("@") for d in domains if d and d.strip()]
    if not ds:
        return None
    alts = "|".join(re.escape(d) for d in sorted(ds, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:[\w-]+\.)*(?:{alts})(?![\w-])", re.IGNORECASE)


def email_domain(address: str | None) -> str:
    """The lower-case domain of an e-mail address (display names allowed), or ''."""
    if not address:
        return ""
    m = re.search(r"@([\w.-]+)", address)
    return m.group(1).lower().rstrip(".") if m else ""


def in_domains(domain: str, domains: Iterable[str]) -> bool:
    """Whether `domain` equals or is a sub-domain of any of `domains`."""
    domain = domain.lower()
    return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in domains if d)


@lru_cache(maxsize=1)
def month_first_countries() -> frozenset[str]:
    """Countries whose numeric dates are month first (names.yaml `month_first_countries`)."""
    data = rule_file("names.yaml").get("month_first_countries")
    if not isinstance(data, list) or not data:
        raise RuleFileError(f"{RULES_DIR / 'names.yaml'}: 'month_first_countries' must be a non-empty list")
    return frozenset(str(c).upper() for c in data)
