"""Helpers for the API and browser tests: keys, fixture cases, multipart bodies, a live uvicorn server."""
from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "fixtures" / "poe_dev"
CORPUS = ROOT / "fixtures" / "corpus"
REVIEWER = "rev-test-key"
PARTNER_A = "partner-a-key"
PARTNER_B = "partner-b-key"
KEYS = f"{REVIEWER}:reviewer,{PARTNER_A}:partner:8616805,{PARTNER_B}:partner:1111111"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def dev_case(case: str) -> tuple[bytes, list[Path]]:
    """The claim JSON and the files of a poe_dev case."""
    for line in (DEV / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["case"] == case:
            return (DEV / row["claim"]).read_bytes(), [DEV / f for f in row["files"]]
    raise KeyError(case)


def multipart(claim: bytes | str, files: list[Path]) -> list[tuple[str, tuple]]:
    parts = [("claim", (None, claim))]
    parts += [("files", (p.name, p.read_bytes())) for p in files]
    return parts


def comparable(report: dict) -> dict:
    """A report without what differs between two runs (ids, times) or what only a stored report has."""
    return {k: v for k, v in report.items()
            if k not in ("id", "partner_id", "created_at", "batch_id", "input_claim_id")}


def no_temp_files(settings) -> bool:
    """Nothing left in data_dir/tmp after a request."""
    tmp = settings.data_dir / "tmp"
    return not tmp.exists() or not any(tmp.iterdir())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def live_server(data_dir: Path, *, open_files: int | None = None, **env: str):
    """`poecheck serve` in a subprocess on a free port of 127.0.0.1 with a temp data dir; yields its URL.

    `open_files` sets the server's soft and hard limit of open files."""
    with serve_process(data_dir, open_files=open_files, **env) as (_, url):
        yield url


@contextlib.contextmanager
def serve_process(data_dir: Path, *args: str, open_files: int | None = None, **env: str):
    """`poecheck serve *args` as live_server starts it; yields the process and its URL once /healthz answers."""
    import httpx

    port = free_port()
    environ = {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_DATA_DIR": str(data_dir),
               "POECHECK_API_KEYS": KEYS, "POECHECK_TRUST_ROOTS": str(DEV / "trust"), **env}
    log = (data_dir.parent / f"server-{port}.log").open("wb")
    command = [str(Path(sys.executable).parent / "poecheck"), "serve", "--port", str(port), *args]
    if open_files is not None:
        limit = (f"import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, ({open_files}, {open_files}))"
                 "; os.execv(sys.argv[1], sys.argv[1:])")
        command = [sys.executable, "-c", limit, *command]
    proc = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts a server (its workers) slowly
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = Path(log.name).read_text(errors="replace").splitlines()[-8:]
                raise RuntimeError(f"server did not start; the end of {log.name}:\n" + "\n".join(tail))
            time.sleep(0.1)
        yield proc, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class LogLines(logging.Handler):
    """Every log record as a log file would show it (message, then the traceback of any exc_info)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
