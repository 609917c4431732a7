"""Parser isolation: each document is read (parsed and OCR'd) in a long-lived worker process under limits.

A worker is a plain `python -m service.isolation` process in its own session and process group, holding the
ingest modules loaded (a command's first worker is forked from the command at its start instead, see
start_forked: same limits, same errors). Per document it caps its address space (RLIMIT_AS, inherited by tesseract) and
its CPU time (RLIMIT_CPU); the parent enforces the wall time. A worker that crashes, overruns a limit
or hangs is killed with its OCR children, its temp folder (inside data_dir/tmp) is removed, the
document gets a typed error (`parser_crashed`, `parser_timeout`, `parser_memory`) and a fresh worker
is started for the next one. The same pool serves the API, `poecheck check`, eval and batch tasks.
While it reads, a worker can report the file's pages read so far (at most every PAGES_EVERY_S) on the reply pipe,
and it reports its address space there (see _Replies), by which the parent tells a memory death from a crash.
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
from dataclasses import dataclass
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
#: A reader's environment: one thread for OpenMP (tesseract) and OpenBLAS, two malloc arenas (the address-space cap
#: counts each arena's reservation).
_READER_ENV = {"OMP_THREAD_LIMIT": "1", "OPENBLAS_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
PAGES_EVERY_S = 0.25  # a worker's reports of pages read, at most this often (the file's page count at once)
MEMORY_EVERY_S = 0.01  # how often a reading worker looks at its address space
MEMORY_STEP = 1 / 32  # it reports its address space each time it grew by this share of the cap
#: A worker that dies by a signal counts as out of memory (native code such as pdfium aborts when an allocation
#: fails) when it had used this share of the room it had under the cap at the document's start, or when its last
#: report left it less than MEMORY_DEATH_ROOM of the cap (it may die between two reports, before the next step).
MEMORY_DEATH_SHARE = 0.5
MEMORY_DEATH_ROOM = 0.25
#: A worker that has read a document and whose address space takes more than this share of the next document's
#: cap is replaced by a fresh one for it (what earlier documents left is not taken from the next one's cap).
REUSE_SHARE = 0.7
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
        self.used = False  # it has been given a document
        self.start_mb: float | None = None  # its address space when it started the document
        self.top_mb = self.peak_rss_mb = 0.0  # the largest address space and RSS it reported since

    def begin(self) -> None:
        """Forget the last document's memory reports (before sending the worker a new one)."""
        self.used, self.start_mb, self.top_mb, self.peak_rss_mb = True, None, 0.0, 0.0

    def note_memory(self, size_mb: float, rss_mb: float) -> None:
        """Keep one of the worker's memory reports (see _Replies)."""
        if self.start_mb is None:
            self.start_mb = size_mb
        self.top_mb, self.peak_rss_mb = max(self.top_mb, size_mb), max(self.peak_rss_mb, rss_mb)

    def died_of_memory(self, cap_mb: int) -> bool:
        """Whether the worker, dead by a signal, had come near `cap_mb` (see MEMORY_DEATH_SHARE)."""
        if self.start_mb is None:  # no report (not Linux, or it died before its first)
            return False
        return (cap_mb - self.top_mb < MEMORY_DEATH_ROOM * cap_mb
                or self.top_mb - self.start_mb >= MEMORY_DEATH_SHARE * (cap_mb - self.start_mb))

    def too_full_for(self, cap_mb: int) -> bool:
        """Whether a worker that has read a document takes more than REUSE_SHARE of `cap_mb` (see REUSE_SHARE)."""
        if not self.used:
            return False
        memory = memory_mb(self.pid)
        return memory is not None and memory[0] > REUSE_SHARE * cap_mb

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
            worker = self._take(settings.parse_memory_mb)
            worker.begin()
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
        if worker.too_full_for(settings.parse_memory_mb):
            self._give_back(worker, healthy=False)
            return
        try:
            tmp = _task_folder(settings)
        except PoecheckError:  # parse raises it, in its turn
            self._give_back(worker, healthy=True)
            return
        worker.begin()
        try:
            worker.tasks.send((str(path), display_name, settings, tmp, False))
        except OSError:  # the worker is gone: parse reads the file in another
            shutil.rmtree(tmp, ignore_errors=True)
            self._give_back(worker, healthy=False)
            return
        ahead = _Ahead(str(path), display_name, settings, worker, tmp, time.monotonic())
        with self._lock:
            self._ahead.append(ahead)

    def _take_ahead(self, path: Path, settings: Settings, display_name: str | None) -> _Ahead | None:
        with self._lock:
            for ahead in self._ahead:
                if (ahead.path, ahead.display_name) == (str(path), display_name) and ahead.settings == settings:
                    self._ahead.remove(ahead)
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
            dropped.worker.kill()
            shutil.rmtree(dropped.tmp, ignore_errors=True)

    def _take(self, cap_mb: int) -> _Worker:
        """An idle worker with room under `cap_mb` (see REUSE_SHARE), else a new one."""
        while True:
            with self._lock:
                if not self._idle:
                    return _Worker()
                worker = self._idle.pop()
            if not worker.too_full_for(cap_mb):
                return worker
            worker.kill()

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
        while (left := deadline - time.monotonic()) > 0:
            if worker.replies.poll(left):
                try:
                    reply = worker.replies.recv()
                except EOFError:
                    return None, False
                if reply[0] == "memory":
                    worker.note_memory(reply[1], reply[2])
                elif reply[0] != "pages":
                    return reply, False
                elif on_page is not None:
                    on_page(reply[1], reply[2])
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
    log.warning("parser worker %d died (%s), address space %s -> %.0f MB", worker.pid, what,
                "?" if worker.start_mb is None else f"{worker.start_mb:.0f}", worker.top_mb)
    if status == -signal.SIGKILL or worker.died_of_memory(settings.parse_memory_mb):
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
    replies = _Replies(Connection(REPLY_FD, readable=False))
    _preload(tasks, expect)
    while True:
        try:
            path, display_name, settings, tmp, progress = tasks.recv()
        except EOFError:
            return
        _set_limits(settings)
        _reset_peak_rss()
        replies.start(settings.parse_memory_mb)
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
            replies.stop()
        usage = Usage(seconds=time.monotonic() - started, peak_rss_mb=vm_hwm_mb() or 0.0,
                      ocr_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                      cpu_s=time.process_time() - cpu)
        replies.send((*reply, usage, recycle))
        if recycle:
            return


class _Replies:
    """A worker's reply pipe, on which it also reports its address space (what its cap limits) and RSS while it
    reads a document: at the start, then each time the address space grew by MEMORY_STEP of the cap (looked at
    every MEMORY_EVERY_S by a thread). A pipe keeps what was written before a death, so the parent knows how near
    its cap a worker that died by a signal had come, however fast it died; no report follows the reply."""

    def __init__(self, replies: Connection) -> None:
        self._replies = replies
        self._lock = threading.Lock()  # one message at a time on the pipe
        self._reading = threading.Event()
        self._step = self._sent = 0.0
        threading.Thread(target=self._watch, name="memory-reports", daemon=True).start()

    def send(self, message: tuple) -> None:
        with self._lock:
            self._replies.send(message)

    def start(self, cap_mb: int) -> None:
        """Report now, and from now on while the document is read."""
        self._step, self._sent = cap_mb * MEMORY_STEP, 0.0
        with self._lock:
            self._report()
            self._reading.set()

    def stop(self) -> None:
        """No more reports until the next start (the reply follows)."""
        with self._lock:
            self._reading.clear()

    def _watch(self) -> None:
        while self._reading.wait():
            time.sleep(MEMORY_EVERY_S)
            with self._lock:
                if self._reading.is_set():
                    self._report()

    def _report(self) -> None:
        size, rss = memory_mb() or (0.0, 0.0)
        if size >= self._sent + self._step:
            self._sent = size
            with contextlib.suppress(OSError):  # the parent is gone: the next task read ends this worker
                self._replies.send(("memory", size, rss))


class _PageReports:
    """A worker's reports of the pages read to its parent: the page count and the last page at once, the pages
    between at most every PAGES_EVERY_S (IngestContext.on_page calls it one call at a time; the reply follows
    when they are over)."""

    def __init__(self, replies: _Replies) -> None:
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


def vm_hwm_mb() -> float | None:
    """This process's peak resident memory in MB (Linux VmHWM), None when unknown."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / (1 << 20) if hasattr(os, "sysconf") else 0.0


def memory_mb(pid: int | str = "self") -> tuple[float, float] | None:
    """A process's address space (VmSize, what RLIMIT_AS caps) and RSS in MB (Linux), None when unknown."""
    try:
        size, rss = Path(f"/proc/{pid}/statm").read_bytes().split()[:2]
        return int(size) * _PAGE_MB, int(rss) * _PAGE_MB
    except (OSError, ValueError):
        return None


if __name__ == "__main__":  # run the importable copy, so replies pickle as service.isolation types
    from service.isolation import _serve as serve

    serve(sys.argv[1:])
