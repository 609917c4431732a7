from __future__ import annotations

import re

import pytest

from checks.licensing_only import CHECK
from checks.textutil import rules


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("Quotation Q-2025-0042\nItem Qty Unit price\nDefender for Endpoint P2 annual subscription 500 $62.40\n"
                     "Total (excl. tax) $31,200.00\nUpon acceptance we will place the order.", "fail", id="quote"),
        pytest.param("Renewal of your licences: 800 Intune seats for a 12-month term at the listed price.", "fail",
                     id="renewal"),
        pytest.param("PURCHASE ORDER PO-7781 for Microsoft 365 E5 licenses through the CSP program.", "fail",
                     id="purchase-order"),
        pytest.param("We deployed Defender for Endpoint to 900 devices and configured ASR rules. Licences were "
                     "purchased through CSP at the listed price.", "pass", id="completion-mentions-licences"),
        pytest.param("We onboarded 900 devices after the customer's licence renewal.", "pass", id="renewal-in-passing"),
        pytest.param("We onboarded 900 devices and configured policies.", "pass", id="no-licensing"),
    ],
)
def test_licensing_only(build, text, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == status, res.details
    if status == "fail":
        assert res.blocking and res.evidence and res.remediation


@pytest.mark.parametrize(("case", "status"), [("dev-022", "fail"), ("dev-002", "pass")])
def test_real_documents(build, case, status):
    claim, docs = build.dev_pdf(case)
    assert CHECK.run(claim, docs, build.ctx(claim)).status == status


def test_a_title_at_a_line_start_stays_on_its_line():
    """Before: '^\\s*quotation' ran over every blank line after each line start, so a page of blank lines cost
    its length squared (2,000 blank lines: 0.46 s in this check alone); '^[^\\S\\n]*' stays on the line."""
    types = rules("licensing.yaml", "document_types", flags=re.IGNORECASE | re.MULTILINE)
    for rule in types:
        assert "^\\s*" not in rule.pattern.pattern, rule.id
    quote = next(r for r in types if r.id == "quotation").pattern
    assert quote.search("Terms\n\n   \n  Quotation Q-1001\n").group().strip() == "Quotation"
