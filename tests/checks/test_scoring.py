from __future__ import annotations

import pytest

from checks.scoring import rules_version, score, verdict
from models import CheckResult


def r(cid: str, status: str, blocking: bool = True) -> CheckResult:
    return CheckResult(id=cid, status=status, blocking=blocking, message="m")


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        pytest.param([r("dates", "pass"), r("tenant_match", "not_applicable")], "approvable", id="all-pass"),
        pytest.param([r("dates", "pass"), r("party_names", "warn", False)], "needs_more_poe", id="warn"),
        pytest.param([r("dates", "pass"), r("activity_detail", "fail", False)], "needs_more_poe", id="nonblocking-fail"),
        pytest.param([r("dates", "fail"), r("party_names", "warn", False)], "rejectable", id="blocking-fail"),
        pytest.param([r("workload_match", "warn", True)], "needs_more_poe", id="blocking-check-warn"),
    ],
)
def test_verdict_follows_the_spec_rule(results, expected):
    assert verdict(results) == expected


def test_score_is_weighted_and_never_high_for_rejectable():
    assert score([r("dates", "pass"), r("party_names", "pass", False)]) == 100
    assert score([r("dates", "not_applicable")]) == 0
    mixed = score([r("dates", "pass"), r("party_names", "warn", False)])
    assert 0 < mixed < 100
    assert score([r("dates", "fail"), *[r(c, "pass", False) for c in ("party_names", "user_counts")]]) <= 49


def test_rules_version_is_stamped():
    assert rules_version()


def test_rules_version_follows_rule_content(tmp_path, monkeypatch):
    """Editing any rule file changes the version (it keys batch results), without a hand-made bump."""
    from checks import rulebook

    for f in rulebook.RULES_DIR.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(rulebook, "RULES_DIR", tmp_path)
    rulebook.rules_version.cache_clear()
    before = rulebook.rules_version()
    with (tmp_path / "activities.yaml").open("a") as fh:
        fh.write("\n# an edit\n")
    rulebook.rules_version.cache_clear()
    after = rulebook.rules_version()
    rulebook.rules_version.cache_clear()
    assert before != after and after.startswith("rules-")
