"""The partner self-check in the browser never shows `approvable` on a claim the checks cannot clear:
a claim JSON uploaded with a GCC High flag, and a form that leaves the customer's flags out. While a scan is
read, the page counts its pages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from apihelp import CORPUS, DEV, PARTNER_A
from pypdf import PdfReader, PdfWriter

pytestmark = pytest.mark.browser

GULLWING = DEV / "docs/dev-037/Statement_of_Work_-_Acceptance_Gullwing.pdf"
SCAN = CORPUS / "pdf_scanned" / "ocrmypdf__3small.pdf"  # 3 scanned pages
SCAN_COPIES = 4  # the scan's pages 4 times over: more pages than OCR runs at once, so they cannot end together


def _login(page, url, key):
    page.goto(url + "/login")
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/self-check$"))


def test_partner_uploads_claim_json_with_gcc_high_flag(server, page):
    _login(page, server, PARTNER_A)
    page.set_input_files("input[name=files]", str(GULLWING))
    page.check("input[name=claim_source][value=file]")
    assert page.is_hidden("#claim-form")
    page.set_input_files("input[name=claim_file]", str(DEV / "claims/dev-037.json"))
    with page.expect_response(re.compile(r"/v1/jobs/[0-9a-f]{32}$"), timeout=60_000) as polled:
        page.click("#submit")  # an asynchronous check: the page follows its job
    assert polled.value.json()["files_total"] == 1
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"), timeout=60_000)
    assert page.inner_text("#verdict") != "approvable"
    eligibility = page.locator("#check-customer_eligibility")
    assert eligibility.get_attribute("data-status") == "fail"
    assert "GCC High" in eligibility.inner_text()


@pytest.mark.ocr
def test_partner_sees_the_pages_of_a_scan_counted_as_they_are_read(server, page, tmp_path):
    scan, pages = _longer_scan(tmp_path)
    _login(page, server, PARTNER_A)
    shown: list[str] = []  # every text the progress line shows, in order
    page.expose_function("progressShown", lambda text: shown.append(text))
    page.evaluate("""() => { const line = document.getElementById("progress-text");
        new MutationObserver(() => window.progressShown(line.textContent))
            .observe(line, {childList: true, characterData: true, subtree: true}); }""")
    page.set_input_files("input[name=files]", str(scan))
    page.check("input[name=claim_source][value=file]")
    page.set_input_files("input[name=claim_file]", str(DEV / "claims/dev-037.json"))
    page.click("#submit")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"), timeout=180_000)
    read = [int(m.group(1)) for text in shown if (m := re.search(rf"(\d+) of {pages} pages read", text))]
    assert read == sorted(read) and any(0 < n < pages for n in read), shown


def _longer_scan(folder: Path) -> tuple[Path, int]:
    """The 3-page scan's pages SCAN_COPIES times in one PDF (a 3-page scan can be read in one burst of OCR
    on a loaded machine, between two polls of the page)."""
    reader, writer = PdfReader(SCAN), PdfWriter()
    for _ in range(SCAN_COPIES):
        for scanned in reader.pages:
            writer.add_page(scanned)
    path = folder / "scan_12_pages.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path, len(writer.pages)


def _fill_corvid(page):
    """Every field of dev-001 (approvable) but the customer's flags."""
    page.set_input_files("input[name=files]", str(DEV / "docs/dev-001/Services_Completion_Letter_Corvid.pdf"))
    page.fill("input[name=partner_name]", "Tidemark Secure Solutions Inc.")
    page.fill("input[name=partner_aliases]", "Tidemark")
    page.fill("input[name=partner_domains]", "tidemarksecure.com")
    page.select_option("select[name=mci_enrolled]", "yes")
    page.select_option("select[name=security_designation]", "yes")
    page.fill("input[name=customer_name]", "Corvid Analytics Inc.")
    page.fill("input[name=customer_aliases]", "Corvid")
    page.fill("input[name=customer_domains]", "corvidanalytics.com")
    page.fill("input[name=tenant_id]", "544fb16c-b69a-40b3-a7cb-e4a44eaaf222")
    page.fill("input[name=country]", "US")
    page.select_option("select[name=segment]", "commercial")
    page.fill("input[name=claim_date]", "2025-04-21")
    page.fill("input[name=association_month]", "2024-10")
    page.check("input[name=workloads][value=MDE]")
    page.check("input[name=workloads][value=ENTRA_ID_P2]")


def test_form_without_flags_says_not_checked_then_approvable_with_them(server, page):
    _login(page, server, PARTNER_A)
    _fill_corvid(page)
    page.click("#submit")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"), timeout=60_000)
    assert page.inner_text("#verdict") != "approvable"
    eligibility = page.locator("#check-customer_eligibility")
    assert eligibility.get_attribute("data-status") == "warn"
    assert "not checked: give the customer's flags" in eligibility.inner_text()

    page.goto(server + "/self-check")
    _fill_corvid(page)
    page.check("input[name=flags_none]")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/reports/[0-9a-f]{32}$"), timeout=60_000)
    assert page.inner_text("#verdict") == "approvable"
