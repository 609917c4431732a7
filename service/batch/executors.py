"""Where batch tasks run: local worker processes or a Dask distributed cluster (one tiny interface)."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from service.errors import BatchWorkerFailed


class TaskFuture(Protocol):
    def result(self) -> Any: ...
    def add_done_callback(self, fn: Callable[[Any], None]) -> None: ...


class Executor(Protocol):
    """Runs picklable module-level functions; the futures call back when done (from any thread)."""

    workers: int

    def submit(self, fn: Callable, /, *args: Any) -> TaskFuture: ...
    def close(self, *, cancel: bool = False) -> None: ...


def init_worker() -> None:
    """Worker set-up: one OpenMP thread for Tesseract, die with the parent, leave Ctrl-C to the parent."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass


class LocalExecutor:
    """A pool of `workers` local processes (spawned, so no state leaks from the coordinator)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=init_worker)

    def submit(self, fn: Callable, /, *args: Any) -> TaskFuture:
        return self._pool.submit(fn, *args)

    def close(self, *, cancel: bool = False) -> None:
        """Wait for the workers; with `cancel`, drop queued tasks and stop the running ones now."""
        if cancel:
            for proc in list(getattr(self._pool, "_processes", {}).values()):
                proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=cancel)


class DaskExecutor:
    """Tasks on a running Dask scheduler (`dask scheduler` + `dask worker`, started by the operator)."""

    def __init__(self, address: str) -> None:
        from distributed import Client  # dask (about 1 s to import) only for the dask executor

        try:
            self._client = Client(address, timeout="15s", set_as_default=False)
        except OSError as exc:
            raise BatchWorkerFailed(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.workers = max(1, sum(w.get("nthreads", 1)
                                  for w in self._client.scheduler_info()["workers"].values()))

    def submit(self, fn: Callable, /, *args: Any) -> TaskFuture:
        return self._client.submit(fn, *args, pure=False)

    def close(self, *, cancel: bool = False) -> None:
        self._client.close()


def make_executor(*, workers: int | None, scheduler: str | None) -> Executor:
    """Dask when a scheduler address is given, else local processes (default: one per CPU)."""
    if scheduler:
        return DaskExecutor(scheduler)
    return LocalExecutor(workers or os.cpu_count() or 1)
