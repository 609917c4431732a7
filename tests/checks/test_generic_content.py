from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.generic_content import _SEPARATOR_MARK, CHECK, _items

SPECIFIC = ("Brightwater onboarded 900 laptops to Defender for Endpoint in three rings.\n"
            "We configured attack surface reduction rules and tuned alerts for the finance team.\n"
            "The rollout finished on 3 March 2025, and Calloway retired its legacy antivirus.\n")
MARKETING = ("Defender is an industry-leading solution that helps organizations of every size stay ahead of threats. "
             "It empowers your workforce to be productive anywhere, on any device. "
             "Seamless integration maximizes the value of existing investments. ")


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param(SPECIFIC, "pass", id="specific"),
        pytest.param(SPECIFIC + "Work was delivered in 4 phases: discovery and design, pilot, tuning and handover.",
                     "pass", id="phase-list-with-specific-work"),
        pytest.param(MARKETING + "Brightwater deployed Defender for Calloway.", "fail", id="marketing"),
        pytest.param("Brightwater deployed Defender for Calloway.\n"
                     "Defender for Endpoint: Planning, Deployment, Configuration, Testing, Ongoing support\n", "warn",
                     id="bare-task-list"),
        pytest.param(SPECIFIC + "Project dates: [start date] to [end date]. [Customer Name] approved.", "fail",
                     id="placeholders"),
        pytest.param(SPECIFIC + "Key outcomes: insert outcomes here.", "warn", id="insert-here"),
        pytest.param(SPECIFIC + "Covered {{user_count}} users.", "warn", id="mustache"),
        pytest.param(SPECIFIC + "Contact: <a.user@callowaybev.com> [OCR] [1]", "pass", id="not-placeholders"),
        pytest.param(SPECIFIC + "Customer name: __________\nStart date: ________", "fail", id="blank-form-fields"),
        pytest.param(SPECIFIC + "Signature: __________\nName: __________\nDate: ________", "pass",
                     id="blank-signature-lines-are-not-placeholders"),
    ],
)
def test_generic_content(build, text, status):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == status, res.details
    assert res.blocking is False
    if status != "pass":
        assert res.evidence and res.remediation


@pytest.mark.parametrize(("case", "status"), [("dev-001", "pass"), ("dev-026", "fail"), ("dev-027", "warn"),
                                              ("dev-028", "fail")])
def test_real_letters(build, case, status):
    claim, docs = build.dev_pdf(case)
    assert CHECK.run(claim, docs, build.ctx(claim)).status == status


_PIECES = [*" \t,;/&+.-*•:", "and", "AND", "And", "band", "ands", "plan", "Test", "x"]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join) | st.text(max_size=40))
def test_a_line_with_fewer_than_two_separator_marks_lists_fewer_than_three_items(line):
    """_task_list looks at the items of a line only when it has two marks of a separator (most lines do not)."""
    if len(_SEPARATOR_MARK.findall(line)) < 2:
        assert len(_items(line)) < 3
