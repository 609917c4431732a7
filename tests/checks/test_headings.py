"""A signature heading is told by the same rule whether or not the rules without party names are first tried
together (one match of them all, then each in turn only where one of them matches)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import checks.findings.acknowledgements  # noqa: F401 - the module, not its acknowledgements() (same name)
from service.claims import load_claim
from tests.checks.test_fastscan import _texts

ACK = sys.modules["checks.findings.acknowledgements"]
CLAIMS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "claims").glob("*.json"))[:12]


def test_the_unnamed_rules_are_joined():
    assert ACK._unnamed_headings() is not None


@pytest.mark.parametrize("claim_file", CLAIMS, ids=lambda p: p.stem)
def test_a_heading_is_the_same_with_and_without_the_joined_rules(claim_file, monkeypatch):
    claim = load_claim(claim_file)
    parties = ACK._parties(claim)
    lines = [line for text in _texts() for _pos, line in ACK._lines(text) if line]
    lines += [f"{lead}{name}{tail}" for name in (claim.customer.name, claim.partner.name)  # the named rules
              for lead in ("", "For and on behalf of ", "Signed for ", "Accepted by ") for tail in ("", " Signature", " (Customer)", ":")]
    joined = [ACK._heading(line, parties) for line in lines]
    monkeypatch.setattr(ACK, "_unnamed_headings", lambda: None)
    assert joined == [ACK._heading(line, parties) for line in lines]
    assert any(joined) and any(head and head[1] in ("for_customer_name", "customer_name_heading") for head in joined)
