"""A partner self-checks a POE in the browser; a reviewer filters the queue and reads a report's evidence."""
from __future__ import annotations

import re

import pytest
from apihelp import DEV, PARTNER_A, REVIEWER

pytestmark = pytest.mark.browser


def _login(page, url, key):
    page.goto(url + "/login")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")


def test_login_rejects_an_unknown_key(server, page):
    _login(page, server, "not-a-key")
    assert page.locator(".error").inner_text() == "Unknown key."
    page.goto(server + "/queue")
    assert "/login" in page.url


def test_partner_self_check_shows_verdict_and_remediation(server, page, shots):
    _login(page, server, PARTNER_A)
    page.wait_for_url(re.compile(r"/self-check$"))
    assert page.input_value("input[name=partner_id]") == "8616805"
    page.set_input_files("input[name=files]", str(DEV / "docs/dev-014/Certificate_of_Project_Completion_Amberfield.pdf"))
    page.fill("input[name=partner_name]", "Tidemark Secure Solutions Inc.")
    page.fill("input[name=partner_domains]", "tidemarksecure.com")
    page.fill("input[name=customer_name]", "Amberfield Foods Ltd")
    page.fill("input[name=customer_domains]", "amberfieldfoods.co.uk")
    page.fill("input[name=tenant_id]", "b1d579d5-3263-4ada-8b49-a6616f72478f")
    page.fill("input[name=country]", "GB")
    page.fill("input[name=claim_date]", "2025-08-03")
    page.check("input[name=workloads][value=MDE]")
    page.screenshot(path=str(shots / "self-check-form.png"), full_page=True)
    page.click("#submit")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"), timeout=60_000)
    assert page.inner_text("#verdict") == "rejectable"
    dates = page.locator("#check-dates")
    assert dates.get_attribute("data-status") == "fail"
    assert "What to fix:" in dates.locator(".fix").inner_text()
    assert dates.locator(".evidence blockquote").count() >= 1
    assert "dates" in page.inner_text("#todo")
    page.screenshot(path=str(shots / "self-check-result.jpg"), full_page=True, quality=70)


def test_partner_upload_error_is_shown(server, page):
    _login(page, server, PARTNER_A)
    page.wait_for_url(re.compile(r"/self-check$"))
    page.set_input_files("input[name=files]", files=[{"name": "notes.pdf", "mimeType": "application/pdf",
                                                      "buffer": b"this is not a pdf at all"}])
    page.fill("input[name=partner_name]", "Tidemark Secure Solutions Inc.")
    page.fill("input[name=customer_name]", "Amberfield Foods Ltd")
    page.check("input[name=workloads][value=MDE]")
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])")
    assert "(" in page.inner_text("#error")


def test_reviewer_filters_queue_and_opens_evidence(server, page, shots):
    _login(page, server, REVIEWER)
    page.wait_for_url(re.compile(r"/queue$"))
    assert page.locator("table.queue tbody tr").count() >= 2
    page.select_option("select[name=verdict]", "rejectable")
    page.fill("input[name=partner]", "Halcyon")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"verdict=rejectable"))
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1
    assert "Halcyon" in rows.first.inner_text() and "rejectable" in rows.first.inner_text()
    page.screenshot(path=str(shots / "reviewer-queue.png"), full_page=True)
    rows.first.locator("a", has_text="Open").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"))
    dates = page.locator("#check-dates")
    assert dates.get_attribute("data-status") == "fail"
    assert dates.locator(".evidence blockquote").count() >= 1
    assert "page" in dates.locator(".evidence small").first.inner_text()
    image = page.locator(".page-image img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.locator(".page-image .mark").count() >= 1
    page.screenshot(path=str(shots / "reviewer-report.jpg"), full_page=True, quality=70)
