"""checks.base: the result a check returns."""
from __future__ import annotations

from checks.base import result
from models import Evidence


class _Check:
    id = "user_counts"
    blocking = False


def test_a_result_holds_the_first_20_of_its_evidence_and_the_rest_is_not_made():
    made: list[int] = []

    def evidence():
        for i in range(50):
            made.append(i)
            yield Evidence(file="a.pdf", part="a.pdf", page=1, start=i, end=i + 1, quote="x", rule_id="count_users")

    got = result(_Check, "pass", "counts are stated", evidence=evidence())
    assert [e.start for e in got.evidence] == list(range(20))
    assert made == list(range(20))
    assert len(result(_Check, "pass", "counts are stated", evidence=list(evidence())).evidence) == 20
