"""Browser tests: a live `poecheck serve` with seeded reports, and Debian's chromium driven by Playwright."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from apihelp import REVIEWER, auth, dev_case, live_server, multipart

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The server with two reports filed by the reviewer: an approvable text PDF and a rejectable scan."""
    import httpx

    data = tmp_path_factory.mktemp("web") / "data"
    with live_server(data) as url:
        for case in ("dev-002", "dev-018"):
            claim, files = dev_case(case)
            r = httpx.post(url + "/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files), timeout=120)
            assert r.status_code == 201, r.text
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: POECHECK_SCREENSHOTS (e.g. docs/) when set, else a temp folder."""
    return Path(os.environ.get("POECHECK_SCREENSHOTS") or tmp_path)
