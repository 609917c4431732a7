"""generic_content: the POE is not generic marketing copy, a bare task list or an unfilled template.

`fail` on two or more unfilled placeholders or copy that is at least half marketing; `warn` on one
placeholder, marketing-heavy copy, or a bare list of task names ("Planning, Deployment, Testing") with
no more than one sentence of specific work.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from checks.base import CheckContext, evidence, iter_parts, result
from checks.fastscan import scanner
from checks.findings import findings_of
from checks.findings.marketing import marketing_sentences
from checks.rulebook import RULES_DIR, RuleFileError
from checks.textutil import fold, line_at, rule_file, rules, sentences
from models import CheckResult, Claim, Document

_FILE = "generic.yaml"
_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b|&|\+)\s*", re.IGNORECASE)
_LABEL = re.compile(r"^[^:]{0,60}:\s*")
#: What each of _SPLIT's separators holds one of: a line with fewer than two has fewer than three items.
_SEPARATOR_MARK = re.compile(r"[,;/&+]|and", re.IGNORECASE)


@lru_cache(maxsize=1)
def _settings() -> tuple[frozenset[str], dict[str, float]]:
    data = rule_file(_FILE)
    try:
        words = frozenset(str(w).lower() for w in data["task_words"])
        limits = {k: float(data["thresholds"][k]) for k in ("marketing_warn", "marketing_share", "placeholder_fail")}
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleFileError(f"{RULES_DIR / _FILE}: {exc}") from exc
    return words, limits


def _task_list(line: str, words: frozenset[str]) -> bool:
    """A line made only of three or more generic task names, optionally after a 'Label:' prefix."""
    if len(_SEPARATOR_MARK.findall(line)) < 2:  # most lines: fewer than three items
        return False
    items = _items(line)
    return len(items) >= 3 and all(i in words for i in items)


def _items(line: str) -> list[str]:
    """The items a line lists, lower-cased, after a 'Label:' prefix."""
    body = _LABEL.sub("", line.strip().strip("-*• "), count=1).strip(" .")
    return [i.strip(" .-").lower() for i in _SPLIT.split(body) if i.strip(" .-")]


class GenericContent:
    id = "generic_content"
    blocking = False

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        words, limits = _settings()
        holders, generic, task_lines = [], [], []
        prose = 0
        list_spans: set[tuple[str, int]] = set()
        for _doc, part in iter_parts(docs):
            text = fold(part.text)
            copy = marketing_sentences(text)
            for rule in rules(_FILE, "placeholders", flags=0):
                holders += [evidence(part, m.start(), m.end(), rule_id=rule.id) for m in scanner(rule.pattern).finditer(text)]
            for s, e in sentences(text):
                sent = text[s:e]
                if len(sent.split()) < 6:
                    continue
                prose += 1
                if (s, e) in copy:
                    generic.append(evidence(part, s, e, rule_id="marketing"))
            pos = 0
            for line in text.split("\n"):
                if _task_list(line, words):
                    task_lines.append(evidence(part, pos, pos + len(line), rule_id="task_list"))
                    list_spans.add((part.path, pos))
                pos += len(line) + 1
        specific = {(p.path, line_at(p.text, a.start)) for p, a in findings_of(claim, docs, ctx).activities
                    if a.applicable and a.excluded is None and a.weight >= 1
                    and (p.path, line_at(p.text, a.start)[0]) not in list_spans}
        share = len(generic) / prose if prose else 0.0
        details = {"placeholders": len(holders), "marketing_sentences": len(generic), "prose_sentences": prose,
                   "task_list_lines": len(task_lines), "specific_work_lines": len(specific)}
        findings, status, ev = [], "pass", []
        if holders:
            findings.append(f"{len(holders)} unfilled template placeholder(s)")
            status = "fail" if len(holders) >= limits["placeholder_fail"] else "warn"
            ev += holders
        if len(generic) >= limits["marketing_warn"] and share >= limits["marketing_share"]:
            findings.append(f"{len(generic)} of {prose} sentences are generic product copy")
            status = "fail" if share >= 0.5 or status == "fail" else "warn"
            ev += generic
        if task_lines and len(specific) <= 1:
            findings.append("a bare list of task names instead of the work done")
            status = status if status == "fail" else "warn"
            ev += task_lines
        if status == "pass":
            return result(self, "pass", "the POE describes this engagement specifically", details=details)
        return result(self, status, "; ".join(findings), evidence=ev, details=details,
                      remediation="Replace template text and product marketing with what was done for this "
                                  "customer: the work per workload, counts, dates and results.")


CHECK = GenericContent()
