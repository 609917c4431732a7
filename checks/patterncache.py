"""Rule patterns compiled once per machine, not once per process: the regex engine's code of each pattern is
kept in the user's cache folder, so a start does not parse and compile the ~500 rule patterns again (about
0.8 s of every `poecheck check`).

CPython cannot pickle a compiled pattern (a pickle compiles it again). What re's compiler hands to the engine
(`_sre.compile`: flags, code, group count and names) is plain data, a function of the pattern text, the flags
and the interpreter; it is stored under the first two, in a file named for the third. A pattern rebuilt from
it is equal to re.compile's (pattern equality compares the code, see tests/checks/test_patterncache.py).
Anything unexpected (another Python, a damaged or foreign file, re's internals changed) means re.compile.
"""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import re
import sys
import threading
import zlib
from array import array
from collections.abc import Callable
from functools import cache
from pathlib import Path
from re import _compiler, _parser  # the project needs Python 3.11+ (pyproject), where these live
from typing import Any, TypeVar

from checks.rulebook import cache_dir, write_cache_file

try:  # CPython's regex engine (private): without it every pattern goes to re.compile
    import _sre
except ImportError:  # pragma: no cover - another Python implementation
    _sre = None

#: An entry: (flags, code bytes, groups - 1, group index, index group), as _sre.compile takes them.
Entry = tuple[int, bytes, int, dict, tuple]
#: What is derived from a pattern (fastscan's trigger of a vocabulary, a cut of it): (kind, pattern, flags, which)
Derived = tuple[str, str, int, Any]
_CODE = "I" if array("I").itemsize == getattr(_sre, "CODESIZE", 0) else None  # the engine's code word
#: Whether compiled code can be kept (and parsed patterns compiled, see compile_parsed).
USABLE = _sre is not None and _CODE is not None and hasattr(_compiler, "_code") and hasattr(_parser, "parse")
T = TypeVar("T")


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile for rule patterns: from the machine's pattern store when compiled before (see `save`)."""
    return default_store().compile(pattern, flags)


def save() -> None:
    """Keep the patterns this process compiled for the next start (after a warm-up has compiled them all, or
    after a claim whose long texts built vocabularies' triggers: see `derived`)."""
    default_store().save()
    derived_store().save()


def compile_derived(parent: re.Pattern[str], source: str) -> re.Pattern[str]:
    """re.compile(source) for a pattern made from `parent` (fastscan's trigger of a vocabulary), from the
    derived store (see `derived`): it stays there as long as what else is derived from `parent`."""
    if not USABLE:
        return re.compile(source)
    entry = derived("compiled", parent, source, lambda: _compile(source, 0)[1])
    with contextlib.suppress(Exception):  # a damaged entry: compile it again below
        if _is_entry(entry):
            return _rebuild(source, entry)
    return re.compile(source)


def derived(kind: str, pattern: re.Pattern[str], which: object, make: Callable[[], T] | None = None) -> T | None:
    """make(), the value of `kind` computed from `pattern` (fastscan's trigger of a vocabulary), from the
    derived store when it was computed before (without `make`: None then). The value must be marshal-able
    and checked by its user."""
    return derived_store().derived((kind, pattern.pattern, int(pattern.flags), which), make)


def note(pattern: re.Pattern[str]) -> None:
    """`pattern` is in use (what is derived from it stays in the derived store when that is pruned)."""
    derived_store().note(pattern.pattern, int(pattern.flags))


def compile_parsed(pattern: re.Pattern[str], which: object, make: Callable[[], Any]) -> re.Pattern[str] | None:
    """What re's compiler makes of make(), a part of `pattern`'s parse (keeping its groups' numbers and
    names; None: no pattern), from the store when compiled before; it carries `pattern`'s source. Needs USABLE."""
    store = derived_store()
    key = ("parsed", pattern.pattern, int(pattern.flags), which)
    entry = store.derived(key, lambda: _entry_of(make(), int(pattern.flags)))
    if entry is None:
        return None
    with contextlib.suppress(Exception):  # a damaged entry: compile it again below
        if _is_entry(entry):
            return _rebuild(pattern.pattern, entry)
    return _rebuild(pattern.pattern, _entry_of(make(), int(pattern.flags)))


@cache
def default_store() -> PatternStore:
    """The store of this interpreter in the user's cache folder (none without a home: compile every time)."""
    folder = cache_dir()
    return PatternStore(None if folder is None else folder / f"patterns-{interpreter_tag()}.marshal")


@cache
def derived_store() -> PatternStore:
    """What is derived from patterns (see `derived`), in a file of its own beside the store's: it is read only
    by a process that scans long texts, not by every start."""
    folder = cache_dir()
    return PatternStore(None if folder is None else folder / f"derived-{interpreter_tag()}.marshal")


class PatternStore:
    """Compiled patterns backed by one file: read on first use, written by `save` when something was added."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stored: dict[tuple, Any] | None = None
        self._added: dict[tuple, Any] = {}
        self._used: set[tuple] = set()
        self._noted: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    def compile(self, pattern: str, flags: int = 0) -> re.Pattern[str]:
        """re.compile(pattern, flags), from the stored code when this pattern was compiled before."""
        flags = int(flags)
        if not USABLE or not isinstance(pattern, str) or flags & re.DEBUG:
            return re.compile(pattern, flags)
        key = (pattern, flags)
        entry = self._entries().get(key) or self._added.get(key)
        if _is_entry(entry):
            with contextlib.suppress(Exception):  # a damaged entry: compile it again below
                compiled = _rebuild(pattern, entry)
                self._used.add(key)
                return compiled
        compiled, entry = _compile(pattern, flags)  # re.error for a bad pattern, as re.compile
        if entry is not None:
            self._added[key] = entry
            self._used.add(key)
        return compiled

    def derived(self, key: Derived, make: Callable[[], T] | None = None) -> T | None:
        """make(), from the store when computed before under `key` (see the module's `derived`)."""
        for found in (self._entries(), self._added):
            if key in found:
                self._used.add(key)
                return found[key]
        if make is None:
            return None
        value = make()
        self._added[key] = value
        self._used.add(key)
        return value

    def note(self, pattern: str, flags: int) -> None:
        """What is derived from (pattern, flags) is in use (see `save`)."""
        self._noted.add((pattern, flags))

    def save(self) -> None:
        """Write the patterns added since the file was read (nothing when none were). Patterns this process did
        not use are dropped once they outnumber the used ones (rules edited since), so the file stays small;
        so are values derived from patterns this process neither noted nor derived anything from."""
        if not self._added or self.path is None:
            return
        with self._lock:
            self._save()

    def _save(self) -> None:
        merged = {key: entry for key, entry in {**self._entries(), **self._added}.items() if _well_formed(key, entry)}
        used = set(self._used)
        if sum(len(key) == 2 for key in merged) > 2 * sum(len(key) == 2 for key in used):
            merged = {key: entry for key, entry in merged.items() if len(key) != 2 or key in used}
        parents = {key[1:3] for key in merged if len(key) == 4}
        live = self._noted | {key[1:3] for key in used if len(key) == 4}
        if len(parents) > 2 * len(parents & live):
            merged = {key: entry for key, entry in merged.items() if len(key) != 4 or key[1:3] in live}
        payload = marshal.dumps(merged)
        if write_cache_file(self.path, _header(payload) + payload):  # else read-only: compile at every start
            self._stored, self._added = merged, {}

    def _entries(self) -> dict[tuple, Any]:
        if self._stored is None:
            self._stored = _read(self.path)
        return self._stored


def _compile(pattern: str, flags: int) -> tuple[re.Pattern[str], Entry | None]:
    """What re._compiler.compile does, keeping the code it hands to the engine."""
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        entry = (flags | parsed.state.flags, array(_CODE, code).tobytes(), parsed.state.groups - 1, groupindex,
                 tuple(indexgroup))
        return _rebuild(pattern, entry), entry
    except re.error:  # a bad pattern: the rule file's error, as from re.compile
        raise
    except Exception:  # noqa: BLE001 - re's internals are not ours: the public way, uncached
        return re.compile(pattern, flags), None


def _entry_of(parsed: Any, flags: int) -> Entry | None:
    """The entry of a parsed pattern (None for None), as _compile makes it."""
    if parsed is None:
        return None
    state = parsed.state
    indexgroup = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    return (flags | state.flags, array(_CODE, _compiler._code(parsed, flags)).tobytes(), state.groups - 1,
            dict(state.groupdict), tuple(indexgroup))


def _rebuild(pattern: str, entry: Entry) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = entry
    return _sre.compile(pattern, flags, array(_CODE, code).tolist(), groups, groupindex, indexgroup)


def _read(path: Path | None) -> dict[tuple, Any]:
    """The stored entries, or none when the file is missing, damaged or not of this shape. An entry is checked
    where it is used (the derived store holds some 10,000: checking them all took a third of its reading)."""
    if path is None:
        return {}
    try:
        data = path.read_bytes()
        cut = data.find(b"\n") + 1
        payload = memoryview(data)[cut:]
        if data[:cut] != _header(payload):
            return {}
        data = marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _header(payload: bytes) -> bytes:
    """The file's first line: its format, the interpreter it is for and a checksum of the rest (a file damaged,
    copied from another machine or left by another Python is not read)."""
    return f"poecheck-patterns 1 {interpreter_tag()} {zlib.crc32(payload):08x}\n".encode()


def _well_formed(key: object, entry: object) -> bool:
    if isinstance(key, tuple) and len(key) == 4 and isinstance(key[0], str) and isinstance(key[1], str) \
            and isinstance(key[2], int):
        return key[0] not in ("parsed", "compiled") or entry is None or _is_entry(entry)  # the user checks other derived values
    return isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int) \
        and _is_entry(entry)


def _is_entry(entry: object) -> bool:
    """An entry as _compile makes it (None is not one)."""
    return (isinstance(entry, tuple) and len(entry) == 5 and isinstance(entry[0], int)
            and isinstance(entry[1], bytes) and isinstance(entry[2], int) and isinstance(entry[3], dict)
            and isinstance(entry[4], tuple))


def interpreter_tag() -> str:
    """What the stored code depends on besides the pattern: the Python build and its regex engine."""
    engine = f"{sys.version}|{getattr(_sre, 'MAGIC', '')}|{getattr(_sre, 'CODESIZE', '')}|{sys.implementation.name}"
    return hashlib.sha256(engine.encode()).hexdigest()[:16]
