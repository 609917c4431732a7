"""Privacy and access on real POE: no document text in any log, no temp file left after a request (failed
ones included), no upload kept unless configured, and no route that shows one partner another's report."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from apihelp import DEV, KEYS, PARTNER_A, PARTNER_B, REVIEWER, LogLines, auth, dev_case

from bench.load import serve
from service.config import Settings

pytestmark = pytest.mark.ocr  # the scans of both partners are OCR'd

MB = 1024 * 1024
LIST_QUERY = "?partner=8616805&verdict=approvable&page=1&limit=100"  # A's partner id, asked for by B
_RECORDING: list[list[str]] = []  # audit hook target: paths of temp files/folders made while a request runs


def _audit(event: str, args: tuple) -> None:
    if _RECORDING and event in ("tempfile.mkdtemp", "tempfile.mkstemp"):
        _RECORDING[-1].append(str(args[0]))




@contextmanager
def every_logger_at_debug():
    """Set the root and every known logger to DEBUG and collect all their records; restore after."""
    handler = LogLines()
    loggers = [logging.root, *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    saved = [(lg, lg.level) for lg in loggers]
    hooked = [lg for lg in loggers if lg is logging.root or not lg.propagate]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    for lg in hooked:
        lg.addHandler(handler)
    try:
        yield handler.lines
    finally:
        for lg in hooked:
            lg.removeHandler(handler)
        for lg, level in saved:
            lg.setLevel(level)


def _claim_without_partner_id(case: str) -> bytes:
    data = json.loads(dev_case(case)[0])
    data["partner"].pop("partner_id", None)
    return json.dumps(data).encode()


@dataclass
class Submission:
    """One POST /v1/checks: who sends what, and the status it must get."""

    key: str
    claim: bytes
    files: list[tuple[str, bytes]]
    status: int

    def parts(self) -> list[tuple[str, tuple]]:
        return [("claim", (None, self.claim)), *(("files", f) for f in self.files)]


def _files(case: str) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in dev_case(case)[1]]


def submissions() -> dict[str, Submission]:
    """Real POE of both partners (text PDF, PNG scan, .msg) and three failures: a damaged PDF, a claim that
    is not JSON, a file over the size limit (2 MB in these tests)."""
    sow = _files("dev-002")[0]
    scan_pdf = _files("dev-004")[0][1]
    return {
        "a_text": Submission(PARTNER_A, dev_case("dev-001")[0], _files("dev-001"), 201),
        "a_scan": Submission(PARTNER_A, dev_case("dev-005")[0], _files("dev-005"), 201),
        "mail": Submission(REVIEWER, dev_case("dev-009")[0], _files("dev-009"), 201),
        "b_text": Submission(PARTNER_B, _claim_without_partner_id("dev-002"), [sow], 201),
        "b_damaged": Submission(PARTNER_B, _claim_without_partner_id("dev-002"),
                                [(sow[0], sow[1][: len(sow[1]) // 2])], 422),
        "bad_claim": Submission(PARTNER_A, b'{"partner": "Tidemark', _files("dev-001"), 422),
        "too_large": Submission(PARTNER_A, dev_case("dev-004")[0], [("big.pdf", scan_pdf * 3)], 413),
    }


def secrets_of(bodies: list[dict]) -> set[str]:
    """What must never be logged: lines of the documents' text, the evidence quotes, the customer names."""
    from service.ingest.dispatch import ingest_path

    phrases: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        for case in ("dev-001", "dev-002", "dev-009"):
            for path in dev_case(case)[1]:
                for part in ingest_path(path, settings=settings).parts:
                    phrases |= {" ".join(line.split()) for line in part.text.splitlines()}
    phrases |= {e["quote"] for b in bodies for c in b["checks"] for e in c["evidence"]}
    phrases = {p for p in phrases if len(p) >= 20 and len(p.split()) >= 3}
    customers = {json.loads(dev_case(c)[0])["customer"]["name"] for c in ("dev-001", "dev-002", "dev-005", "dev-009")}
    return phrases | customers


def leaked(lines: list[str], phrases: set[str]) -> list[str]:
    text = " ".join(" ".join(lines).split()).casefold()
    return sorted(p for p in phrases if p.casefold() in text)


@dataclass
class Run:
    client: object
    settings: Settings
    system_tmp: Path
    sent: dict[str, Submission]
    responses: dict[str, httpx.Response] = field(default_factory=dict)
    made: dict[str, list[str]] = field(default_factory=dict)  # temp paths created during each request
    left: dict[str, list[str]] = field(default_factory=dict)  # what of them (or of the temp folders) remains
    logs: list[str] = field(default_factory=list)

    def id(self, name: str) -> str:
        return self.responses[name].json()["id"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The submissions through the app in-process (readers in-process too, so every log record of ingestion,
    OCR, checks, store and API is here), every logger at DEBUG, TMPDIR pointed at an empty test folder."""
    from fastapi.testclient import TestClient

    from service.api import create_app

    sys.addaudithook(_audit)  # cannot be removed; it records only while a list is pushed (once per session)
    root = tmp_path_factory.mktemp("privacy")
    system_tmp = root / "system-tmp"
    system_tmp.mkdir()
    settings = Settings(data_dir=root / "data", api_keys=KEYS, trust_roots=DEV / "trust",
                        check_workers=1, queue_limit=4, max_file_bytes=2 * MB)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TMPDIR", str(system_tmp))
        mp.setattr(tempfile, "tempdir", str(system_tmp))
        with TestClient(create_app(settings)) as client:
            result = Run(client, settings, system_tmp, submissions())
            with every_logger_at_debug() as logs:
                for name, sub in result.sent.items():
                    _RECORDING.append([])
                    try:
                        result.responses[name] = client.post("/v1/checks", headers=auth(sub.key), files=sub.parts())
                    finally:
                        result.made[name] = _RECORDING.pop()
                    result.left[name] = [p for p in result.made[name] if Path(p).exists()]
                    result.left[name] += [str(p) for d in (system_tmp, settings.data_dir / "tmp") if d.exists()
                                          for p in d.iterdir()]
                result.logs = list(logs)
            yield result


def test_every_submission_got_its_answer(run):
    got = {name: run.responses[name].status_code for name in run.sent}
    assert got == {name: sub.status for name, sub in run.sent.items()}, {n: r.text[:200] for n, r in
                                                                          run.responses.items()}
    codes = {name: run.responses[name].json()["code"] for name in ("b_damaged", "bad_claim", "too_large")}
    assert codes == {"b_damaged": "malformed", "bad_claim": "invalid_claim", "too_large": "too_large"}


def test_no_document_text_in_any_log_record(run):
    phrases = secrets_of([r.json() for r in run.responses.values() if r.status_code == 201])
    assert "Corvid Analytics Inc." in phrases and len(phrases) > 50
    assert any(line.startswith("service.checking INFO check ") for line in run.logs)  # the capture works
    assert len(run.logs) > 100
    assert leaked(run.logs, phrases) == []


def test_temp_files_are_gone_after_every_request(run):
    assert all(p.startswith((str(run.system_tmp), str(run.settings.data_dir))) for ps in run.made.values()
               for p in ps)
    assert any("/parse-" in p for p in run.made["a_scan"])  # the reader's task folder: its OCR page images
    assert all(run.made[name] for name in run.sent)  # each request had an upload folder
    assert run.left == {name: [] for name in run.sent}


def test_uploads_are_not_kept_by_default(run):
    uploaded = {hashlib.sha256(data).hexdigest() for sub in run.sent.values() for _, data in sub.files}
    stored = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in run.settings.data_dir.rglob("*") if p.is_file()}
    assert any(p.suffix == ".png" for p in stored)  # the scan's downscaled page images are kept, not the scan
    assert [p for p, digest in stored.items() if digest in uploaded] == []
    assert not (run.settings.data_dir / "uploads").exists()


def _get_routes(app) -> list[str]:
    """Paths of every GET route of the app, included routers flattened (static files aside)."""
    paths = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for r in contexts() if contexts else [route]:
            if "GET" in (getattr(r, "methods", None) or ()):
                paths.append(r.path)
    return paths


def _as_partner_b(client, how: str):
    """A client of the same app that is partner B by API key or by page session."""
    from fastapi.testclient import TestClient

    other = TestClient(client.app, headers=auth(PARTNER_B) if how == "key" else {})
    if how == "session":
        login = other.post("/login", data={"key": PARTNER_B, "next": "/"}, follow_redirects=False)
        assert login.status_code == 303 and other.cookies.get("poecheck_session")
    return other


@pytest.mark.parametrize("how", ["key", "session"])
def test_a_partner_never_sees_another_partners_report_on_any_route(run, how):
    """Every GET route, API and pages, with partner B's key or page session and partner A's scan report id
    (the one with a page image): 404 where the route names a report, and never A's names or quotes."""
    a_id = run.id("a_scan")
    a_quotes = [e["quote"] for name in ("a_text", "a_scan") for c in run.responses[name].json()["checks"]
                for e in c["evidence"] if len(e["quote"]) >= 20]
    a_data = ["Corvid Analytics", "Lakeshore Cold Chain", "Tidemark", *a_quotes]
    assert len(a_quotes) > 5
    paths = _get_routes(run.client.app)
    assert {"/v1/checks", "/v1/checks/{report_id}", "/v1/checks/{report_id}/pages/{n}", "/queue",
            "/reports/{report_id}", "/v1/jobs/{job_id}"} <= set(paths)
    assert {p for path in paths for p in re.findall(r"{(\w+)}", path)} <= {"report_id", "n", "job_id"}  # extend
    sub = run.sent["a_text"]
    a_job = run.client.post("/v1/checks?async=true", headers=auth(sub.key), files=sub.parts()).json()["id"]
    other = _as_partner_b(run.client, how)
    for path in paths:
        url = path.format(report_id=a_id, n=1, job_id=a_job) + LIST_QUERY
        r = other.get(url, follow_redirects=True)
        assert r.status_code < 500, url
        if "{report_id}" in path or "{job_id}" in path:
            assert r.status_code in (403, 404), url
            mine = run.client.get(url, headers=auth(PARTNER_A))  # the owner gets it: the route is live
            assert mine.status_code == 200, url
            assert (mine.content[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0") or any(x in mine.text for x in a_data)
                    or mine.json().get("id") == a_job), url
        else:
            assert a_id not in r.text and run.id("a_text") not in r.text, url
        assert [x for x in a_data if x in r.text] == [], url
    listed = other.get("/v1/checks?limit=100").json()
    assert [i["id"] for i in listed["items"]] == [run.id("b_text")] and listed["total"] == 1


@pytest.mark.parametrize(("target", "lands_on"), [
    pytest.param("/reports/abc?x=1", "/reports/abc?x=1", id="local-path"),
    pytest.param("//evil.example/", "/", id="scheme-relative"),
    pytest.param("/\\evil.example/", "/", id="backslash"),
    pytest.param("https://evil.example/", "/", id="absolute"),
])
def test_login_sends_a_user_only_to_a_page_of_this_site(run, target, lands_on):
    from fastapi.testclient import TestClient

    r = TestClient(run.client.app).post("/login", data={"key": PARTNER_B, "next": target}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, lands_on)


def test_uploads_are_kept_only_when_configured(run):
    run.settings.keep_uploads = True
    try:
        sub = run.sent["a_text"]
        r = run.client.post("/v1/checks", headers=auth(sub.key), files=sub.parts())
    finally:
        run.settings.keep_uploads = False
    assert r.status_code == 201, r.text
    kept = run.settings.data_dir / "uploads" / r.json()["id"] / sub.files[0][0]
    assert kept.read_bytes() == sub.files[0][1]


# --- the real server: uvicorn's access log, the readers' stderr, every logger at DEBUG ---------------------

_DEBUG_SERVER = """
import logging, sys
import uvicorn
import service.api, service.pipeline, service.ingest, service.isolation  # loggers that set levels on import
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
for lg in list(logging.root.manager.loggerDict.values()):
    if isinstance(lg, logging.Logger):
        lg.setLevel(logging.DEBUG)
uvicorn.run("service.api:create_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]), log_level="debug")
"""


def test_live_server_logs_no_document_text(tmp_path):
    """`poecheck serve`'s app under uvicorn at DEBUG, documents read in isolated readers (the default)."""
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    log = tmp_path / "server.log"
    sent = submissions()
    bodies = []
    with serve(tmp_path / "data", keys=KEYS, log_path=log, command=lambda port: [sys.executable, "-c",
               _DEBUG_SERVER, str(port)], TMPDIR=str(system_tmp), POECHECK_MAX_FILE_BYTES=str(2 * MB)) as (url, _):
        for name, sub in sent.items():
            r = httpx.post(url + "/v1/checks", headers=auth(sub.key), files=sub.parts(), timeout=180)
            assert r.status_code == sub.status, (name, r.text)
            bodies += [r.json()] if r.status_code == 201 else []
            assert list(system_tmp.iterdir()) == [] and list((tmp_path / "data" / "tmp").iterdir()) == []
    uploaded = {hashlib.sha256(data).hexdigest() for sub in sent.values() for _, data in sub.files}
    kept = [p for p in (tmp_path / "data").rglob("*") if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest()
            in uploaded]
    assert kept == []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    assert any('"POST /v1/checks HTTP/1.1" 201' in line for line in lines)  # the access log is in there
    assert any('"POST /v1/checks HTTP/1.1" 422' in line for line in lines)
    assert any(line.startswith("DEBUG:") for line in lines)
    assert leaked(lines, secrets_of(bodies)) == []
