"""Big regex alternations searched only where one of their alternatives can start.

Python's `re` tries every alternative of an alternation at every position of a text: the rule vocabularies
(hundreds of multilingual words per list) cost ~2 µs per character that way. `Scanner` works out, once, the
first three characters (case-folded) any match of the pattern can begin with, finds the positions of a text
that begin so with one C-level scan of a small trie regex, and runs the full pattern only there. The
matches are exactly those of `pattern.finditer`/`search`: a position left out is one where no alternative
can match. Where the analysis cannot bound a pattern (a back-reference, an alternative that may match
nothing, a start anywhere in a word the trie does not cover), the Scanner falls back to the plain pattern.
"""
from __future__ import annotations

import heapq
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from re import _constants as C  # the project needs Python 3.11+ (pyproject), where these live
from re import _parser as sre_parse
from typing import Any

from checks import patterncache
from checks.literals import ASCII_LOWER

#: Characters of case-folded prefix the positions are told apart by.
K = 3
#: Beyond this many prefixes an alternative is not analysed (the Scanner then falls back).
_LIMIT = 4000
_ASCII = [chr(i) for i in range(128)]
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _GiveUp(Exception):
    pass


@lru_cache(maxsize=4096)
def _ascii_matches(op_source: str, flags: int) -> frozenset[str]:
    """The ASCII characters (case-folded) that a one-character pattern matches."""
    rx = re.compile(op_source, flags)
    return frozenset(ch.translate(ASCII_LOWER) for ch in _ASCII if rx.fullmatch(ch))


def _char_set(op, av, flags: int) -> frozenset[str]:
    """ASCII characters (case-folded) that one character-consuming op can match, exactly as `re` would."""
    if op is C.LITERAL:
        src = re.escape(chr(av))
    elif op is C.NOT_LITERAL:
        src = "[^" + re.escape(chr(av)) + "]"
    elif op is C.ANY:
        src = "."
    elif op is C.IN:
        src = "[" + "".join(_class_item(o, a) for o, a in av) + "]"
    else:
        raise _GiveUp
    return _ascii_matches(src, flags & (re.IGNORECASE | re.DOTALL | re.ASCII))


_CATEGORY = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
             C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}


def _class_item(op, av) -> str:
    if op is C.NEGATE:
        return "^"
    if op is C.LITERAL:
        return re.escape(chr(av))
    if op is C.RANGE:
        return re.escape(chr(av[0])) + "-" + re.escape(chr(av[1]))
    if op is C.CATEGORY and av in _CATEGORY:
        return _CATEGORY[av]
    raise _GiveUp


def _flags_of(av, flags: int) -> int:
    _group, add, dele, _p = av
    return (flags | add) & ~dele


def _extend(items: list, i: int, prefixes: set[tuple[str, bool]], flags: int, depth: int,
            k: int) -> set[tuple[str, bool]]:
    """Prefixes (string, still open) after matching items[i:] from each of `prefixes`."""
    if depth > 40:
        raise _GiveUp
    open_ = {s for s, o in prefixes if o}
    if not open_:
        return prefixes
    if i >= len(items):
        return prefixes
    done = {(s, o) for s, o in prefixes if not o}
    op, av = items[i]
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        chars = _char_set(op, av, flags)
        nxt = {(s + ch, len(s) + 1 < k) for s in open_ for ch in chars}
        if len(nxt) > _LIMIT:  # too many: the prefixes end here (shorter prefixes admit more positions)
            if "" in open_:
                raise _GiveUp
            return done | {(s, False) for s in open_}
        return done | _extend(items, i + 1, nxt, flags, depth, k)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return done | _extend(items, i + 1, {(s, True) for s in open_}, flags, depth, k)
    if op is C.SUBPATTERN:
        sub = list(av[3])
        inner = _extend(sub, 0, {(s, True) for s in open_}, _flags_of(av, flags), depth + 1, k)
        return done | _extend(items, i + 1, inner, flags, depth + 1, k)
    if op is C.ATOMIC_GROUP:
        inner = _extend(list(av), 0, {(s, True) for s in open_}, flags, depth + 1, k)
        return done | _extend(items, i + 1, inner, flags, depth + 1, k)
    if op is C.BRANCH:
        out = set(done)
        for branch in av[1]:
            out |= _extend(list(branch) + items[i + 1:], 0, {(s, True) for s in open_}, flags, depth + 1, k)
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        sub = list(sub)
        start = {(s, True) for s in open_}
        out = set(done)
        if lo == 0:
            out |= _extend(items, i + 1, start, flags, depth + 1, k)
        if hi == 0:
            return out
        rest = [(op, (max(0, lo - 1), hi if hi == C.MAXREPEAT else hi - 1, sub))] + items[i + 1:]
        once = _extend(sub, 0, start, flags, depth + 1, k)
        if {s for s, o in once if o} & {s for s, _ in start}:
            raise _GiveUp  # an iteration may match nothing
        return out | _extend(rest, 0, once, flags, depth + 1, k)
    raise _GiveUp  # back-references, conditionals


def _word_start_only(items: list, flags: int, first: set[str]) -> bool:
    """Every match starts at a word start: the pattern opens with \\b or a look-behind refusing a word
    character, and its first character is a word character."""
    if not items or not first or not all(ch.isalnum() or ch == "_" for ch in first):
        return False
    op, av = items[0]
    if op is C.AT and av is C.AT_BOUNDARY:
        return True
    if op is C.ASSERT_NOT and av[0] == -1:
        body = list(av[1])
        return len(body) == 1 and body[0][0] is C.IN and (C.CATEGORY, C.CATEGORY_WORD) in body[0][1]
    if op is C.SUBPATTERN:
        return _word_start_only(list(av[3]), _flags_of(av, flags), first)
    if op is C.BRANCH:
        return all(_word_start_only(list(b), flags, first) for b in av[1])
    return False


_LINE_START = {C.AT_BEGINNING, C.AT_BEGINNING_LINE, C.AT_BEGINNING_STRING}


def _line_start_only(items: list) -> bool:
    """Every match starts at a line start: the pattern opens with ^ or \\A."""
    if not items:
        return False
    op, av = items[0]
    if op is C.AT:
        return av in _LINE_START
    if op is C.SUBPATTERN:
        return _line_start_only(list(av[3]))
    if op is C.BRANCH:
        return all(_line_start_only(list(b)) for b in av[1])
    return False


def _alternatives(items: list, flags: int) -> list[tuple[list, int]]:
    """The top-level alternatives of a pattern (through groups), each with its flags."""
    if len(items) == 1 and items[0][0] is C.BRANCH:
        return [alt for branch in items[0][1][1] for alt in _alternatives(list(branch), flags)]
    if len(items) == 1 and items[0][0] is C.SUBPATTERN:
        av = items[0][1]
        return _alternatives(list(av[3]), _flags_of(av, flags))
    return [(items, flags)]


def prefixes(source: str, flags: int, k: int = K) -> dict[str, frozenset[str]] | None:
    """The case-folded ASCII prefixes of up to k characters that matches begin with, by where such a match
    may start ("word": at a word start, "line": at a line start, "any": anywhere), or None when that cannot
    be bounded (a match may be empty, a back-reference, ...)."""
    try:
        parsed = sre_parse.parse(source, flags)
        out: dict[str, set[str]] = {}
        for items, fl in _alternatives(list(parsed), parsed.state.flags):
            got = _extend(items, 0, {("", True)}, fl, 0, k)
            if any(s == "" for s, _ in got):
                return None
            keys = {s for s, _ in got}
            kind = ("word" if _word_start_only(items, fl, {s[0] for s in keys})
                    else "line" if _line_start_only(items) else "any")
            out.setdefault(kind, set()).update(keys)
    except (_GiveUp, RecursionError):
        return None
    return {kind: frozenset(keys) for kind, keys in out.items()}


def consumed(source: str, flags: int) -> frozenset[str] | None:
    """The ASCII characters (case-folded) that any character-consuming part of the pattern can match
    (look-arounds consume nothing), or None when that cannot be told (a back-reference, a conditional)."""
    out: set[str] = set()

    def walk(items: list, fl: int) -> None:
        for op, av in items:
            if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                out.update(_char_set(op, av, fl))
            elif op is C.SUBPATTERN:
                walk(list(av[3]), _flags_of(av, fl))
            elif op is C.ATOMIC_GROUP:
                walk(list(av), fl)
            elif op is C.BRANCH:
                for branch in av[1]:
                    walk(list(branch), fl)
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
                walk(list(av[2]), fl)
            elif op not in (C.AT, C.ASSERT, C.ASSERT_NOT):
                raise _GiveUp

    try:
        parsed = sre_parse.parse(source, flags)
        walk(list(parsed), parsed.state.flags)
    except (_GiveUp, RecursionError):
        return None
    return frozenset(out)


def _trie(keys: set[str]) -> str:
    """A regex matching exactly the strings of `keys` (no two of which is a prefix of another)."""
    heads: dict[str, set[str]] = {}
    for k in keys:
        heads.setdefault(k[0], set()).add(k[1:])
    alts = []
    for head in sorted(heads):
        tails = heads[head]
        esc = re.escape(head)
        if tails == {""}:
            alts.append(esc)
        elif "" in tails:
            alts.append(esc + "(?:" + _trie(tails - {""}) + ")?")
        else:
            alts.append(esc + "(?:" + _trie(tails) + ")" if len(tails) > 1 else esc + re.escape(next(iter(tails))))
    return "|".join(alts)


def _minimal(keys: frozenset[str]) -> set[str]:
    """The keys without those that a shorter key already covers (a prefix of them)."""
    out = set()
    for k in sorted(keys, key=len):
        if not any(k[:n] in out for n in range(1, len(k))):
            out.add(k)
    return out


@lru_cache(maxsize=512)
def _folded(text: str) -> tuple[str, tuple[int, ...]]:
    """The text with ASCII letters lower-cased (same length), and the offsets of its non-ASCII characters."""
    if text.isascii():  # str.lower changes only A-Z there, and is several times faster than translate
        return text.lower(), ()
    wild = tuple(map(re.Match.start, _NON_ASCII.finditer(text)))
    lower = text.lower()  # translate looks up every character of a non-ASCII text: 10-20x slower
    if len(lower) == len(text) and all(lower[w] == text[w] for w in wild):
        return lower, wild  # its non-ASCII characters have no case (bullets, quotes, dashes): only A-Z changed
    return text.translate(ASCII_LOWER), wild


def _positions(trigger: re.Pattern[str], text: str, k: int) -> Iterator[int]:
    """Where a match may start, in order: where the trigger fires, and up to k-1 characters before any
    non-ASCII character (the prefixes are ASCII, so there every position is tried)."""
    folded, wild = _folded(text)
    fired = (t.start() for t in trigger.finditer(folded))
    if not wild:
        yield from fired
        return
    last = -1
    for p in heapq.merge(fired, _near(text, k)):
        if p != last:
            yield p
            last = p


@lru_cache(maxsize=512)
def _near(text: str, k: int) -> tuple[int, ...]:
    """Each non-ASCII character's position of `text` and the k-1 before it, in order, once each (the prefixes
    are ASCII: a match there may begin with anything)."""
    return tuple(sorted({q for w in _folded(text)[1] for q in range(max(0, w - k + 1), w + 1)}))


#: Prefix length of the text index (the longest k a Scanner is built with).
_INDEX_K = 4
#: The longest heads a text's table is built with: a longer prefix is looked up by its first _TABLE_J characters
#: and checked at each place found (a table of 4-character heads would cost as much as the 3-character one a
#: text has anyway, for the few vocabularies that use it).
_TABLE_J = 3
#: Texts shorter than this are scanned with each Scanner's trigger (an index costs more than it saves there).
INDEX_MIN_CHARS = 400
#: A Scanner whose matches may start anywhere uses the index only for this many such prefixes (each is
#: looked for with str.find).
_ANY_KEYS = 16
#: Up to this many prefixes of one length are looked up one by one in a text's table (more: the table's
#: heads are looked up among them).
_FEW_KEYS = 40


#: A word of a text (its start is a word start: a word character after none, where `\b\w` matches).
_WORD = re.compile(r"\w+")
#: A line break (a line starts at the text's start and after each).
_LINE_BREAK = re.compile("\n")
#: A word's first character (found between given offsets: the look-behind sees the character before them).
_WORD_START = re.compile(r"(?<!\w)\w")


class _TextIndex:
    """Where every word and line of one text begins, by its first characters (case-folded), shared by every
    Scanner run over the text: each looks its prefixes up in a table built from one scan of the text for its
    word (or line) starts, instead of a scan of its own."""

    def __init__(self, text: str) -> None:
        self.folded, self.wild = _folded(text)
        self._tables: dict[tuple[str, int], dict[str, tuple[int, ...]]] = {}
        self._starts: dict[str, tuple[int, ...]] = {}
        self._places: dict[str, list[int]] = {}
        #: the text this one was noted as an edit of (see `edited`) and the offsets they may differ at
        self._edit = _EDITS.get(text)

    def table(self, kind: str, j: int) -> dict[str, tuple[int, ...]]:
        """The first j characters of every word ("word") or line ("line") of the text -> where such words or
        lines begin, in order. Kept as tuples: the garbage collector stops following them (lists would
        stay tracked, hundreds per text, in every full collection while the text is in the cache)."""
        found = self._tables.get((kind, j))
        if found is not None:
            return found
        like = self._like()
        if like is not None and (kind, j) in like[0]._tables:
            found = self._tables[kind, j] = self._edited_table(like, kind, j)
            return found
        built: dict[str, list[int]] = {}
        folded, get = self.folded, built.get
        for place in self.starts(kind):
            head = folded[place:place + j]
            places = get(head)
            if places is None:
                built[head] = [place]
            else:
                places.append(place)
        found = self._tables[kind, j] = {head: tuple(places) for head, places in built.items()}
        return found

    def starts(self, kind: str) -> tuple[int, ...]:
        """Where every word ("word") or line ("line") of the text begins, in order: one scan of the text per
        kind, shared by its tables of every length."""
        found = self._starts.get(kind)
        if found is None:
            like = self._like()
            if like is not None and kind in like[0]._starts:
                found = self._edited_starts(like, kind)
            elif kind == "word":  # each match of \w+ begins a word; its start is taken by map, in C
                found = tuple(map(re.Match.start, _WORD.finditer(self.folded)))
            else:
                found = (0, *map(re.Match.end, _LINE_BREAK.finditer(self.folded)))
            self._starts[kind] = found
        return found

    def _like(self) -> tuple[_TextIndex, tuple[int, ...]] | None:
        """The index of the text this one was noted as an edit of, and the offsets they may differ at (None when
        there is none). Only what that index has already found is used: nothing is worked out there for this
        one, so two texts noted as edits of each other never wait on each other."""
        edit = self._edit
        return None if edit is None else (_index(edit[0]), edit[1])

    def _edited_starts(self, like: tuple[_TextIndex, tuple[int, ...]], kind: str) -> tuple[int, ...]:
        """The starts of the text this one is an edit of, with those around the changed characters found again: a
        word or line starts or not by its first character and the one before it, so only at a changed character
        or the one after it can the two texts differ."""
        base, changed = like
        old = base.starts(kind)
        out: list[int] = []
        done = 0  # the first of `old` not taken yet
        for lo, hi in _spans(changed, 1):
            out += old[done:bisect_left(old, lo, done)]
            if kind == "word":
                out += map(re.Match.start, _WORD_START.finditer(self.folded, lo, hi + 1))
            else:
                out += [0] if lo == 0 else []
                out += map(re.Match.end, _LINE_BREAK.finditer(self.folded, max(0, lo - 1), hi))
            done = bisect_right(old, hi, done)
        return tuple(out + list(old[done:]))

    def _edited_table(self, like: tuple[_TextIndex, tuple[int, ...]], kind: str, j: int) -> dict[str, tuple[int, ...]]:
        """table(kind, j) made from the same table of the text this one is an edit of: a start whose first j
        characters hold no changed character, and which the edit neither made nor unmade, has the same head in
        both; the others (those from j-1 before a changed character to the one after it) are moved. The same
        heads and places as a table built from this text (in another order of heads: no use depends on it)."""
        base, changed = like
        table = dict(base._tables[kind, j])
        old_starts, new_starts = base.starts(kind), self.starts(kind)
        old, new = base.folded, self.folded
        moved: dict[str, tuple[set[int], set[int]]] = {}  # head -> (places it loses, places it gains)
        for lo, hi in _spans(changed, j):
            for p in old_starts[bisect_left(old_starts, lo):bisect_right(old_starts, hi)]:
                moved.setdefault(old[p:p + j], (set(), set()))[0].add(p)
            for p in new_starts[bisect_left(new_starts, lo):bisect_right(new_starts, hi)]:
                moved.setdefault(new[p:p + j], (set(), set()))[1].add(p)
        for head, (lost, gained) in moved.items():
            if lost != gained:
                places = set(table.get(head, ())).difference(lost).union(gained)
                if places:
                    table[head] = tuple(sorted(places))
                else:
                    del table[head]
        return table

    def places(self, key: str) -> list[int]:
        """Where `key` begins anywhere in the text, in order."""
        found = self._places.get(key)
        if found is None:
            found, p = [], self.folded.find(key)
            while p >= 0:
                found.append(p)
                p = self.folded.find(key, p + 1)
            self._places[key] = found
        return found


@lru_cache(maxsize=512)
def _index(text: str) -> _TextIndex:
    return _TextIndex(text)


def _spans(changed: tuple[int, ...], j: int) -> Iterator[tuple[int, int]]:
    """The offsets (inclusive ranges, in order, apart) where a start's first j characters or its being a start
    may differ between two texts that differ at the (sorted) offsets `changed`."""
    lo = hi = None
    for c in changed:
        if hi is not None and c - j + 1 <= hi + 1:
            hi = c + 1
            continue
        if hi is not None:
            yield lo, hi
        lo, hi = c - j + 1, c + 1
    if hi is not None:
        yield lo, hi


#: Long texts noted as another text with a few characters replaced in place (see `edited`): text -> (the
#: other text, the sorted offsets where they may differ). The oldest go beyond _EDITS_KEPT.
_EDITS: dict[str, tuple[str, tuple[int, ...]]] = {}
_EDITS_KEPT = 512
_EDITS_LOCK = threading.Lock()


def edited(text: str, base: str, changed: Iterable[int]) -> None:
    """Note that `text` is `base` with (at most) the characters at offsets `changed` replaced one for one (a
    folded text, a text with names masked): the index of a long text is then made from `base`'s, each table
    moved where the two differ, instead of scanned again. Nothing found changes: the tables are those a scan
    of `text` gives."""
    if len(text) < INDEX_MIN_CHARS or len(text) != len(base) or text == base:
        return
    offsets = tuple(sorted(set(changed)))
    with _EDITS_LOCK:
        if len(_EDITS) >= _EDITS_KEPT:
            del _EDITS[next(iter(_EDITS))]
        _EDITS[text] = (base, offsets)


#: An alternation of at least this many alternatives is tried at a position through its `_Split`.
SPLIT_MIN = 24
#: Characters (case-folded ASCII) at a position that pick the alternatives tried there.
_SPLIT_J = 2


class _Split:
    """A big alternation tried at a position through the sub-pattern of only those of its alternatives that
    can begin with the (case-folded, ASCII) characters there: `re` tries every alternative in turn, so the
    activities vocabulary (3,000 alternatives) costs ~12 µs at a position that way and well under one through
    the dozen that start with the same two letters.

    The sub-patterns are compiled from the parsed pattern with the other alternatives cut out of their
    alternations, only where nothing follows an alternation up to the pattern's end (so the first alternative
    that matches is the same as in the full pattern, and matches the same way); groups keep their numbers and
    names, so each match has the same span, groups and lastgroup as the full pattern's. Where the characters
    are not ASCII (or the text ends) the full pattern is tried.

    re's compiler is Python code (~1 ms a sub-pattern, hundreds a vocabulary): each sub-pattern's engine code
    is kept in the machine's pattern store (checks.patterncache), and the pattern is parsed and cut only for
    one that is not there yet."""

    def __init__(self, pattern: re.Pattern[str], tree: tuple | None = None) -> None:
        self.pattern = pattern
        #: (root, parse state, first _SPLIT_J characters -> alternatives, alternatives that may start anywhere)
        self._tree = tree
        self._subs: dict[str, re.Pattern[str] | None] = {}

    @classmethod
    def build(cls, pattern: re.Pattern[str]) -> _Split | None:
        """The split of `pattern`, or None when it has fewer than SPLIT_MIN alternatives to cut (or the regex
        engine's compiler is not at hand)."""
        tree = _cut_tree(pattern)
        return None if tree is None else cls(pattern, tree)

    def sub(self, key: str) -> re.Pattern[str] | None:
        """The pattern of the alternatives that may match where the folded text begins with `key`
        (_SPLIT_J ASCII characters); None when none can."""
        try:
            return self._subs[key]
        except KeyError:
            pass
        rx = self._subs[key] = patterncache.compile_parsed(self.pattern, ("split", _VERSION, key),
                                                          lambda: self._cut(key))
        return rx

    def _cut(self, key: str) -> Any:
        """The parsed sub-pattern for `key` (None: no alternative can match there)."""
        if self._tree is None:
            self._tree = _cut_tree(self.pattern) or ()
        if not self._tree:  # not splittable after all (a store from elsewhere): the whole pattern
            return sre_parse.parse(self.pattern.pattern, self.pattern.flags)
        root, state, by_key, always = self._tree
        wanted = always | by_key.get(key[0], set()) | by_key.get(key, set())
        items = _prune(root, wanted) if wanted else None
        return None if items is None else sre_parse.SubPattern(state, items)


def _cut_tree(pattern: re.Pattern[str]) -> tuple | None:
    """What _Split cuts sub-patterns from, or None when `pattern` has fewer than SPLIT_MIN alternatives to cut
    (or the regex engine's compiler is not at hand)."""
    if not patterncache.USABLE:
        return None
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        leaves: list[frozenset[str] | None] = []
        root = _split_tree(list(parsed), parsed.state.flags, leaves)
    except RecursionError:
        return None
    if len(leaves) < SPLIT_MIN:
        return None
    by_key: dict[str, set[int]] = {}
    for i, keys in enumerate(leaves):
        for key in keys or ():
            by_key.setdefault(key[:_SPLIT_J], set()).add(i)
    return root, parsed.state, by_key, {i for i, keys in enumerate(leaves) if keys is None}


def _split_tree(items: list, flags: int, leaves: list) -> tuple:
    """The pattern as a tree of alternations that may be cut: ("alt", zero-width items, branch av, children),
    ("group", zero-width items, group av, child), or ("leaf", index, items). A leaf's first _SPLIT_J
    characters go to `leaves` (None: it may start with anything)."""
    *lead, last = items or [(None, None)]
    if items and all(op in (C.AT, C.ASSERT, C.ASSERT_NOT) for op, _ in lead):
        op, av = last
        if op is C.BRANCH:
            return ("alt", lead, av, [_split_tree(list(b), flags, leaves) for b in av[1]])
        if op is C.SUBPATTERN:
            return ("group", lead, av, _split_tree(list(av[3]), _flags_of(av, flags), leaves))
    try:
        got = _extend(items, 0, {("", True)}, flags, 0, _SPLIT_J)
        keys = None if any(s == "" for s, _ in got) else frozenset(s for s, _ in got)
    except (_GiveUp, RecursionError):
        keys = None
    leaves.append(keys)
    return ("leaf", len(leaves) - 1, items)


def _prune(node: tuple, wanted: set[int]) -> list | None:
    """The items of `node` with only the `wanted` leaves left in its alternations (None: none left)."""
    kind = node[0]
    if kind == "leaf":
        return node[2] if node[1] in wanted else None
    if kind == "group":
        _kind, lead, av, child = node
        inner = _prune(child, wanted)
        if inner is None:
            return None
        return [*lead, (C.SUBPATTERN, (*av[:3], sre_parse.SubPattern(av[3].state, inner)))]
    _kind, lead, av, children = node
    kept = [sre_parse.SubPattern(b.state, got) for b, child in zip(av[1], children)
            if (got := _prune(child, wanted)) is not None]
    if not kept:
        return None
    return [*lead, (C.BRANCH, (av[0], kept))]


class Scanner:
    """`pattern.finditer`/`search` over whole texts, the full pattern tried only where a match can start.

    `k`: how many characters of prefix tell positions apart; more leaves fewer positions to try but takes
    longer to build (the activities vocabulary: 78 positions a page with 3, 35 with 4).
    `build_after`: characters scanned with the plain pattern before the trigger is built (5-150 ms a
    vocabulary): a short document, such as a 1-page `poecheck check`, never pays for it; a long document or
    a worker's backlog does, once, after a dozen pages. What it is built from is kept in the machine's pattern
    store (checks.patterncache): a Scanner whose trigger is there builds it after LOOK_AFTER characters, at a
    few percent of the cost, and a document of a few pages no longer runs the plain pattern over most of it."""

    BUILD_AFTER = 20_000
    LOOK_AFTER = 8_000

    def __init__(self, pattern: re.Pattern[str], k: int = K, *, build_after: int = BUILD_AFTER) -> None:
        self.pattern, self.k = pattern, k
        self._trigger: re.Pattern[str] | None = None
        #: kind ("word", "line") -> length -> prefixes, when every prefix is of those kinds (else None)
        self._keys: dict[str, dict[int, frozenset[str]]] | None = None
        self._split: _Split | None = None
        #: _keys as (kind, length, prefixes)
        #: _keys as (kind, length of the table's heads, heads, the longer prefixes checked at their places or None)
        self._groups: list[tuple[str, int, frozenset[str], frozenset[str] | None]] = []
        #: (text, its candidate positions) of the last text search_span looked in
        self._spans_of: tuple[str, list[int]] = ("", [])
        self._until_build = build_after
        self._until_look: int | None = min(self.LOOK_AFTER, build_after)
        patterncache.note(pattern)  # its trigger and split stay in the pattern store
        if build_after <= 0:
            self._ready(0)

    def _ready(self, chars: int) -> re.Pattern[str] | None:
        """The trigger, built once `chars` more characters take the scanned total past build_after, or past
        LOOK_AFTER when the pattern store holds what it is built from."""
        if self._until_build is not None:
            self._until_build -= chars
            if self._until_build > 0:
                if self._until_look is None:
                    return None
                self._until_look -= chars
                if self._until_look > 0:
                    return None
                self._until_look = None
                if patterncache.derived("fastscan", self.pattern, (_VERSION, self.k)) is None:
                    return None
            self._until_build = None
            built: list[_Split | None] = []  # the split, when analysed here rather than read from the store
            plan = _plan(patterncache.derived("fastscan", self.pattern, (_VERSION, self.k),
                                              lambda: _analysis(self.pattern, self.k, built)))
            if plan is None:  # not of the shape stored (a store from elsewhere): analysed again
                plan = _plan(_analysis(self.pattern, self.k, built))
            trigger, keys, split = plan
            if trigger is not None:
                self._trigger = patterncache.compile_derived(self.pattern, trigger)
                self._keys = keys
                self._groups = [_group(kind, j, group) for kind, by_length in (keys or {}).items()
                                for j, group in by_length.items()]
                self._split = built[0] if built else _Split(self.pattern) if split and patterncache.USABLE else None
        return self._trigger

    def _candidates(self, trigger: re.Pattern[str], text: str) -> Iterator[int] | list[int]:
        """Where a match may start, in order: from the text's index (word and line starts by prefix) when
        the text is long and every prefix is of those kinds, else from a scan with the trigger."""
        if self._keys is None or len(text) < INDEX_MIN_CHARS:
            return _positions(trigger, text, self.k)
        index = _index(text)
        found: list[int] = []
        for kind, j, keys, longer in self._groups:
            if kind == "any":
                for key in keys:
                    found += index.places(key)
                continue
            table = index.table(kind, j)
            places: list[int] = found if longer is None else []
            for key in keys.intersection(table) if len(keys) > _FEW_KEYS else keys:
                places += table.get(key, ())
            if longer is not None:
                folded, n = index.folded, len(next(iter(longer)))
                found += [p for p in places if folded[p:p + n] in longer]
        if index.wild:
            return sorted(set(found).union(_near(text, self.k)))
        if len(self._groups) == 1:  # each place has one head: no place twice
            found.sort()
            return found
        return sorted(set(found))

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """The matches of the pattern in `text`, as pattern.finditer(text) gives them."""
        trigger = self._ready(len(text))
        if trigger is None:
            yield from self.pattern.finditer(text)
            return
        match, last, split = self.pattern.match, 0, self._split
        folded = _folded(text)[0] if split is not None else ""
        for p in self._candidates(trigger, text):
            if p < last:
                continue
            if split is not None and (key := folded[p:p + _SPLIT_J]).isascii() and len(key) == _SPLIT_J:
                rx = split.sub(key)
                m = rx.match(text, p) if rx is not None else None
            else:
                m = match(text, p)
            if m is not None:
                yield m
                last = m.end()

    def search(self, text: str) -> re.Match[str] | None:
        """The first match of the pattern in `text`, as pattern.search(text) gives it. A short ASCII text (the
        few words before an activity, searched for each cue) is tried where the trigger fires next, one search
        of it at a time, without finditer's generators."""
        if len(text) >= INDEX_MIN_CHARS or not text.isascii():
            return next(self.finditer(text), None)
        trigger = self._ready(len(text))
        if trigger is None:
            return self.pattern.search(text)
        folded, p = text.lower(), 0  # lower(): _folded's, for an ASCII text
        while (fired := trigger.search(folded, p)) is not None:
            p = fired.start()
            m = self._ascii_match(text, folded, p)
            if m is not None:
                return m
            p += 1  # the trigger is zero-width: its next firing is its search from the next place, as finditer's
        return None

    def _ascii_match(self, text: str, folded: str, p: int) -> re.Match[str] | None:
        """pattern.match(text, p) for an ASCII text, through the split's sub-pattern for the characters at p."""
        key = folded[p:p + _SPLIT_J]
        rx = self.pattern if self._split is None or len(key) < _SPLIT_J else self._split.sub(key)
        return None if rx is None else rx.match(text, p)

    def search_span(self, text: str, start: int, end: int) -> re.Match[str] | None:
        """pattern.search(text[start:end]) (the match is of that slice), tried at the slice's start and where
        the whole text's candidates fall inside it: the sentences of one text share one candidate list.

        A candidate of the whole text inside the slice is one of the slice's own: a word or line start after
        the slice's first character, the characters after it and the positions before a non-ASCII character
        are the same in both; only the slice's first position may start a word or line there and not in the
        text, and it is always tried."""
        trigger = self._ready(end - start)
        piece = text[start:end]
        if trigger is None:
            return self.pattern.search(piece)
        seen, candidates = self._spans_of
        if seen is not text and seen != text:
            candidates = list(self._candidates(trigger, text))
            self._spans_of = (text, candidates)
        match, split = self.pattern.match, self._split
        folded = _folded(text)[0] if split is not None else ""
        inside = candidates[bisect_right(candidates, start):bisect_left(candidates, end)]
        for p in (start, *inside):
            if split is not None and p + _SPLIT_J <= end and (key := folded[p:p + _SPLIT_J]).isascii():
                rx = split.sub(key)
                m = rx.match(piece, p - start) if rx is not None else None
            else:
                m = match(piece, p - start)
            if m is not None:
                return m
        return None


#: Raise when what is kept in the pattern store (see _analysis, _Split._cut) would be made differently.
_VERSION = 1


def _analysis(pattern: re.Pattern[str], k: int, built: list) -> tuple[str | None, dict | None, bool]:
    """What a Scanner's fast path is built from: its trigger regex (None: the pattern cannot be bounded), the
    prefixes by kind and length for the text index (None: not used) and whether it is split (the _Split
    goes to `built`). Kept in the pattern store: the analysis is Python code, 5-150 ms a vocabulary."""
    found = prefixes(pattern.pattern, pattern.flags, k)
    if found is None:
        return None, None, False
    minimal = {kind: _minimal(keys) for kind, keys in found.items()}
    head = {"word": r"\b", "line": r"(?<![^\n])", "any": ""}
    trigger = "|".join(rf"{head[kind]}(?=(?:{_trie(keys)}))" for kind, keys in minimal.items())
    keys = None
    if k <= _INDEX_K and len(minimal.get("any", ())) <= _ANY_KEYS:
        keys = {kind: _by_length(keys) for kind, keys in minimal.items()}
    split = _Split.build(pattern)
    built.append(split)
    return trigger, keys, split is not None


def _plan(value: object) -> tuple[str | None, dict | None, bool] | None:
    """An _analysis value as read from the store, or None when it is not of that shape."""
    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], bool)):
        return None
    trigger, keys, _split = value
    if trigger is None:
        return value
    if not isinstance(trigger, str):
        return None
    if keys is not None and not (isinstance(keys, dict) and all(
            kind in ("word", "line", "any") for kind in keys) and all(
            isinstance(by, dict) and all(isinstance(j, int) and isinstance(g, frozenset) for j, g in by.items())
            for by in keys.values())):
        return None
    return value


def _group(kind: str, j: int, keys: frozenset[str]) -> tuple[str, int, frozenset[str], frozenset[str] | None]:
    """How prefixes of one kind and length `j` are looked up in a text's index: (kind, the table's head length,
    the heads, the prefixes checked at each place found, or None when the heads are the prefixes)."""
    if kind == "any" or j <= _TABLE_J:
        return kind, j, keys, None
    return kind, _TABLE_J, frozenset(key[:_TABLE_J] for key in keys), keys


def _by_length(keys: set[str]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {}
    for key in keys:
        out.setdefault(len(key), set()).add(key)
    return {j: frozenset(group) for j, group in out.items()}


#: The Scanners handed out, by the id of their pattern object (kept here, so its id is not another's) and k.
_BY_ID: dict[tuple[int, int], tuple[re.Pattern[str], Scanner]] = {}
_BY_ID_LOCK = threading.Lock()


def scanner(pattern: re.Pattern[str], k: int = K) -> Scanner:
    """The Scanner of a compiled pattern, built once per process on first use. A pattern object asked for
    again is found by its id: a pattern's hash is computed over its whole compiled code each time (70 µs for
    the activities vocabulary, asked for on every page)."""
    found = _BY_ID.get((id(pattern), k))
    if found is not None:
        return found[1]
    with _BY_ID_LOCK:
        made = _equal_scanner(pattern, k)
        if len(_BY_ID) >= 256:  # patterns made afresh on every call: the oldest go
            del _BY_ID[next(iter(_BY_ID))]
        _BY_ID[id(pattern), k] = (pattern, made)
    return made


@lru_cache(maxsize=256)
def _equal_scanner(pattern: re.Pattern[str], k: int) -> Scanner:
    """The Scanner shared by equal patterns."""
    return Scanner(pattern, k)
