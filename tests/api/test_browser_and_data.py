"""Issue 15, items 8, 9 and 12 (in part): cross-site requests, security
headers, spreadsheet formulas in summary.csv, and a private data folder."""
from __future__ import annotations

import csv
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from apihelp import PARTNER_A, REVIEWER, ROOT, auth, dev_case, multipart

from service.api.sessions import COOKIE
from service.batch.summary import csv_cell

# --- item 6: page images are no longer decoded in the server process (the reader makes them): see
# test_page_images.test_the_server_process_never_parses_or_renders_an_upload.


# --- item 8: cross-site requests that would use the page session cookie ------------------------------


@pytest.mark.parametrize("headers", [
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="sec-fetch-site"),
    pytest.param({"Origin": "https://attacker.example"}, id="origin"),
    pytest.param({"Origin": "null"}, id="null-origin"),
])
def test_login_from_another_site_is_refused(client, headers):
    """A page elsewhere auto-submitting /login with the attacker's key logged the victim in as the attacker."""
    r = client.post("/login", data={"key": PARTNER_A, "next": "/"}, headers=headers, follow_redirects=False)
    assert (r.status_code, r.json()["code"]) == (403, "cross_site_request")
    assert "set-cookie" not in r.headers


def test_cookie_upload_and_logout_from_another_site_are_refused(client):
    login = client.post("/login", data={"key": PARTNER_A, "next": "/"}, follow_redirects=False,
                        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"})
    assert login.status_code == 303 and COOKIE in client.cookies
    claim, files = dev_case("dev-001")
    cross = client.post("/v1/checks", files=multipart(claim, files), headers={"Sec-Fetch-Site": "same-site"})
    assert (cross.status_code, cross.json()["code"]) == (403, "cross_site_request")
    assert client.post("/logout", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/self-check", follow_redirects=False).status_code == 200  # still logged in
    with_key = client.post("/v1/checks", files=multipart(claim, files),
                           headers={**auth(PARTNER_A), "Sec-Fetch-Site": "cross-site"})
    assert with_key.status_code == 201, with_key.text  # an API key is not a cookie a page can borrow


# --- item 9: security headers ----------------------------------------------------------------------


def test_pages_and_reports_carry_security_headers_and_are_not_cached(client):
    claim, files = dev_case("dev-001")
    report = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files)).json()
    for path in ("/login", f"/v1/checks/{report['id']}"):
        r = client.get(path, headers=auth(REVIEWER))
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"


def test_the_session_cookie_can_be_https_only(client, settings):
    settings.secure_cookies = True
    r = client.post("/login", data={"key": PARTNER_A, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    assert "secure" in r.headers["set-cookie"].lower()


# --- item 12: summary.csv and data at rest ------------------------------------------------------------


@pytest.mark.parametrize(("value", "cell"), [
    pytest.param("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")", id="equals"),
    pytest.param("+1-555", "'+1-555", id="plus"),
    pytest.param("-2+3", "'-2+3", id="minus"),
    pytest.param("@SUM(A1)", "'@SUM(A1)", id="at"),
    pytest.param("Contoso Ltd", "Contoso Ltd", id="plain"),
    pytest.param(87, 87, id="number"),
])
def test_summary_csv_cells_are_never_formulas(value, cell):
    assert csv_cell(value) == cell


def test_summary_csv_of_a_batch_escapes_names(tmp_path: Path):
    from service.batch.inputs import BatchItem
    from service.batch.summary import write_outputs
    from service.store.batch import BatchKey, BatchResult

    claim_id = "=cmd|' /C calc'!A0"
    key = BatchKey(claim_key=claim_id, files_sha256="0" * 64, rules_version="1")
    write_outputs(tmp_path, [BatchItem(claim_id=claim_id, position=0, files=())],
                  {key: BatchResult(key=key, partner="@partner", customer="+customer", error_code="malformed",
                                    error_message="x")})
    with (tmp_path / "summary.csv").open(newline="", encoding="utf-8") as fh:
        row = list(csv.reader(fh))[1]
    assert row[:3] == ["'=cmd|' /C calc'!A0", "'@partner", "'+customer"]


def test_the_data_folder_is_private(tmp_path: Path):
    """poecheck.db was 644 and pages/ 755 under umask 022."""
    data = tmp_path / "data"
    (data / "pages").mkdir(parents=True)
    (data / "poecheck.db").write_text("")
    done = subprocess.run([sys.executable, "-c", f"""
import os, pathlib
os.umask(0o022)
from service.config import Settings
from service.datadir import make_private
make_private(Settings(data_dir=pathlib.Path({str(data)!r})))
(pathlib.Path({str(data)!r}) / "pages" / "r1").mkdir()
(pathlib.Path({str(data)!r}) / "pages" / "r1" / "1.png").write_bytes(b"x")
"""], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    modes = {p.relative_to(data).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [data, *data.rglob("*")]}
    assert modes == {".": 0o700, "pages": 0o700, "poecheck.db": 0o600, "pages/r1": 0o700, "pages/r1/1.png": 0o600}
