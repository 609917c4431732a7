"""CPU exhaustion in the checks (issue 15, item 3): bounded text, linear checks, a time limit."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from apihelp import PARTNER_A, ROOT, auth, dev_case, multipart
from hostile_docs import hostile_document, many_pages_one_stream

from service.claims import parse_claim
from service.errors import ChecksTimeout
from service.pipeline import cap_text, run_claim


def _within(seconds: float, code: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter and fail when it takes longer than `seconds` (then it is killed)."""
    try:
        done = subprocess.run([sys.executable, "-c", "import sys; sys.path[:0] = ['.', 'tests/api']\n" + code],
                              cwd=ROOT, capture_output=True, text=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"took longer than {seconds} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_counts_in_one_endless_sentence_are_found_in_linear_time():
    """user_counts tied each count to a workload by searching its whole sentence: 50,000 characters in
    one sentence took 3 s, 100,000 took 15 s (quadratic); 300,000 now take well under a second."""
    _within(20, """
from checks.findings.counts import find_counts
from service.claims import load_claim
from hostile_docs import hostile_document
claim = load_claim("fixtures/poe_dev/claims/dev-001.json")
found = find_counts(claim, [hostile_document(pages=1, chars=300_000)])
assert len(found) > 8000, len(found)
""")


def test_every_check_is_linear_in_one_endless_sentence():
    """The checks that look at the sentence around each match (activities, counts) see at most
    MAX_SENTENCE_CHARS of it: 200,000 characters in one sentence are checked in seconds."""
    _within(30, """
from checks.base import CheckContext
from checks.registry import DEFAULT_CHECKS
from service.claims import load_claim
from hostile_docs import hostile_document
claim = load_claim("fixtures/poe_dev/claims/dev-001.json")
docs = [hostile_document(pages=1, chars=200_000)]
for check in DEFAULT_CHECKS:
    check.run(claim, docs, CheckContext.for_claim(claim))
""")


def test_checks_read_at_most_the_text_limit_and_say_so():
    claim = parse_claim(dev_case("dev-001")[0])
    doc = hostile_document(pages=200, chars=50_000)  # 10 M characters, as in the 40 KB PDF
    capped = cap_text([doc], max_chars=120_000)[0]
    assert [len(p.text) for p in capped.parts[:4]] == [50_000, 50_000, 20_000, 0]
    assert sum(len(p.text) for p in capped.parts) == 120_000 and len(capped.parts) == 200
    warning = "big.pdf: the text is 10,000,000 characters long; the checks read the first 120,000 only."
    assert capped.warnings == [warning]
    assert cap_text([capped], max_chars=120_000)[0] == capped  # idempotent
    small = hostile_document(pages=1, chars=1_000)
    assert cap_text([small], max_chars=120_000)[0] is small
    started = time.monotonic()
    report = run_claim(claim, [doc], max_chars=120_000)
    assert time.monotonic() - started < 20
    assert report.documents[0]["warnings"] == capped.warnings
    assert len(report.documents[0]["parts"]) == 200


def test_checks_over_the_time_limit_are_a_typed_error():
    claim = parse_claim(dev_case("dev-001")[0])
    doc = hostile_document(pages=1, chars=200_000)
    started = time.monotonic()
    with pytest.raises(ChecksTimeout) as err:
        run_claim(claim, [doc], time_limit_s=0.2)
    assert time.monotonic() - started < 5
    assert (err.value.code, err.value.http_status) == ("checks_timeout", 422)
    run_claim(claim, [hostile_document(pages=1, chars=500)], time_limit_s=30)  # nothing left pending


def _slow_check(self, claim, docs, ctx):  # pure Python that never returns on its own in time
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        sum(range(1000))
    raise AssertionError("the time limit did not stop the check")


def test_api_checks_timeout_is_422_and_frees_the_slot(client, settings, monkeypatch):
    from checks.user_counts import UserCounts

    settings.checks_timeout_s = 1.0
    monkeypatch.setattr(UserCounts, "run", _slow_check)
    claim, files = dev_case("dev-001")
    started = time.monotonic()
    r = client.post("/v1/checks", headers=auth(PARTNER_A), files=multipart(claim, files))
    assert (r.status_code, r.json()["code"]) == (422, "checks_timeout"), r.text
    assert time.monotonic() - started < 20  # reading the file, then 1 s of checks: not the 30 s check
    runner = client.app.state.poe.runner
    assert runner.pending == 0 and not runner.by_key
    monkeypatch.undo()
    again = client.post("/v1/checks", headers=auth(PARTNER_A), files=multipart(claim, files))
    assert again.status_code == 201, again.text


def test_api_report_of_a_long_document_has_the_warning(client, settings):
    settings.check_text_chars = 100_000
    claim, _ = dev_case("dev-001")
    body = [("claim", (None, claim)), ("files", ("big.pdf", many_pages_one_stream(pages=20)))]
    r = client.post("/v1/checks", headers=auth(PARTNER_A), files=body)
    assert r.status_code == 201, r.text
    assert any("the checks read the first 100,000 only" in w for w in r.json()["documents"][0]["warnings"])
