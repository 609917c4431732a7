"""activity_detail: customer-specific detail: at least 3 of scope of work, need, outcome, timeline, counts.

Scope of work: at least two specific activities that count (applicable_activities) on different
lines. Need and outcome: cues of rules/detail.yaml in sentences that are not generic product copy.
Timeline and counts reuse engagement_timeline and user_counts. 3+ `pass`, 2 `warn`, fewer `fail`.
"""
from __future__ import annotations

from collections.abc import Sequence

from checks.base import CheckContext, evidence, iter_parts, result
from checks.fastscan import scanner
from checks.findings import findings_of
from checks.findings.activities import delivered_weight
from checks.findings.marketing import MIN_WORDS, marketing_sentences
from checks.textutil import fold, line_at, pattern, sentences
from models import CheckResult, Claim, Document, Evidence

_NAMES = {"scope": "scope of work", "need": "customer need", "outcome": "outcome",
          "timeline": "timeline", "counts": "user/device counts"}


class ActivityDetail:
    id = "activity_detail"
    blocking = False

    def run(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> CheckResult:
        found: dict[str, Evidence] = {}
        acts = findings_of(claim, docs, ctx).activities
        work = [(p, a) for p, a in acts if a.applicable and a.excluded is None]
        strong = [(p, a) for p, a in work if a.weight >= 1]
        # the scope is the work described: two lines of it, or items that together weigh as much (a table of nouns)
        if len({(p.path, line_at(p.text, a.start)) for p, a in strong}) >= 2 or delivered_weight(acts) >= 2:
            p, a = work[0]
            found["scope"] = evidence(p, a.start, a.end, rule_id="scope", context=40)
        holders = scanner(pattern("generic.yaml", "placeholders", flags=0))
        cues = {"need": scanner(pattern("detail.yaml", "need")), "outcome": scanner(pattern("detail.yaml", "outcome"))}
        for _doc, part in iter_parts(docs):
            if not cues:  # each cue's first sentence is found: the other sentences are not looked at
                break
            text = fold(part.text)
            copy = marketing_sentences(text)
            for s, e in sentences(text):
                if not cues:
                    break
                if len(text[s:e].split()) < MIN_WORDS or (s, e) in copy or holders.search_span(text, s, e):
                    continue
                for key, rx in list(cues.items()):
                    if rx.search_span(text, s, e):
                        found[key] = evidence(part, s, e, rule_id=key)
                        del cues[key]
        timeline = findings_of(claim, docs, ctx).timeline
        if timeline:
            p, h = timeline[0]
            found["timeline"] = evidence(p, h.start, h.end, rule_id="timeline", context=30)
        counts = findings_of(claim, docs, ctx).counts
        if counts:
            p, c, _w = counts[0]
            found["counts"] = evidence(p, c.start, c.end, rule_id="counts")
        have = [k for k in _NAMES if k in found]
        missing = [_NAMES[k] for k in _NAMES if k not in found]
        details = {"elements": have, "missing": [k for k in _NAMES if k not in found]}
        ev = [found[k] for k in have]
        if len(have) >= 3:
            return result(self, "pass", f"{len(have)} of 5 detail elements present ({', '.join(_NAMES[k] for k in have)})",
                          evidence=ev, details=details)
        status = "warn" if len(have) == 2 else "fail"
        return result(self, status, f"only {len(have)} of 5 detail elements present; missing {', '.join(missing)}",
                      evidence=ev, details=details,
                      remediation="Describe this customer's engagement: the work per workload, the customer's need, "
                                  "the outcome, the dates or duration, and how many users or devices were covered.")


CHECK = ActivityDetail()
