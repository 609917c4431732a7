"""The server's event loop when accept() runs out of file descriptors (service.guarded_http.GuardedEventLoop).

asyncio's own loop on Python 3.11 goes on calling accept after the first failure, logging each and
scheduling a retry per failure; retries still pending when the server closed each logged a traceback
(test_hardening's connection flood wrote 600-800 KB of log on a loaded machine)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Run in a child: it lowers its own limit of open files below the descriptors it holds, so that every
# accept fails with EMFILE, lets one round of accepts run, closes the server while the retry waits,
# and prints what the loop reported to its exception handler.
_CHILD = textwrap.dedent("""
    import asyncio, json, os, resource, socket, sys
    from service.guarded_http import GuardedEventLoop

    async def main():
        loop = asyncio.get_running_loop()
        reports = []
        loop.set_exception_handler(lambda _loop, context: reports.append(
            (context["message"].split("\\n")[0][:38], type(context.get("exception")).__name__)))
        server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0, backlog=50)
        port = server.sockets[0].getsockname()[1]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]  # queued, not accepted
        highest = max(int(fd) for fd in os.listdir("/proc/self/fd"))
        resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        await asyncio.sleep(0.3)  # one round of accepts, all failing
        during = list(reports)
        server.close()
        await asyncio.sleep(1.5)  # asyncio retries after 1 s
        print(json.dumps({"during": during, "after_close": reports[len(during):]}))
        for client in clients:
            client.close()

    loop_class = GuardedEventLoop if sys.argv[1] == "guarded" else asyncio.SelectorEventLoop
    runner = asyncio.Runner(loop_factory=loop_class)
    runner.run(main())
""")


def _reports(loop: str) -> dict[str, list]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, loop], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(proc.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/fd")
def test_a_round_of_accepts_stops_at_the_first_exhausted_one_and_a_closed_server_retries_nothing():
    stock = _reports("asyncio")
    guarded = _reports("guarded")
    # asyncio's loop (the bug this guards against): one report per queued connection, then one traceback
    # per retry left pending at close
    assert len(stock["during"]) >= 10
    assert any(exc == "ValueError" for _, exc in stock["after_close"])
    # the server's loop: one report for the round, nothing after close
    assert guarded["during"] == [["socket.accept() out of system resource", "OSError"]]
    assert guarded["after_close"] == []
