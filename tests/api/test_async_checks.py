"""Asynchronous checks: 202 + Location, the job's states and progress, the same report as a synchronous check."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from apihelp import CORPUS, DEV, PARTNER_A, PARTNER_B, REVIEWER, auth, comparable, dev_case, multipart

SCAN = CORPUS / "pdf_scanned" / "ocrmypdf__3small.pdf"  # 3 scanned pages, OCR'd one after the other


def follow(get, job_url: str, headers: dict, *, timeout: float = 240, poll_s: float = 0.2) -> list[dict]:
    """Poll a job until it is done or failed; returns every state seen."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        seen.append(get(job_url, headers=headers).json())
        if seen[-1]["status"] in ("done", "failed") or time.monotonic() > deadline:
            return seen
        time.sleep(poll_s)


def wait_done(get, job_url: str, headers: dict, *, timeout: float = 240) -> dict:
    """Poll a job until it is done or failed; returns its last state."""
    return follow(get, job_url, headers, timeout=timeout)[-1]


def gone(path: Path, *, within_s: float = 30) -> bool:
    """Whether `path` is removed within `within_s` seconds: a worker removes a job's files just after it marks
    the job ended (so that files are never gone while the job may still run again), and a poll can land between."""
    deadline = time.monotonic() + within_s
    while path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def letter_scan(folder: Path) -> Path:
    """A 3-page scan of full 300 dpi letter pages (dev-004's two, then its first again): each page's OCR takes
    long enough that a poll sees the counts between 0 and 3 (SCAN's small pages are read in a blink, so a
    poll could miss every state between them)."""
    from pypdf import PdfReader, PdfWriter  # lazy: only the progress tests build this file

    source = PdfReader(DEV / "docs" / "dev-004" / "Scan_20241202.pdf")
    writer = PdfWriter()
    for index in (0, 1, 0):
        writer.add_page(source.pages[index])
    path = folder / "letter_scan.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def assert_pages_counted_while_read(client, folder: Path) -> None:
    """An asynchronous check of a 3-page scan: its job's pages read rise while the file is OCR'd (some
    state between 0 and 3 is seen, never a step back), against a page total of 3 once the reader opened it."""
    claim, _ = dev_case("dev-001")
    r = client.post("/v1/checks?async=true", headers=auth(REVIEWER), files=multipart(claim, [letter_scan(folder)]))
    assert r.status_code == 202, r.text
    seen = follow(client.get, r.headers["location"], auth(REVIEWER), poll_s=0.05)
    assert seen[-1]["status"] == "done", seen[-1]
    assert seen[-1]["pages_done"] == seen[-1]["pages_total"] == 3 and seen[-1]["files_done"] == 1
    done = [job["pages_done"] for job in seen]
    assert done == sorted(done), done
    assert any(0 < pages < 3 for pages in done), done
    assert {job["pages_total"] for job in seen} <= {None, 3}
    assert all(job["files_done"] == 0 for job in seen if job["pages_done"] < 3)  # counted while the file is read


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"job_poll_s": 0.2})


@pytest.mark.parametrize("how", [pytest.param({"params": {"async": "true"}}, id="query"),
                                 pytest.param({"headers": {"Prefer": "respond-async"}}, id="prefer")])
def test_async_check_gives_the_synchronous_report(client, settings, how):
    claim, files = dev_case("dev-001")
    sync = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert sync.status_code == 201, sync.text
    r = client.post("/v1/checks", files=multipart(claim, files), params=how.get("params"),
                    headers={**auth(REVIEWER), **how.get("headers", {})})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/v1/jobs/{r.json()['id']}" and r.json()["status"] in ("queued", "running")
    job = wait_done(client.get, r.headers["location"], auth(REVIEWER))
    assert job["status"] == "done", job
    assert (job["files_done"], job["files_total"]) == (1, 1) and job["pages_done"] == job["pages_total"] >= 1
    report = client.get(f"/v1/checks/{job['report_id']}", headers=auth(REVIEWER)).json()
    assert comparable(report) == comparable(sync.json())
    assert gone(settings.files_dir / "jobs" / job["id"])  # the job's files go once it is done


@pytest.mark.ocr
def test_a_scan_s_pages_are_counted_while_it_is_read(client, tmp_path):
    assert_pages_counted_while_read(client, tmp_path)


@pytest.mark.ocr
def test_pages_of_a_reader_that_dies_are_not_counted(client, settings):
    """The scan's 3 pages then a flate bomb in one PDF: the reader reports pages, then dies of memory on the
    bomb; the failed job counts none of that file's pages (its reader's partial count is dropped)."""
    import pypdfium2 as pdfium

    from tests.ingest.hostile import flate_bomb_pdf

    settings.parse_memory_mb, settings.pdf_page_content_mb = 512, 0  # the reader's own limit stops the bomb
    pdf = pdfium.PdfDocument(SCAN)
    pdf.import_pages(pdfium.PdfDocument(flate_bomb_pdf(gigabytes=2)))
    data = io.BytesIO()
    pdf.save(data)
    claim, _ = dev_case("dev-001")
    r = client.post("/v1/checks?async=true", headers=auth(REVIEWER),
                    files=[("claim", (None, claim)), ("files", ("scan_then_bomb.pdf", data.getvalue()))])
    assert r.status_code == 202, r.text
    seen = follow(client.get, r.headers["location"], auth(REVIEWER), poll_s=0.05)
    assert (seen[-1]["status"], seen[-1]["error"]["code"]) == ("failed", "parser_memory"), seen[-1]
    assert (seen[-1]["files_done"], seen[-1]["pages_done"]) == (1, 0)
    assert {job["pages_total"] for job in seen} <= {None, 4}


def test_a_partner_reads_only_its_own_jobs_and_errors_are_typed(client):
    claim, _ = dev_case("dev-001")
    r = client.post("/v1/checks?async=true", headers=auth(PARTNER_A),
                    files=[("claim", (None, claim)), ("files", ("empty.pdf", b""))])
    assert r.status_code == 202, r.text
    job = wait_done(client.get, r.headers["location"], auth(PARTNER_A))
    assert job["status"] == "failed" and job["error"]["code"] == "empty_file" and job["report_id"] is None
    assert client.get(r.headers["location"], headers=auth(PARTNER_B)).status_code == 404
    assert client.get(r.headers["location"], headers=auth(REVIEWER)).status_code == 200
    assert client.get("/v1/jobs/" + "0" * 32, headers=auth(REVIEWER)).status_code == 404


def test_bad_input_is_refused_before_a_job_is_made(client):
    r = client.post("/v1/checks?async=true", headers=auth(REVIEWER),
                    files=[("claim", (None, b"{}")), ("files", ("a.pdf", b"%PDF-1.4"))])
    assert r.status_code == 422 and r.json()["code"] == "invalid_claim"
