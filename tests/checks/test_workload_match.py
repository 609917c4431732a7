from __future__ import annotations

import pytest

from checks.rulebook import workloads
from checks.workload_match import CHECK


def _run(build, text, claimed):
    claim = build.claim().model_copy(update={"workloads": claimed})
    return CHECK.run(claim, [build.pdf(text)], build.ctx(claim))


ALIASES = [(wid, alias) for wid, wl in workloads().items() for alias in wl.names]


@pytest.mark.parametrize(("wid", "alias"), ALIASES, ids=[f"{w}-{a}" for w, a in ALIASES])
def test_every_alias_names_its_workload(build, wid, alias):
    res = _run(build, f"We deployed {alias} for the customer.", [wid])
    assert res.status == "pass", alias


@pytest.mark.parametrize(
    ("text", "claimed", "status"),
    [
        pytest.param("Onboarded devices to Microsoft Defender\nfor Endpoint.", ["MDE"], "pass", id="line-wrap"),
        pytest.param("Onboarded devices to Defender for Endp0int.", ["MDE"], "pass", id="ocr-digit"),
        pytest.param("Onboarded devices to Defendr for Endpoint.", ["MDE"], "pass", id="ocr-missing-letter"),
        pytest.param("Configured INTUNE compliance policies.", ["INTUNE"], "pass", id="upper-case-name"),
        pytest.param("the mde team and mip labels", ["MDE"], "fail", id="lower-case-acronym-ignored"),
        pytest.param("Remember the MDEX tool.", ["MDE"], "fail", id="acronym-inside-token"),
        pytest.param("Enabled Microsoft Entra ID P1 conditional access.", ["ENTRA_ID_P2"], "fail", id="p1-is-not-p2"),
        pytest.param("Deployed Defender for Endpoint.", ["MDE", "INTUNE"], "warn", id="one-of-two"),
        pytest.param("Deployed Defender for Cloud Apps.", ["MDI"], "fail", id="other-workload"),
        pytest.param("Windows Defender Antivirus runs on all PCs.", ["MDE"], "fail", id="fuzzy-whole-words-only"),
        pytest.param("Onboarded devices to Windows Defender ATP.", ["MDE"], "pass", id="whole-alias-still-found"),
        pytest.param("Tuned anti-phishing in Defender for O365.", ["MDO"], "pass", id="o365-abbreviation"),
        pytest.param("Rolled out Azure AD Premium Plan 2 risk policies.", ["ENTRA_ID_P2"], "pass", id="plan-2-spelled-out"),
        pytest.param("Rolled out Azure AD Premium Plan 1 policies.", ["ENTRA_ID_P2"], "fail", id="plan-1-is-not-p2"),
    ],
)
def test_workload_match(build, text, claimed, status):
    res = _run(build, text, claimed)
    assert res.status == status
    assert res.blocking is (status != "warn")


def test_unclaimed_workloads_reported(build):
    res = _run(build, "Deployed Defender for Endpoint and Microsoft Intune.", ["MDE"])
    assert res.status == "pass"
    assert "Microsoft Intune" in res.message
    assert res.details["unclaimed_named"] == ["INTUNE"]


@pytest.mark.parametrize(("case", "status"), [("dev-003", "pass"), ("dev-029", "fail"), ("dev-030", "warn")])
def test_real_letters(build, case, status):
    claim, docs = build.dev_pdf(case)
    assert CHECK.run(claim, docs, build.ctx(claim)).status == status
