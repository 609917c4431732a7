"""The rulebook and the shape of checks/: one loader validated at start, checks that never import each other,
and the same check ids in the registry, the weights and the labelled corpora."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checks import rulebook
from checks.registry import CHECK_IDS
from checks.rulebook import load_yaml

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ROOT / "checks"
#: Modules of checks/ that are not checks: what a check may import.
SHARED = {"base", "findings", "rulebook", "registry", "runner", "scoring", "textutil", "datefind", "fastscan", "unexpected",
          "rulebook_files", "patterncache", "datefast", "literals"}


def _check_modules() -> list[Path]:
    return [p for p in CHECKS.glob("*.py") if p.stem not in SHARED and p.stem != "__init__"]


def test_no_check_imports_another_check():
    checks = {p.stem for p in _check_modules()}
    offenders = []
    for path in [*CHECKS.glob("*.py"), *CHECKS.glob("findings/*.py")]:
        if path.stem == "registry":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                parts = name.split(".")
                if parts[0] == "checks" and len(parts) > 1 and parts[1] in checks and parts[1] != path.stem:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_registry_weights_and_labels_name_the_same_checks():
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)
    assert set(load_yaml("weights.yaml")["weights"]) == set(CHECK_IDS)
    assert {p.stem for p in _check_modules()} == set(CHECK_IDS)
    for corpus in ("poe_dev", "poe_holdout", "poe_ext"):
        labelled = set()
        for line in (ROOT / "fixtures" / corpus / "labels.jsonl").read_text().splitlines():
            labelled |= set(json.loads(line)["expected_checks"])
        assert labelled <= set(CHECK_IDS), (corpus, labelled - set(CHECK_IDS))
        assert len(labelled) >= 14, corpus


def test_a_broken_rule_file_stops_start_up_naming_the_file(tmp_path):
    """Before: a broken activities.yaml turned four checks into warnings on every claim while the service ran."""
    for f in (CHECKS / "rules").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "activities.yaml").write_text("version: 1\napplicable: [unclosed\n")
    probe = ("import sys; from checks import rulebook; rulebook.RULES_DIR = __import__('pathlib').Path(sys.argv[1]);"
             "from service.cli import validate_rules\n"
             "from service.errors import RulesInvalid\n"
             "try:\n    validate_rules()\nexcept RulesInvalid as exc:\n    print(exc.code, exc.message)\n")
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("rules_invalid") and "activities.yaml" in out.stdout


def test_the_shipped_rules_validate():
    rulebook.validate_all()


def _copy_rules(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for f in (CHECKS / "rules").iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    return tmp_path


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _set(data: dict, where: tuple, value) -> None:
    for key in where[:-1]:
        data = data[key]
    data[where[-1]] = value


@pytest.mark.parametrize(("file", "change", "said"), [
    pytest.param("activities.yaml", lambda d: _set(d, ("applicable", 0, "weight"), "heavy"),
                 "activities.yaml: applicable.0.weight: Input should be a valid number", id="type"),
    pytest.param("licensing.yaml", lambda d: _set(d, ("terms", 1, "patterns", 0), "(unclosed"),
                 "licensing.yaml: terms.1.patterns.0: Value error, not a valid regex", id="regex"),
    pytest.param("acknowledgement.yaml", lambda d: _set(d, ("labels", 0, "pattern"), r"(?<=\w+)name"),
                 "acknowledgement.yaml: labels.0.pattern: Value error, not a valid regex: look-behind", id="look-behind"),
    pytest.param("eligibility.yaml", lambda d: d["cues"].pop(), "eligibility.yaml: cues: Value error, lacks rule id",
                 id="rule-id-the-code-needs"),
    pytest.param("generic.yaml", lambda d: _set(d, ("thresholds", "marketing_share"), 2),
                 "generic.yaml: thresholds.marketing_share: Input should be less than or equal to 1", id="range"),
    pytest.param("detail.yaml", lambda d: d.update(timline=d.pop("timeline")), "detail.yaml: timeline: Field required",
                 id="misspelt-list"),
    pytest.param("workloads.yaml", lambda d: d["workloads"].pop("MDE"), "workloads.yaml: workloads: Value error, must "
                 "define exactly", id="workload-ids"),
])
def test_a_broken_field_names_the_file_and_the_field(tmp_path, monkeypatch, file, change, said):
    rules = _copy_rules(tmp_path)
    _edit(rules / file, change)
    monkeypatch.setattr(rulebook, "RULES_DIR", rules)
    with pytest.raises(rulebook.RuleFileError) as err:
        rulebook.validate_all()
    assert str(err.value).startswith(str(rules / file)), str(err.value)
    assert said in str(err.value)


def test_a_rule_file_without_a_model_stops_start_up(tmp_path, monkeypatch):
    rules = _copy_rules(tmp_path)
    (rules / "zz_new.yaml").write_text("version: 1\nwords: [a]\n")
    monkeypatch.setattr(rulebook, "RULES_DIR", rules)
    with pytest.raises(rulebook.RuleFileError, match="zz_new.yaml: no model describes this rule file"):
        rulebook.validate_all()


def test_rule_files_found_valid_are_not_validated_again_until_they_change(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(rulebook, "RULES_DIR", _copy_rules(tmp_path / "first"))
    rulebook.validate_all()
    assert len(list((tmp_path / "cache" / "poecheck").glob("rules-valid-*"))) == 1
    with monkeypatch.context() as m:  # the same files elsewhere: the stamp says they are valid
        checked = []
        m.setattr(rulebook, "_typed", checked.append)
        m.setattr(rulebook, "RULES_DIR", _copy_rules(tmp_path / "same"))
        rulebook.validate_all()
        assert checked == []
    edited = _copy_rules(tmp_path / "edited")
    _edit(edited / "licensing.yaml", lambda d: _set(d, ("thresholds", "terms_without_type"), 0))
    monkeypatch.setattr(rulebook, "RULES_DIR", edited)
    with pytest.raises(rulebook.RuleFileError, match="thresholds.terms_without_type"):
        rulebook.validate_all()
