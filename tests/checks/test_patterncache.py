"""The pattern store: rule patterns rebuilt from stored engine code are the patterns re.compile makes, and a
missing, damaged or foreign store only costs a compile."""
from __future__ import annotations

import marshal
import re

import pytest

from checks import patterncache
from checks.patterncache import PatternStore
from checks.rulebook import RULES_DIR, load_yaml
from checks.textutil import phrase_pattern

FLAGS = int(re.IGNORECASE | re.MULTILINE)
#: Shapes the rule files use: named groups, back-references, look-arounds, inline flags, classes, Unicode.
SHAPES = [r"(?P<ysep>[/.])\d\d(?P=ysep)", r"(?<![\w.])(?:19|20)\d\d", r"(?i)^\s*re:", r"[^\W\d_]+", r"ma(?:ä|ae)rz",
          r"\bapproved\b(?!\s+by)", r"(a)|(b)|(?P<c>c)", r"x{2,5}?"]


def _rule_patterns() -> list[str]:
    """Every regex and phrase of the rule files (the patterns the store keeps, and their shapes)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("patterns", "pattern") and isinstance(value, (list, str)):
                    found.extend([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
                elif key == "terms" and isinstance(value, list):
                    found.extend(phrase_pattern(str(t)) for t in value if str(t).strip())
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted(RULES_DIR.glob("*.yaml")):
        walk(load_yaml(path.name))
    return [p.replace("{customer}", "x").replace("{partner}", "y") for p in found]


def _compiled_before(path, patterns: list[str]) -> None:
    store = PatternStore(path)
    for pattern in patterns:
        store.compile(pattern, FLAGS)
    store.save()


def test_rule_patterns_rebuilt_from_the_store_are_re_compiles(tmp_path, monkeypatch):
    patterns = [*_rule_patterns(), *SHAPES]
    assert len(patterns) > 400
    _compiled_before(tmp_path / "patterns.marshal", patterns)

    def no_parsing(*args, **kwargs):
        raise AssertionError("a stored pattern was parsed again")

    with monkeypatch.context() as m:
        m.setattr(patterncache._parser, "parse", no_parsing)
        store = PatternStore(tmp_path / "patterns.marshal")
        stored = [store.compile(pattern, FLAGS) for pattern in patterns]
    for pattern, rebuilt in zip(patterns, stored, strict=True):
        expected = re.compile(pattern, FLAGS)
        assert rebuilt == expected, pattern  # equal patterns have the same flags and engine code
        assert (rebuilt.groups, rebuilt.groupindex) == (expected.groups, expected.groupindex), pattern
    text = "Approved on 2025/03/14 by Contoso; RE: März deployment of Defender, xxx (c)"
    assert [m.span() for m in store.compile(SHAPES[0], FLAGS).finditer(text)] == [(16, 20)]


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


@pytest.mark.parametrize("damage", [
    pytest.param(lambda data: b"", id="empty"),
    pytest.param(lambda data: b"\x00garbage", id="garbage"),
    pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
    pytest.param(_flip_last_byte, id="flipped-bit"),
    pytest.param(lambda data: data.replace(patterncache.interpreter_tag().encode(), b"0" * 16, 1), id="other-python"),
    pytest.param(lambda data: marshal.dumps({(SHAPES[0], FLAGS): (FLAGS, b"\x01\x00\x00\x00", 1, {}, (None,))}),
                 id="no-header"),
])
def test_a_damaged_or_foreign_store_compiles_again(tmp_path, damage):
    path = tmp_path / "patterns.marshal"
    _compiled_before(path, SHAPES)
    path.write_bytes(damage(path.read_bytes()))
    store = PatternStore(path)
    assert [store.compile(p, FLAGS) for p in SHAPES] == [re.compile(p, FLAGS) for p in SHAPES]
    store.save()
    assert PatternStore(path).compile(SHAPES[0], FLAGS) == re.compile(SHAPES[0], FLAGS)


def test_a_bad_pattern_raises_as_re_compile_does(tmp_path):
    with pytest.raises(re.error, match="missing \\)"):
        PatternStore(tmp_path / "patterns.marshal").compile("(unclosed", FLAGS)


def test_no_cache_folder_means_compiling_every_time(tmp_path):
    (tmp_path / "file").write_text("a file, not a folder")
    store = PatternStore(tmp_path / "file" / "patterns.marshal")
    assert store.compile(SHAPES[1]) == re.compile(SHAPES[1])
    store.save()  # cannot write: no error
    assert PatternStore(None).compile(SHAPES[1]) == re.compile(SHAPES[1])


def test_patterns_no_longer_used_leave_the_store(tmp_path):
    path = tmp_path / "patterns.marshal"
    _compiled_before(path, SHAPES)
    _compiled_before(path, SHAPES[:1] + [r"edited\s+rule"])
    assert set(marshal.loads(path.read_bytes().partition(b"\n")[2])) == {(SHAPES[0], FLAGS), (r"edited\s+rule", FLAGS)}


def _written(path, entries: dict) -> None:
    """A store file with a good header (as a store of this interpreter writes it) holding `entries`."""
    payload = marshal.dumps(entries)
    path.write_bytes(patterncache._header(payload) + payload)


def test_a_store_s_entry_of_another_shape_is_compiled_again_and_dropped_on_save(tmp_path, monkeypatch):
    """Entries are checked where they are used (not all when the file is read): one of another shape (an older
    layout) costs a compile, and the next save leaves it out."""
    path = tmp_path / "patterns.marshal"
    rx = re.compile(r"\bvocabulary\b", re.IGNORECASE)
    bad = (FLAGS, "not code", 0, {}, ())
    _written(path, {(SHAPES[0], FLAGS): bad, (SHAPES[1], FLAGS): (FLAGS,), 42: "not a key",
                    ("parsed", rx.pattern, int(rx.flags), "cut"): bad,
                    ("compiled", rx.pattern, int(rx.flags), r"(?=voc)"): ["not", "an", "entry"]})
    store = PatternStore(path)
    monkeypatch.setattr(patterncache, "derived_store", lambda: store)
    assert [store.compile(p, FLAGS) for p in SHAPES[:2]] == [re.compile(p, FLAGS) for p in SHAPES[:2]]
    assert patterncache.compile_parsed(rx, "cut", lambda: patterncache._parser.parse(rx.pattern, rx.flags)) == rx
    assert patterncache.compile_derived(rx, r"(?=voc)") == re.compile(r"(?=voc)")
    store.save()
    kept = marshal.loads(path.read_bytes().partition(b"\n")[2])
    assert set(kept) == {(SHAPES[0], FLAGS), (SHAPES[1], FLAGS)}
    assert all(patterncache._is_entry(entry) for entry in kept.values())
