"""Parser isolation: each document is read (parsed and OCR'd) in a long-lived worker process under limits.

A worker is a plain `python -m service.isolation` process in its own session and process group, holding the
ingest modules loaded (a command's first worker is forked from the command at its start instead, see
start_forked: same limits, same errors). Per document it caps its address space (RLIMIT_AS, inherited by tesseract) and
its CPU time (RLIMIT_CPU); the parent enforces the wall time. A worker that crashes, overruns a limit
or hangs is killed with its OCR children, its temp folder (inside data_dir/tmp) is removed, the
document gets a typed error (`parser_crashed`, `parser_timeout`, `parser_memory`) and a fresh worker
is started for the next one. The same pool serves the API, `poecheck check`, eval and batch tasks.
While it reads, a worker can report the file's pages read so far (at most every PAGES_EVERY_S) on the reply pipe.
"""
from __future__ import annotations

import atexit
import contextlib
import importlib
import logging
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from service import errors
from service.errors import ParserCrashed, ParserMemory, ParserTimeout, PoecheckError

if TYPE_CHECKING:  # a caller starts a worker before pydantic loads (`poecheck check`): nothing heavy at the top
    from models import Document
    from service.config import Settings

log = logging.getLogger(__name__)

TASK_FD, REPLY_FD = 3, 4  # the pipe ends a worker reads tasks from and writes replies to
POLL_S = 0.05
#: A reader's environment: one thread for OpenMP (tesseract) and OpenBLAS, two malloc arenas (the address-space cap
#: counts each arena's reservation).
_READER_ENV = {"OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
PAGES_EVERY_S = 0.25  # a worker's reports of pages read, at most this often (the file's page count at once)
#: A crash with a sampled peak RSS above this share of the cap counts as out of memory. Samples can miss the last
#: growth of a reader that dies between two (a 2 GB bomb under a 512 MB cap was last seen at 253 MB); the
#: kernel's own peak (wait4's ru_maxrss) cannot be used: it includes the parent's before the reader's exec.
MEMORY_DEATH_SHARE = 0.4
_ROOT = Path(__file__).resolve().parent.parent
#: What a forked reader shares with the command that forks it: modules both need, imported before the fork.
FORK_SHARED = ("models.document", "service.config", "service.ingest.registry", "checks.rulebook")


@dataclass(frozen=True)
class Usage:
    """What reading one document cost the worker (peak RSS is reset at the start of each document)."""

    seconds: float
    peak_rss_mb: float
    ocr_peak_rss_mb: float = 0.0  # the largest tesseract child the worker has run (lifetime)
    cpu_s: float = 0.0


@dataclass(frozen=True)
class Parsed:
    """A document or its typed error, with the worker's usage."""

    document: Document | None
    error: PoecheckError | None
    usage: Usage

    def unwrap(self) -> Document:
        if self.error is not None:
            raise self.error
        assert self.document is not None
        return self.document


class _Worker:
    """One worker process and the two pipe ends that talk to it.

    A worker is spawned as a fresh interpreter, or (`fork`, for a command-line start) forked from the caller
    while it holds no thread and has loaded only modules the reader needs too (see start_forked): the reader
    then skips Python's start and pydantic's, and imports only what its files need (`expect`, file names)."""

    def __init__(self, *, expect: Sequence[str] = (), fork: bool = False) -> None:
        task_r, task_w = os.pipe()
        reply_r, reply_w = os.pipe()
        try:
            if fork:
                self.pid = os.fork()
                if self.pid == 0:
                    _forked_reader(task_r, reply_w, parent_ends=(task_w, reply_r), expect=expect)  # never returns
            else:
                env = {**os.environ, **_READER_ENV,
                       "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
                actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                           (os.POSIX_SPAWN_DUP2, task_r, TASK_FD), (os.POSIX_SPAWN_DUP2, reply_w, REPLY_FD)]
                self.pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "service.isolation", *expect],
                                          env, file_actions=actions, setsid=True)
        finally:
            os.close(task_r)
            os.close(reply_w)
        self.tasks = Connection(task_w, readable=False)
        self.replies = Connection(reply_r, writable=False)
        self.exit_status: int | None = None
        self.peak_rss_mb = 0.0  # sampled while it reads a document (VmHWM, reset per document)

    def sample(self) -> None:
        """Record the worker's peak RSS so far (kept for a worker that then dies)."""
        self.peak_rss_mb = max(self.peak_rss_mb, vm_hwm_mb(self.pid) or 0.0)

    def kill(self) -> None:
        """Kill the worker with its OCR children (its process group) and reap it, keeping its exit status."""
        if self.exit_status is None:
            try:  # before reaping, so the group id cannot have been reused
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # a forked worker killed before its setsid(): no group, no children yet
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.exit_status = os.waitstatus_to_exitcode(status)
        self.tasks.close()
        self.replies.close()


class ParserPool:
    """Idle workers handed out one document at a time; it grows to as many documents as are read at once."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._ahead: list[_Ahead] = []
        self._lock = threading.Lock()
        self._closed = False

    def warm(self, count: int, *, expect: Sequence[str] = (), fork: bool = False) -> None:
        """Start workers until `count` are idle (they load the ingest modules in the background: those of the
        files named in `expect` only, when it names a type poecheck reads). `fork`: see _Worker."""
        with self._lock:
            while len(self._idle) < count and not self._closed:
                self._idle.append(_Worker(expect=expect, fork=fork))

    def parse(self, path: Path, *, settings: Settings, display_name: str | None = None,
              on_page: Callable[[int, int], None] | None = None) -> Parsed:
        """Read one file in a worker; crashes, limits and hangs come back as typed errors. `on_page` is told
        (pages read, pages) of the file while it is read (not after a crash: the caller counts what it got).
        A file sent ahead (send_ahead) with the same arguments is not sent again: its reply is awaited."""
        ahead = self._take_ahead(path, settings, display_name) if on_page is None else None
        if ahead is None:
            tmp = _task_folder(settings)
            worker = self._take()
            worker.peak_rss_mb = 0.0  # sampled while it reads this document
            started = time.monotonic()
        else:
            worker, tmp, started = ahead.worker, ahead.tmp, ahead.started
        name = display_name or path.name
        healthy = False
        try:
            if ahead is None:
                worker.tasks.send((str(path), display_name, settings, tmp, on_page is not None))
            reply, timed_out = self._wait(worker, deadline=started + settings.parse_timeout_s, on_page=on_page)
            if reply is None:
                worker.kill()
                error = _death_error(worker, name, settings, timed_out=timed_out)
                return Parsed(None, error, _usage(worker, started))
            kind, payload, usage, recycle = reply
            healthy = not recycle
            if kind == "ok":
                return Parsed(payload, None, usage)
            return Parsed(None, _rebuild(*payload), usage)
        except OSError as exc:  # the worker died between documents (a broken pipe)
            log.warning("parser worker %d was gone: %s", worker.pid, type(exc).__name__)
            worker.kill()
            return Parsed(None, ParserCrashed(f"{name}: the reader stopped unexpectedly; try again."),
                          _usage(worker, started))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            self._give_back(worker, healthy=healthy)

    def send_ahead(self, path: Path, *, settings: Settings, display_name: str | None = None) -> None:
        """Hand `path` to an idle worker now, so that it reads while the caller does other work; `parse` with the
        same arguments (and no on_page) then waits for its reply. Nothing when no worker is idle (parse reads it
        then). A file sent ahead and never parsed is dropped by `close`."""
        with self._lock:
            if self._closed or not self._idle:
                return
            worker = self._idle.pop()
        try:
            tmp = _task_folder(settings)
        except PoecheckError:  # parse raises it, in its turn
            self._give_back(worker, healthy=True)
            return
        worker.peak_rss_mb = 0.0
        try:
            worker.tasks.send((str(path), display_name, settings, tmp, False))
        except OSError:  # the worker is gone: parse reads the file in another
            shutil.rmtree(tmp, ignore_errors=True)
            self._give_back(worker, healthy=False)
            return
        ahead = _Ahead(str(path), display_name, settings, worker, tmp, time.monotonic())
        with self._lock:
            self._ahead.append(ahead)
        threading.Thread(target=ahead.watch, name="read-ahead", daemon=True).start()

    def _take_ahead(self, path: Path, settings: Settings, display_name: str | None) -> _Ahead | None:
        with self._lock:
            for ahead in self._ahead:
                if (ahead.path, ahead.display_name) == (str(path), display_name) and ahead.settings == settings:
                    self._ahead.remove(ahead)
                    ahead.taken.set()
                    return ahead
        return None

    def close(self) -> None:
        """Stop the idle workers and those reading a file sent ahead that no parse took (other busy ones stop
        when their parse ends)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            ahead, self._ahead = self._ahead, []
        for worker in idle:
            worker.kill()
        for dropped in ahead:
            dropped.taken.set()
            dropped.worker.kill()
            shutil.rmtree(dropped.tmp, ignore_errors=True)

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker()

    def _give_back(self, worker: _Worker, *, healthy: bool) -> None:
        if healthy:
            with self._lock:
                if not self._closed:
                    self._idle.append(worker)
                    return
        worker.kill()
        if not healthy:
            self.warm(1)  # the replacement loads while the caller goes on

    def _wait(self, worker: _Worker, *, deadline: float,
              on_page: Callable[[int, int], None] | None) -> tuple[tuple | None, bool]:
        """(the worker's reply, False); (None, False) when it died; (None, True) when it overran the wall time.
        Reports of pages read on the way go to `on_page`."""
        while time.monotonic() < deadline:
            if worker.replies.poll(POLL_S):
                try:
                    reply = worker.replies.recv()
                except EOFError:
                    return None, False
                if reply[0] != "pages":
                    return reply, False
                if on_page is not None:
                    on_page(reply[1], reply[2])
                continue
            worker.sample()
        log.warning("parser worker %d overran the wall-time limit; killing it", worker.pid)
        return None, True


@dataclass
class _Ahead:
    """A file sent to a worker before a parse asked for it (ParserPool.send_ahead)."""

    path: str
    display_name: str | None
    settings: Settings
    worker: _Worker
    tmp: str
    started: float
    taken: threading.Event = field(default_factory=threading.Event)  # by a parse, or dropped

    def watch(self) -> None:
        """Sample the worker's peak RSS until a parse takes it over (which samples from then on), so that a worker
        dying of memory before is still seen as such (see _death_error)."""
        while not self.taken.wait(POLL_S):
            self.worker.sample()


def _task_folder(settings: Settings) -> str:
    """A new temp folder for one document under data_dir/tmp (the reader writes nowhere else)."""
    root = settings.data_dir / "tmp"
    try:
        root.mkdir(parents=True, exist_ok=True)
        return tempfile.mkdtemp(prefix="parse-", dir=root)
    except OSError as exc:
        raise PoecheckError(f"cannot write temp files in {root} ({exc.strerror}); set POECHECK_DATA_DIR "
                            "to a writable folder.", code="data_dir_unwritable", http_status=500) from exc


def _death_error(worker: _Worker, name: str, settings: Settings, *, timed_out: bool) -> PoecheckError:
    """The typed error for a worker that died (by its exit status) or was killed on the wall-time limit."""
    status = worker.exit_status
    if timed_out or status is None:
        return ParserTimeout(f"{name}: reading the file took longer than {settings.parse_timeout_s:g} s.")
    if status == -signal.SIGXCPU:
        return ParserTimeout(f"{name}: reading the file used more than {settings.parse_cpu_s} s of CPU time.")
    what = signal.Signals(-status).name if status < 0 else f"exit code {status}"
    log.warning("parser worker %d died (%s), peak %.0f MB", worker.pid, what, worker.peak_rss_mb)
    if worker.peak_rss_mb >= MEMORY_DEATH_SHARE * settings.parse_memory_mb or status == -signal.SIGKILL:
        return ParserMemory.over(name, settings.parse_memory_mb)
    return ParserCrashed(f"{name}: the file made the reader crash ({what}); it may be damaged.")


def _usage(worker: _Worker, started: float) -> Usage:
    return Usage(seconds=time.monotonic() - started, peak_rss_mb=worker.peak_rss_mb)


def _rebuild(class_name: str, code: str, message: str, http_status: int) -> PoecheckError:
    """The parent-side copy of a typed error raised in the worker."""
    cls = getattr(errors, class_name, None)
    try:
        error = cls(message) if isinstance(cls, type) and issubclass(cls, PoecheckError) else None
    except TypeError:
        error = None
    error = error or PoecheckError(message)
    error.code, error.http_status = code, http_status
    return error


_default: ParserPool | None = None
_default_lock = threading.Lock()


def default_pool() -> ParserPool:
    """The process's pool (started on first use, stopped at exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ParserPool()
            atexit.register(_default.close)
        return _default


def can_fork() -> bool:
    """Whether this process may fork a reader: on Linux, holding no other thread (a fork copies the calling
    thread only, and a lock another thread held would stay held in the child)."""
    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1  # threads a library started outside Python too
    except OSError:
        return False


def start_forked(expect: Sequence[str] = ()) -> None:
    """Start the process's first reader by forking this one (see _Worker): FORK_SHARED is imported here first,
    once for both processes. A spawned reader instead when this process cannot fork (see can_fork)."""
    fork = can_fork()
    if fork:
        for module in FORK_SHARED:
            importlib.import_module(module)
    default_pool().warm(1, expect=expect, fork=fork and can_fork())  # no thread started by an import


# --- the worker side -------------------------------------------------------------------------------


def _forked_reader(task_r: int, reply_w: int, *, parent_ends: tuple[int, int], expect: Sequence[str]) -> NoReturn:
    """A forked worker: its own session, the pipes on TASK_FD and REPLY_FD, stdin from /dev/null and the reader's
    environment, as a spawned worker has them; then the worker loop. It never returns into the caller's code
    (os._exit: no atexit handler of the caller runs here)."""
    code = 1
    try:
        os.setsid()
        for fd in parent_ends:  # else the task pipe never ends when the caller dies
            os.close(fd)
        for fd, target in ((task_r, TASK_FD), (reply_w, REPLY_FD)):  # reply_w > task_r >= 3: no clobbering
            if fd != target:
                os.dup2(fd, target)
                os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.environ.update(_READER_ENV)  # read by OpenMP and OpenBLAS when they load, after this
        _limit_malloc_arenas()  # glibc read MALLOC_ARENA_MAX at the caller's start, before this
        _serve(expect)
        code = 0
    except BaseException:  # noqa: BLE001 (the parent sees the death and reports parser_crashed)
        traceback.print_exc()
    finally:
        os._exit(code)


def _limit_malloc_arenas() -> None:
    try:
        import ctypes  # lazy: a forked worker only (a spawned one has MALLOC_ARENA_MAX in its environment)

        ctypes.CDLL(None).mallopt(-8, int(_READER_ENV["MALLOC_ARENA_MAX"]))  # -8: M_ARENA_MAX (glibc)
    except (OSError, AttributeError):  # not glibc
        pass


def _serve(expect: Sequence[str] = ()) -> None:
    """Worker loop: read a task, ingest under limits, reply; exit on EOF or after running out of memory.
    `expect`: names of the files it will read, so it preloads only their readers (see _preload)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which kills the group
    logging.basicConfig(level=logging.WARNING, format="poecheck parser: %(name)s: %(message)s")

    # the reader's modules, not the parent's (a parent imports this module to start a reader)
    from checks.unexpected import log_unexpected
    from service.ingest.dispatch import ingest_path as ingest_here
    from service.logfilter import install

    install(per_minute=10)  # a hostile file's thousand identical warnings make ten lines
    logging.getLogger("extract_msg").setLevel(logging.ERROR)  # format quirks of every odd .msg

    tasks = Connection(TASK_FD, writable=False)
    replies = Connection(REPLY_FD, readable=False)
    _preload(tasks, expect)
    while True:
        try:
            path, display_name, settings, tmp, progress = tasks.recv()
        except EOFError:
            return
        _set_limits(settings)
        _reset_peak_rss()
        started, cpu = time.monotonic(), time.process_time()
        tempfile.tempdir = tmp  # OCR page images go to the task's folder, removed by the parent
        recycle = False
        try:
            reply: tuple = ("ok", ingest_here(Path(path), settings=settings, display_name=display_name,
                                              on_page=_PageReports(replies) if progress else None))
        except MemoryError:
            recycle = True
            reply = ("error", _flat(ParserMemory.over(display_name or Path(path).name, settings.parse_memory_mb)))
        except PoecheckError as exc:
            recycle = isinstance(exc, ParserMemory)
            reply = ("error", _flat(exc))
        except Exception as exc:  # noqa: BLE001 (a bug, not the document: the parent raises it as ours; logged)
            log_unexpected(log, exc, "reader failed")
            reply = ("error", ("PoecheckError", "internal_error", f"reader failed ({type(exc).__name__})", 500))
        finally:
            tempfile.tempdir = None
        usage = Usage(seconds=time.monotonic() - started, peak_rss_mb=vm_hwm_mb() or 0.0,
                      ocr_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      cpu_s=time.process_time() - cpu)
        replies.send((*reply, usage, recycle))
        if recycle:
            return


class _PageReports:
    """A worker's reports of the pages read to its parent: the page count and the last page at once, the pages
    between at most every PAGES_EVERY_S (IngestContext.on_page calls it one call at a time; the reply follows
    when they are over)."""

    def __init__(self, replies: Connection) -> None:
        self._replies = replies
        self._sent = -PAGES_EVERY_S

    def __call__(self, read: int, total: int) -> None:
        now = time.monotonic()
        if 0 < read < total and now - self._sent < PAGES_EVERY_S:
            return
        self._sent = now
        try:
            self._replies.send(("pages", read, total))
        except OSError:  # the parent is gone: the next task read ends this worker
            pass


def _preload(tasks: Connection, expect: Sequence[str] = ()) -> None:
    """Import the readers and the libraries they load on demand while no task is waiting, so a file's first
    read does not pay for them (the parent is meanwhile busy with its own start, e.g. loading the rules). With
    `expect` naming files of types poecheck reads, only their readers (a file of another type, found inside or
    by its content, loads its reader when read)."""
    from service.ingest.registry import preload_modules, reader_for, type_from_name  # the reader only

    readers = [r for r in dict.fromkeys(reader_for(t) for t in map(type_from_name, expect) if t) if r is not None]
    modules = ([m for r in readers for m in (r.read_by.partition(":")[0], *r.libraries)] if readers
               else preload_modules())
    for module in modules:
        if tasks.poll():
            return
        importlib.import_module(module)


def _flat(exc: PoecheckError) -> tuple[str, str, str, int]:
    return type(exc).__name__, exc.code, exc.message, exc.http_status


def _set_limits(settings: Settings) -> None:
    """Cap address space and (from now) CPU seconds; soft limits, so the next document can set its own."""
    memory = settings.parse_memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + 1 + settings.parse_cpu_s
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard))


def _reset_peak_rss() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # not Linux: the peak is then the worker's lifetime peak
        pass


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory in MB (Linux VmHWM), None when unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


if __name__ == "__main__":  # run the importable copy, so replies pickle as service.isolation types
    from service.isolation import _serve as serve

    serve(sys.argv[1:])
