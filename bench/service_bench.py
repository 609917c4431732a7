"""Service throughput and latency over HTTP on 127.0.0.1: a live `poecheck serve` (uvicorn) in its own process.

Clients (threads, one keep-alive connection each) POST /v1/checks with the claim and a 1-page text PDF, then
with a 1-page scan (OCR). The clients share the machine's cores with the server, as a local reverse proxy would.
"""
from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Self

from bench.inputs import Inputs

KEY = "bench-reviewer-key"
#: Concurrent clients: for text, twice the service's 2 check workers (2 busy, 2 queued; queue limit 8), so
#: the workers never idle; for scans, one per worker, so latency is the OCR'd check's, not the queue's.
CLIENTS = {"text_1p": 4, "ocr_1p": 2}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multipart(claim: Path, file: Path) -> tuple[bytes, str]:
    """The body and content type of a check request: the claim JSON and one file."""
    boundary = uuid.uuid4().hex
    parts = [(f'name="claim"; filename="{claim.name}"', "application/json", claim.read_bytes()),
             (f'name="files"; filename="{file.name}"', "application/octet-stream", file.read_bytes())]
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; {disp}\r\nContent-Type: {ctype}\r\n\r\n"
                    .encode() + data + b"\r\n" for disp, ctype, data in parts)
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Server:
    """`poecheck serve` on a free port with a data folder of its own; stopped (and reaped) on exit."""

    def __init__(self, data_dir: Path, **extra_env: str) -> None:
        self.port = _free_port()
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_DATA_DIR": str(data_dir),
               "POECHECK_API_KEYS": f"{KEY}:reviewer",
               "POECHECK_CHECKS_PER_KEY": "1000", **extra_env}  # the benchmark's clients share one key
        cmd = [str(Path(sys.executable).with_name("poecheck")), "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> Self:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("poecheck serve did not answer /healthz within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def load(port: int, body: bytes, ctype: str, *, requests: int, clients: int) -> dict[str, object]:
    """Send `requests` check requests from `clients` threads; throughput and latency percentiles."""
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    left = [requests]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": ctype}
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            start = time.perf_counter()
            conn.request("POST", "/v1/checks", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - start)
                statuses.append(response.status)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(min(clients, requests))]
    wall = run_threads(threads)
    ms = sorted(x * 1000 for x in latencies)
    return {"requests": requests, "clients": len(threads), "ok": statuses.count(201),
            "requests_per_s": round(requests / wall, 2), "p50_ms": round(statistics.median(ms), 1),
            "p99_ms": round(ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))], 1)}


def run(inputs: Inputs) -> dict[str, object]:
    """Throughput and latency for the 1-page text PDF and the 1-page scan, on one live server."""
    profile = inputs.profile
    out: dict[str, object] = {}
    with Server(inputs.folder / "service-data") as server:
        for label, file, count in (("text_1p", inputs.text_pdfs[1], profile.http_requests),
                                   ("ocr_1p", inputs.scan_pdfs[1], profile.http_ocr_requests)):
            body, ctype = multipart(inputs.claim, file)
            if not out:  # warm-up: the readers started, the first document parsed, the checks loaded
                load(server.port, body, ctype, requests=1, clients=1)
            out[label] = load(server.port, body, ctype, requests=count, clients=CLIENTS[label])
    return out


def run_threads(threads: list[threading.Thread]) -> float:
    """Start every thread, wait for all of them, and return the wall time in seconds."""
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start
