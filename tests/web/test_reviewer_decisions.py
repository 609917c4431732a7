"""A reviewer works the queue: filters it to undecided, records a decision with an override on a report, and
sees it in the report's history and in the agreement page."""
from __future__ import annotations

import re

import pytest
from apihelp import REVIEWER

pytestmark = pytest.mark.browser


def test_reviewer_decides_with_an_override_and_sees_the_agreement(server, page, shots):
    page.goto(server + "/login")
    page.fill("input[name=key]", REVIEWER)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/queue$"))
    page.select_option("select[name=decision]", "undecided")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"decision=undecided"))
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).get_attribute("data-decision") for i in range(2)] == ["undecided", "undecided"]
    assert "decision=undecided" in page.get_attribute("#csv", "href")

    rows.filter(has_text="Halcyon").locator("a", has_text="Open").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"))
    assert page.inner_text("#verdict") == "rejectable"
    assert page.inner_text("#final-decision") == "Not decided yet."
    original = page.get_attribute("#check-dates", "data-status")
    page.select_option("#decision-form select[name=decision]", "approve")
    page.select_option("#decision-form select[name=reason]", "check_was_wrong")
    page.fill("#decision-form textarea[name=note]", "The completion date is printed in the footer.")
    page.select_option("select[name='override_status.dates']", "pass" if original != "pass" else "warn")
    page.fill("input[name='override_reason.dates']", "Signed 3 July 2025, after the engagement ended.")
    page.locator("#decide").screenshot(path=str(shots / "reviewer-decision.png"))
    page.click("#record-decision")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}#decisions$"))

    assert "approve" in page.inner_text("#final-decision")
    assert page.inner_text("#final-note") == "The completion date is printed in the footer."
    history = page.locator("#history tbody tr")
    assert history.count() == 1
    assert history.first.get_attribute("data-decision") == "approve"
    override = history.first.locator(".override[data-check=dates]")
    assert "Signed 3 July 2025" in override.inner_text() and "reviewer 1" in history.first.inner_text()

    page.click("header nav a:has-text('Agreement')")
    page.wait_for_url(re.compile(r"/agreement$"))
    assert "1 of 2 reports decided" in page.inner_text("#agreement-summary")
    assert page.inner_text("#agreement-share") == "0%"
    assert page.inner_text("#matrix tr[data-verdict=rejectable] td[data-decision=approve]") == "1"
    dates = page.locator("#overrides tr[data-check=dates]")
    assert "1 of 1" in dates.inner_text() and dates.locator(".share").inner_text() == "100%"
    page.screenshot(path=str(shots / "agreement.png"), full_page=True)

    page.goto(server + "/queue?decision=undecided")
    assert page.locator("table.queue tbody tr").count() == 1
