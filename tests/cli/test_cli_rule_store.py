"""Rule files found valid are kept parsed with their stamp (checks.rulebook): a later `poecheck check` reads them
without YAML, in the command and in its forked reader, and with the same report; a damaged stamp is written again."""
from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import yaml

from checks import rulebook

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
LETTER = str(DEV / "docs" / "dev-001" / "Services_Completion_Letter_Corvid.pdf")
CLAIM = str(DEV / "claims" / "dev-001.json")


def _check(cache: Path) -> tuple[str, str]:
    """`poecheck check --json` with `cache` as the cache folder, under -X importtime: its report and the
    modules imported by import statements (the forked reader's go to the same stderr; importlib.import_module's
    are not listed)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "OMP_THREAD_LIMIT": "1"}
    code = "import sys; from service.cli import main; sys.argv[0] = 'poecheck'; main()"
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code, "check", LETTER, "--claim", CLAIM, "--json"],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    imported = {line.rpartition("|")[2].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    return out.stdout, " ".join(sorted(imported))


def test_a_check_after_the_rules_were_found_valid_imports_no_yaml(tmp_path):
    first, first_imports = _check(tmp_path)
    assert "yaml" in first_imports.split()  # the first start parses and validates them
    again, imports = _check(tmp_path)
    assert "yaml" not in imports.split()
    assert {"pypdfium2", "checks.base"} <= set(imports.split())  # the reader's imports are listed, and the command's
    assert _without_dates(again) == _without_dates(first)


def _without_dates(report: str) -> str:
    return "\n".join(line for line in report.splitlines() if '"created_at"' not in line)


def test_the_stored_rule_files_are_the_parsed_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rulebook._stored.cache_clear()
    rulebook._parsed.cache_clear()
    rulebook.validate_all()
    rulebook._stored.cache_clear()
    rulebook._parsed.cache_clear()
    try:
        stored = rulebook._stored(rulebook.RULES_DIR)
        names = sorted(p.name for p in rulebook.RULES_DIR.glob("*.yaml"))
        assert sorted(stored) == names
        for name in names:
            assert rulebook.load_yaml(name) == yaml.safe_load((rulebook.RULES_DIR / name).read_text(encoding="utf-8"))
            assert rulebook.load_yaml(name) is stored[name]
    finally:
        rulebook._stored.cache_clear()
        rulebook._parsed.cache_clear()


def test_a_damaged_stamp_is_validated_and_written_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    rulebook._stored.cache_clear()
    rulebook.validate_all()
    (stamp,) = (tmp_path / "poecheck").glob("rules-valid-*")
    good = stamp.read_bytes()
    stamp.write_bytes(good[:100] + bytes([good[100] ^ 1]) + good[101:])
    rulebook._stored.cache_clear()
    checked: list[Path] = []
    typed = rulebook._typed
    monkeypatch.setattr(rulebook, "_typed", lambda path: checked.append(path) or typed(path))
    try:
        rulebook.validate_all()
        assert len(checked) == len(list(rulebook.RULES_DIR.glob("*.yaml")))
        assert marshal.loads(stamp.read_bytes()[4:]) == marshal.loads(good[4:])  # after its checksum
    finally:
        rulebook._stored.cache_clear()
