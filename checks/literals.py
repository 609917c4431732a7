"""Literal text that every match of a pattern contains: an ASCII text without any of it is not searched.

`required` reads the pattern's parse: a run of literal characters, or a group, alternation or repeat (at least
once) whose every branch holds such a run, must appear in each match. Case is ignored (the text is compared
lower-cased), so the answer holds with or without re.IGNORECASE; only for an ASCII text, since under
re.IGNORECASE a few non-ASCII letters match ASCII ones (U+0130, U+0131, U+017F, U+212A: no literal holds one).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as C  # the project needs Python 3.11+ (pyproject), where these live
from re import _parser as sre_parse

#: Non-ASCII characters that re.IGNORECASE matches with ASCII ones.
_ASCII_ALIKE = frozenset("\u0130\u0131\u017f\u212a")
#: A literal shorter than this is not worth looking for; a set of more literals costs more than it saves.
_MIN_CHARS, _MAX_LITERALS = 2, 48
#: str.translate's table that lower-cases the ASCII letters only (shared with fastscan).
ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(65, 91)})


def required(source: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-cased strings one of which every match of the pattern contains, or None when no such set of
    at most _MAX_LITERALS strings of _MIN_CHARS characters or more is found."""
    try:
        parsed = sre_parse.parse(source, flags)
        return _sequence(list(parsed))
    except RecursionError:
        return None


def _score(found: frozenset[str]) -> tuple[int, int]:
    return min(map(len, found)), -len(found)


def _sequence(items: list) -> frozenset[str] | None:
    """The best set of literals one of which every match of the items in a row contains."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and len(found) <= _MAX_LITERALS and min(map(len, found)) >= _MIN_CHARS and (
                best is None or _score(found) > _score(best)):
            best = found

    def close() -> None:
        if run:
            consider(frozenset(["".join(run).translate(ASCII_LOWER)]))
        run.clear()

    for op, av in items:
        if op is C.LITERAL and chr(av) not in _ASCII_ALIKE:
            run.append(chr(av))
            continue
        close()  # a letter that matches an ASCII one ends a run too
        if op is C.SUBPATTERN:
            consider(_sequence(list(av[3])))
        elif op is C.ATOMIC_GROUP:
            consider(_sequence(list(av)))
        elif op is C.BRANCH:
            branches = [_sequence(list(b)) for b in av[1]]
            if all(branches):
                consider(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            body = list(av[2])  # a letter repeated ("Q{4,}") gives that many of it
            if len(body) == 1 and body[0][0] is C.LITERAL and chr(body[0][1]) not in _ASCII_ALIKE:
                run.extend(chr(body[0][1]) * min(av[0], 8))
                close()
            else:
                consider(_sequence(body))
    close()
    return best


class Filtered:
    """pattern.search and .finditer, answered with no match without running the pattern for an ASCII text that
    holds none of the literals every match contains."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.literals = required(pattern.pattern, pattern.flags)

    def may_match(self, text: str) -> bool:
        """False only when no match can be in `text`."""
        if self.literals is None or not text.isascii():
            return True
        lower = text.lower()
        return any(literal in lower for literal in self.literals)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.may_match(text) else iter(())
