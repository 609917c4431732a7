"""A Scanner's trigger and split sub-patterns come from the machine's pattern store once a process has built and
saved them: a fresh process's first long document does not run re's (Python-level) compiler for them again,
and finds the same matches."""
from __future__ import annotations

import re
from re import _compiler

import pytest

from checks import fastscan, patterncache
from tests.checks.test_fastscan import _patterns, _texts


def _fresh_process(monkeypatch, cache: str) -> None:
    """New stores over the cache folder (read from its files on first use), as a new process has."""
    monkeypatch.setenv("XDG_CACHE_HOME", cache)
    patterncache.default_store.cache_clear()
    patterncache.derived_store.cache_clear()


@pytest.fixture
def compiles(monkeypatch):
    """Calls of re's compiler (what re.compile runs for a pattern not in re's own cache)."""
    calls: list[int] = []
    code = _compiler._code

    def counted(*args, **kwargs):
        calls.append(1)
        return code(*args, **kwargs)

    monkeypatch.setattr(_compiler, "_code", counted)
    yield calls
    patterncache.default_store.cache_clear()
    patterncache.derived_store.cache_clear()


def _scan_pages(pages: list[str]) -> list:
    found = []
    for p in _patterns():
        rx, k = p.values
        scanner = fastscan.Scanner(rx, k, build_after=0)
        found.append([[(m.regs, m.lastgroup) for m in scanner.finditer(text)] for text in pages])
    return found


def test_a_fresh_process_compiles_nothing_the_store_holds(tmp_path, monkeypatch, compiles):
    pages = list(_texts()[:40:4])  # ten dev letter pages, as written
    _fresh_process(monkeypatch, str(tmp_path))
    first = _scan_pages(pages)
    assert compiles  # the triggers and the sub-patterns the pages needed were compiled
    patterncache.save()
    assert (tmp_path / "poecheck").is_dir()

    _fresh_process(monkeypatch, str(tmp_path))
    compiles.clear()
    again = _scan_pages(pages)
    assert compiles == []
    assert again == first
    assert again == [[[(m.regs, m.lastgroup) for m in p.values[0].finditer(text)] for text in pages]
                     for p in _patterns()]


def test_a_store_without_the_scanners_entries_builds_them(tmp_path, monkeypatch, compiles):
    _fresh_process(monkeypatch, str(tmp_path))
    patterncache.save()  # nothing to keep: no file
    assert not (tmp_path / "poecheck").exists()
    rx, k = _patterns()[0].values
    text = _texts()[0]
    got = [m.span() for m in fastscan.Scanner(rx, k, build_after=0).finditer(text)]
    assert got == [m.span() for m in rx.finditer(text)]
    assert compiles


def test_derived_entries_of_patterns_no_longer_used_leave_the_store(tmp_path, monkeypatch):
    """Once the patterns nothing in a process used outnumber the used ones (rules edited), their entries go."""
    _fresh_process(monkeypatch, str(tmp_path))
    olds = [re.compile(rf"\b(?:alpha|beta{n})\b", re.IGNORECASE) for n in range(3)]
    new = re.compile(r"\b(?:gamma|delta)\b", re.IGNORECASE)
    for old in olds:
        patterncache.derived("test", old, 1, lambda: "old")
    patterncache.save()
    _fresh_process(monkeypatch, str(tmp_path))
    patterncache.note(new)
    assert patterncache.derived("test", new, 1, lambda: "new") == "new"
    patterncache.save()
    _fresh_process(monkeypatch, str(tmp_path))
    assert patterncache.derived("test", new, 1, lambda: "made again") == "new"
    assert [patterncache.derived("test", old, 1, lambda: "made again") for old in olds] == ["made again"] * 3
