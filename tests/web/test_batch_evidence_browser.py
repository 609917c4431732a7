"""A reviewer works a batch claim in the browser: filters the queue to the batch's undecided claims, opens one,
sees its quotes boxed on the drawn .msg and on the rendered text PDF attached to it, goes from a box to its
finding and back, records a decision with an override and finds it in the history and the agreement page."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from apihelp import DEV, REVIEWER, live_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))

from batchhelp import write_manifest

pytestmark = pytest.mark.browser
BATCH = "backlog-web"


@pytest.fixture(scope="module")
def batch_server(tmp_path_factory):
    """A server over a store holding one batch: a .msg with a text PDF attached (dev-010), and a text PDF (dev-002)."""
    from service.batch import run_batch
    from service.config import Settings

    root = tmp_path_factory.mktemp("batch-web")
    settings = Settings(data_dir=root / "data", trust_roots=DEV / "trust", ocr_workers=1)
    stats = run_batch(write_manifest(root / "in", ["dev-010", "dev-002"]), root / "out", settings=settings,
                      workers=1, batch_id=BATCH)
    assert stats.checked == 2
    with live_server(root / "data") as url:
        yield url


def _in_view(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect();"
                                           " return r.bottom > 0 && r.top < window.innerHeight; }")


def test_reviewer_opens_a_batch_claim_and_sees_its_evidence_on_the_pages(batch_server, page, shots):
    page.goto(batch_server + "/login")
    page.fill("input[name=key]", REVIEWER)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/queue$"))
    page.select_option("select[name=decision]", "undecided")
    page.fill("input[name=batch]", BATCH)
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r"decision=undecided"))
    assert f"batch={BATCH}" in page.get_attribute("#csv", "href")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    rows.filter(has_text="dev-010").locator("a", has_text="Open").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"))
    assert BATCH in page.inner_text("#batch")

    figures = page.locator("figure.page")
    captions = [figures.nth(i).locator("figcaption").inner_text() for i in range(figures.count())]
    mail = next(i for i, c in enumerate(captions) if c.endswith(".msg > body"))
    attached = next(i for i, c in enumerate(captions) if ".pdf > page" in c)
    for index in (mail, attached):
        figure = figures.nth(index)
        image = figure.locator("img")
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert figure.locator("a.mark.quote").count() >= 1
    provenance = page.locator("#check-email_provenance")
    header = figures.nth(mail).locator("a.mark[data-check=email_provenance]").first
    assert header.get_attribute("data-status") == provenance.get_attribute("data-status")
    page.screenshot(path=str(shots / "reviewer-batch-evidence.jpg"), full_page=True, quality=70)

    header.click()  # from the box to its finding ...
    target = header.get_attribute("href")
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    assert _in_view(page, target) and page.locator(target).locator("xpath=ancestor::li[@id='check-email_provenance']").count() == 1
    back = page.locator(target).locator("a.to-page")  # ... and back to the box
    back.click()
    box = back.get_attribute("href")
    page.wait_for_url(re.compile(re.escape(box) + "$"))
    assert _in_view(page, box)

    status = provenance.get_attribute("data-status")
    page.select_option("#decision-form select[name=decision]", "approve")
    page.select_option("#decision-form select[name=reason]", "check_was_wrong")
    page.fill("#decision-form textarea[name=note]", "The customer's CIO sent it himself.")
    page.select_option("select[name='override_status.email_provenance']", "warn" if status != "warn" else "pass")
    page.fill("input[name='override_reason.email_provenance']", "Sent from the customer's own domain.")
    page.click("#record-decision")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}#decisions$"))
    history = page.locator("#history tbody tr")
    assert history.count() == 1 and history.first.get_attribute("data-decision") == "approve"
    assert "customer's own domain" in history.first.locator(".override[data-check=email_provenance]").inner_text()

    page.click("header nav a:has-text('Agreement')")
    page.wait_for_url(re.compile(r"/agreement$"))
    assert "1 of 2 reports decided" in page.inner_text("#agreement-summary")
    assert "1 of 1" in page.inner_text("#overrides tr[data-check=email_provenance]")
