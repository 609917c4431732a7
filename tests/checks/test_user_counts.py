from __future__ import annotations

import pytest

from checks.user_counts import CHECK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("The rollout reached 2,275 licensed users and 2,209 Windows endpoints.",
                     {"overall": {"seats": 2275, "devices": 2209}}, id="users-endpoints"),
        pytest.param("Scale at completion: 3,825 users, 3,388 devices, 3,830 mailboxes.",
                     {"overall": {"users": 3825, "devices": 3388, "mailboxes": 3830}}, id="scale-line"),
        pytest.param("Onboarded 1,009 Windows 10/11 workstations to Defender for Endpoint.",
                     {"MDE": {"devices": 1009}}, id="tied-to-workload-not-windows-11"),
        pytest.param("Users: 1 234 | Devices: 980", {"overall": {"users": 1234, "devices": 980}}, id="table-ocr"),
        pytest.param("Protected 450 seats of Office 365 users.", {"overall": {"seats": 450}}, id="office-365-not-a-count"),
        pytest.param("Data loss prevention policies covering 410 staff.", {"overall": {"users": 410}}, id="staff"),
        pytest.param("Risk policies for all 740 colleagues.", {"overall": {"users": 740}}, id="colleagues"),
        pytest.param("Devices for 2,300 students.", {"overall": {"users": 2300}}, id="students"),
        # before: "the" ends in "e", read as the "E" of a licence plan ("E5"), so the count was dropped
        pytest.param("We enrolled the 300 devices of the head office.", {"overall": {"devices": 300}},
                     id="word-ending-in-e-before-the-number"),
        pytest.param("Trained some 120 users in two sessions.", {"overall": {"users": 120}},
                     id="word-ending-in-e-no-article"),
    ],
)
def test_counts_found(build, text, expected):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == "pass"
    assert res.details["counts"] == expected


@pytest.mark.parametrize("text", [
    pytest.param("We trained 13 members of the IT team of 3 people.", id="people-are-not-users"),
    pytest.param("Microsoft 365 E5 for Windows 11 devices.", id="product-versions"),
    pytest.param("Covered [number of users] users.", id="placeholder"),
])
def test_no_counts(build, text):
    claim = build.claim()
    res = CHECK.run(claim, [build.pdf(text)], build.ctx(claim))
    assert res.status == "warn"
    assert res.remediation


def test_real_letter(build):
    claim, docs = build.dev_pdf("dev-003")
    res = CHECK.run(claim, docs, build.ctx(claim))
    assert res.status == "pass"
    assert res.details["counts"]["MDO"] == {"mailboxes": 281}


def _letters() -> list[str]:
    """The dev corpus's letters, and label lines written every way a count's label is ("Users: 1,200")."""
    from tests.checks.test_fastscan import _texts  # reason: the dev letters as that test reads them

    labels = ("Users: 1,200", "Benutzer = 45 | Geräte: 30", "staff\n  members :\n 12", "PC:ar: 9;", "Clients: 7",
              "Ordinateurs portables | 14", "note (users): 3", "User accounts,: 4", "x.devices: 5")
    return [*_texts(), "\n".join(labels), " ".join(labels) * 3, "; ".join(labels).upper()]


def test_label_counts_are_looked_for_only_before_a_label_yet_found_as_everywhere():
    from checks.findings.counts import _count_rx, _label_stops, _labelled  # reason: the internals compared

    _after, before, _ = _count_rx()
    assert _label_stops() is not None  # the units are bounded, so the fast path is taken
    found = 0
    for text in _letters():
        want = [(m.span(), m.groupdict()) for m in before.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in _labelled(before, text)] == want
        found += len(want)
    assert found >= 10
