"""A page's marks read the same when they share what each line names (the owners memo of _mark_findings)."""
from __future__ import annotations

import pytest

from checks.findings.acknowledgements import _parties
from checks.findings.signature_marks import letterhead_owner, read_mark
from tests.checks.conftest import dev_pdf


@pytest.mark.parametrize("case", ["dev-001", "dev-002", "dev-003", "dev-012", "dev-013", "dev-014", "dev-015",
                                  "dev-016"])
def test_marks_read_with_a_shared_memo_read_as_alone(case):
    claim, docs = dev_pdf(case)
    parties = _parties(claim)
    read = 0
    for doc in docs:
        head = letterhead_owner(doc, parties, claim)
        for part in doc.parts:
            owners: dict = {}
            for mark in part.ink_marks or ():
                args = {"parties": parties, "claim": claim, "letterhead": head, "order": "DMY"}
                assert read_mark(part, mark, **args, owners=owners) == read_mark(part, mark, **args)
                read += 1
    assert read
