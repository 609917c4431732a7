"""Load test: concurrent clients upload real POE (text and scans) to a live `poecheck serve` on 127.0.0.1.

Usage: python -m bench.load [--clients 50] [--seconds 120] [--out bench/load_results.json]

Each client loops until the time is up: it uploads a dev case (claim + files) with the key of the
claim's partner, and on 503 `busy` waits for Retry-After (plus up to 1 s of jitter) before the next
upload. In-flight uploads may finish after the end (each has a timeout). Then, as a reviewer, it
lists every stored report (GET /v1/checks) and compares the ids with the 201 answers. The server's
RSS (its own and with its reader and tesseract children) is sampled throughout.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "fixtures" / "poe_dev"
TEXT_CASES = ("dev-001", "dev-002", "dev-003", "dev-009", "dev-014", "dev-022")  # text PDFs and a .msg
SCAN_CASES = ("dev-004", "dev-005", "dev-006", "dev-018")  # image-only PDFs, PNG and JPEG pages
REVIEWER_KEY = "load-reviewer"
REQUEST_TIMEOUT_S = 300.0
SAMPLE_EVERY_S = 0.5
TIMELINE_EVERY_S = 15  # RSS reported at these marks, to show whether it settles or keeps growing


@dataclass(frozen=True)
class Case:
    """One upload: a dev case's claim and files, and the partner key that may file it."""

    name: str
    kind: str  # "text" or "scan"
    claim: bytes
    files: tuple[tuple[str, bytes], ...]
    key: str

    def multipart(self) -> list[tuple[str, tuple]]:
        return [("claim", (None, self.claim)), *(("files", f) for f in self.files)]


def load_cases() -> list[Case]:
    """The text and scan cases of fixtures/poe_dev, each with its partner's key."""
    rows = {r["case"]: r for r in map(json.loads, (DEV / "labels.jsonl").read_text(encoding="utf-8").splitlines())}
    cases = []
    for kind, names in (("text", TEXT_CASES), ("scan", SCAN_CASES)):
        for name in names:
            claim = (DEV / rows[name]["claim"]).read_bytes()
            partner_id = json.loads(claim)["partner"]["partner_id"]
            files = tuple((Path(f).name, (DEV / f).read_bytes()) for f in rows[name]["files"])
            cases.append(Case(name, kind, claim, files, f"load-partner-{partner_id}"))
    return cases


def api_keys(cases: list[Case]) -> str:
    """POECHECK_API_KEYS for the reviewer and one partner key per partner of `cases`."""
    partners = sorted({c.key for c in cases})
    return ",".join([f"{REVIEWER_KEY}:reviewer", *(f"{k}:partner:{k.rsplit('-', 1)[1]}" for k in partners)])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poecheck_serve(port: int) -> list[str]:
    """The command line of `poecheck serve` on `port`."""
    return [str(Path(sys.executable).parent / "poecheck"), "serve", "--port", str(port)]


@contextlib.contextmanager
def serve(data_dir: Path, *, keys: str, log_path: Path, command: Callable[[int], list[str]] = poecheck_serve,
          **env: str):
    """A server (`poecheck serve` by default) on a free port of 127.0.0.1 with `data_dir`; yields (url, pid).

    Its stdout and stderr (uvicorn's access log, the app's and the readers' logs) go to `log_path`.
    """
    port = _free_port()
    environ = {**os.environ, "OMP_THREAD_LIMIT": "1", "POECHECK_DATA_DIR": str(data_dir),
               "POECHECK_API_KEYS": keys, "POECHECK_TRUST_ROOTS": str(DEV / "trust"),
               # the clients share one key per partner: the load measures the pool, not the per-key cap
               "POECHECK_CHECKS_PER_KEY": "1000", **env}
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command(port), cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(url, proc, log_path)
            yield url, proc.pid
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            proc.kill()  # only when it did not stop on SIGTERM
            proc.wait()


def _wait_ready(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"poecheck serve did not become ready; see {log_path}")


def rss_mb(pid: int) -> tuple[float, float]:
    """(RSS of the process, RSS of it and all its descendants) in MB; (0, 0) when it is gone."""
    own = _vm_rss(pid)
    total, todo = own, [pid]
    while todo:
        for child in _children(todo.pop()):
            total += _vm_rss(child)
            todo.append(child)
    return own, total


def _vm_rss(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


@dataclass
class Outcome:
    """One request: status (or the name of a transport error), latency, case kind, report id on 201."""

    status: str
    seconds: float
    kind: str
    report_id: str | None = None


async def _client(cases: list[Case], *, url: str, deadline: float, seed: int, out: list[Outcome]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S) as http:
        while time.monotonic() < deadline:
            case = rng.choice(cases)
            started = time.monotonic()
            try:
                r = await http.post("/v1/checks", files=case.multipart(),
                                    headers={"Authorization": f"Bearer {case.key}"})
            except httpx.HTTPError as exc:
                out.append(Outcome(type(exc).__name__, time.monotonic() - started, case.kind))
                await asyncio.sleep(1)  # a server that is down is not hammered
                continue
            took = time.monotonic() - started
            report_id = r.json().get("id") if r.status_code == 201 else None
            retry_after = r.headers.get("retry-after", "")
            busy_without_retry = r.status_code == 503 and not retry_after.isdigit()
            out.append(Outcome("503 without Retry-After" if busy_without_retry else str(r.status_code), took,
                               case.kind, report_id))
            if r.status_code == 503:
                wait = (int(retry_after) if retry_after.isdigit() else 1) + rng.random()
                await asyncio.sleep(max(0.0, min(wait, deadline - time.monotonic())))


async def _sample(pid: int, samples: list[tuple[float, float, float]], stop: asyncio.Event, t0: float) -> None:
    while not stop.is_set():
        samples.append((round(time.monotonic() - t0, 1), *rss_mb(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY_S)


async def stored_ids(url: str) -> set[str]:
    """Every report id the store lists to a reviewer (all pages of GET /v1/checks)."""
    ids: set[str] = set()
    async with httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": f"Bearer {REVIEWER_KEY}"}) as http:
        offset = 0
        while True:
            page = (await http.get("/v1/checks", params={"limit": 100, "offset": offset})).raise_for_status().json()
            ids |= {item["id"] for item in page["items"]}
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return ids


async def run_load(url: str, *, clients: int, seconds: float, cases: list[Case], server_pid: int | None = None,
                   seed: int = 0) -> dict:
    """Run the clients for `seconds`, wait for in-flight uploads, check the store; the figures as a dict."""
    outcomes: list[Outcome] = []
    samples: list[tuple[float, float, float]] = []
    stop = asyncio.Event()
    t0 = time.monotonic()
    sampler = asyncio.create_task(_sample(server_pid, samples, stop, t0)) if server_pid else None
    await asyncio.gather(*(_client(cases, url=url, deadline=t0 + seconds, seed=seed * 1000 + i, out=outcomes)
                           for i in range(clients)))
    wall = time.monotonic() - t0
    await asyncio.sleep(2 * SAMPLE_EVERY_S if sampler else 0)
    stop.set()
    if sampler:
        await sampler
    accepted = [o.report_id for o in outcomes if o.report_id]
    listed = await stored_ids(url)
    return _figures(outcomes, accepted=accepted, listed=listed, wall=wall, clients=clients, seconds=seconds,
                    samples=samples)


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    qs = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
    return {"n": len(values), "p50_s": round(qs[49], 2), "p95_s": round(qs[94], 2), "p99_s": round(qs[98], 2),
            "max_s": round(max(values), 2)}


def _figures(outcomes: list[Outcome], *, accepted: list[str], listed: set[str], wall: float, clients: int,
             seconds: float, samples: list[tuple[float, float, float]]) -> dict:
    created = [o for o in outcomes if o.status == "201"]
    statuses = Counter(o.status for o in outcomes)
    figures = {
        "clients": clients, "duration_s": seconds, "wall_s": round(wall, 1), "requests": len(outcomes),
        "statuses": dict(sorted(statuses.items())),
        "server_errors_other_than_503": sum(n for s, n in statuses.items() if s[0] == "5" and s[:3] != "503"),
        "busy_without_retry_after": statuses.get("503 without Retry-After", 0),
        "transport_errors": sum(n for s, n in statuses.items() if not s[0].isdigit()),
        "accepted": len(created),
        "accepted_by_kind": dict(Counter(o.kind for o in created)),
        "accepted_per_min": round(len(created) / wall * 60, 1),
        "latency_201": _percentiles([o.seconds for o in created]),
        "latency_201_text": _percentiles([o.seconds for o in created if o.kind == "text"]),
        "latency_201_scan": _percentiles([o.seconds for o in created if o.kind == "scan"]),
        "latency_503": _percentiles([o.seconds for o in outcomes if o.status == "503"]),
        "stored": len(listed), "accepted_not_listed": len(set(accepted) - listed),
        "listed_not_accepted": len(listed - set(accepted)), "duplicate_ids": len(accepted) - len(set(accepted)),
    }
    if samples:
        figures["rss_mb"] = {
            f"{label}_{which}": round(value, 1)
            for label, column in (("server", 1), ("tree", 2))
            for which, value in (("start", samples[0][column]), ("peak", max(s[column] for s in samples)),
                                 ("end", samples[-1][column]))
        }
        figures["rss_samples"] = len(samples)
        marks = [next(s for s in samples if s[0] >= t) for t in range(0, int(samples[-1][0]) + 1, TIMELINE_EVERY_S)]
        figures["rss_timeline_mb"] = [{"t_s": t, "server": round(a, 1), "tree": round(b, 1)} for t, a, b in marks]
    return figures


def main(argv: list[str] | None = None) -> None:
    """Run the load test on a fresh server and temp data dir; write and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load_results.json")
    args = parser.parse_args(argv)
    cases = load_cases()
    started, load_before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="poecheck-load-") as tmp, \
            serve(Path(tmp) / "data", keys=api_keys(cases), log_path=Path(tmp) / "server.log") as (url, pid):
        figures = asyncio.run(run_load(url, clients=args.clients, seconds=args.seconds, cases=cases,
                                       server_pid=pid))
    figures = {"ran_at_utc": started, "cpus": os.cpu_count(), "load_average_1min": [load_before, os.getloadavg()[0]],
               "cases": {"text": list(TEXT_CASES), "scan": list(SCAN_CASES)}, **figures}
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
