"""Asynchronous checks: `POST /v1/checks?async=true` queues a durable job (service.store.jobs) and every
replica's JobWorker claims queued jobs, reads the files, runs the checks and finishes the job once.

The files of a job wait in <files_dir>/jobs/<job id>/ (a folder the replicas share), so a replica that
takes over a job whose replica died finds them. The work runs in the replica (the isolated reader, as a
synchronous check) or, with POECHECK_DASK_SCHEDULER, on the Dask cluster: one task per file, then one
for the checks, as `poecheck batch` does. The job's progress counts pages as the readers read them (a Dask
worker tells them to the replica as events of a topic the replica subscribes to) and is written with the
lease, at most every PROGRESS_EVERY_S.
"""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checks.unexpected import log_unexpected
from models import Claim, Document, Report
from service.config import Settings
from service.errors import PoecheckError, ServiceBusy
from service.store.jobs import Job, JobStore, LostLease, new_id

log = logging.getLogger(__name__)
#: This process, as a lease owner and in `ran_on`.
REPLICA = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
CLOSE_WAIT_S = 10.0
PROGRESS_EVERY_S = 0.5  # a job's page progress is written at most this often
INTERNAL = ("internal_error",
            "The check failed inside poecheck; it was logged. Try again or send the files one by one.", 500)


def job_folder(settings: Settings, job_id: str) -> Path:
    return settings.files_dir / "jobs" / job_id


def enqueue(jobs: JobStore, settings: Settings, upload, claim: Claim, stated: frozenset[str] | None) -> Job:
    """Move the uploaded files (service.api.uploads.Upload) to the job's shared folder and queue the job."""
    job_id = new_id()
    folder = job_folder(settings, job_id)
    folder.mkdir(parents=True)
    try:
        for name, path in upload.files.items():
            shutil.move(str(path), folder / name)
        return jobs.submit(job_id, claim=claim.model_dump_json(), stated=None if stated is None else sorted(stated),
                           files=list(upload.files), owner_partner_id=claim.partner.partner_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        upload.cleanup()


async def finished(jobs: JobStore, job_id: str, *, within_s: float, poll_s: float = 0.2) -> Job:
    """Wait (off the event loop's way) until the job is done or failed; what a synchronous check on a Dask
    cluster does, so that its work runs on the cluster like an asynchronous one. After `within_s`, ServiceBusy
    (503) names the job, which goes on and can be followed."""
    from fastapi.concurrency import run_in_threadpool  # the API's; this module also runs on Dask workers

    deadline = asyncio.get_running_loop().time() + within_s
    while (job := await run_in_threadpool(jobs.get, job_id)).status not in ("done", "failed"):
        if asyncio.get_running_loop().time() > deadline:
            raise ServiceBusy(f"The check is still queued or running; follow it at /v1/jobs/{job_id}.",
                              retry_after=15)
        await asyncio.sleep(poll_s)
    return job


def purge_job_folders(jobs: JobStore, settings: Settings) -> int:
    """Remove the files of jobs that ended (a job abandoned after MAX_ATTEMPTS leaves them); returns how many."""
    root = settings.files_dir / "jobs"
    folders = [f.name for f in root.iterdir() if f.is_dir()] if root.is_dir() else []
    ended = jobs.ended(folders) if folders else set()
    for job_id in ended:
        shutil.rmtree(root / job_id, ignore_errors=True)
    return len(ended)


@dataclass(frozen=True)
class Located:
    """A task's value or its error (code, message, HTTP status), and where it ran."""

    value: Document | Report | None
    error: tuple[str, str, int] | None
    where: str


def _here() -> str:
    try:
        from distributed import get_worker  # dask only where a task may run on a worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"replica {REPLICA}"


def _located(fn: Callable[[], Document | Report]) -> Located:
    try:
        return Located(fn(), None, _here())
    except PoecheckError as exc:
        return Located(None, (exc.code, exc.message, exc.http_status), _here())
    except Exception as exc:  # noqa: BLE001 - a bug: logged by type and frames only (a message may quote a document)
        log_unexpected(log, exc, "asynchronous check task failed")
        return Located(None, INTERNAL, _here())


def ingest_task(path: str, name: str, settings: Settings,
                on_page: Callable[[int, int], None] | None = None) -> Located:
    """Read one file in the isolated reader, under its upload name (runs in the replica or a Dask worker),
    telling `on_page` (pages read, pages) as it goes."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from service.reading import read_document  # the reader's parent side, only where a file is read

    return _located(lambda: read_document(Path(path), settings=settings, display_name=name, on_page=on_page))


@dataclass(frozen=True)
class WorkerPages:
    """A file's pages read on a Dask worker, told to the replica that submitted it as an event of `topic`."""

    topic: str
    key: str

    def __call__(self, read: int, total: int) -> None:
        from distributed import get_worker  # runs only in a task on a Dask worker

        get_worker().log_event(self.topic, [self.key, read, total])


def check_task(claim: Claim, docs: list[Document], matches: tuple, settings: Settings,
               stated: frozenset[str] | None) -> Located:
    """Run every check and the payout over documents already read; `matches` are the reuse index's answer."""
    from service.batch.tasks import (
        FixedMatches,  # the checks' modules load in the task's process, not the app
    )
    from service.pipeline import run_claim

    return _located(lambda: run_claim(claim, docs, reuse=FixedMatches(tuple(matches)),
                                      max_chars=settings.check_text_chars, time_limit_s=settings.checks_timeout_s,
                                      stated=stated))


class Compute:
    """Where a job's tasks run: this replica's thread (default) or a Dask cluster."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client = None
        self._topic = f"poecheck-pages-{uuid.uuid4().hex}"  # this replica's: others' pages never reach it
        self._listeners: dict[str, Callable[[int, int], None]] = {}
        if settings.dask_scheduler:
            from distributed import Client  # dask only with a configured scheduler

            self._client = Client(settings.dask_scheduler, timeout="15s", set_as_default=False)
            self._client.subscribe_topic(self._topic, self._pages_event)

    def ingest(self, files: dict[str, Path], *, on_read: Callable[[str, Located], None],
               on_page: Callable[[str, int, int], None]) -> list[Located]:
        """Read every file (one task each), telling `on_page` (name, pages read, pages) while a file is read and
        `on_read` (name, result) once it is; results in file order."""
        names = list(files)
        if self._client is None:
            out = []
            for name in names:
                out.append(ingest_task(str(files[name]), name, self._settings,
                                       on_page=lambda read, total, name=name: on_page(name, read, total)))
                on_read(name, out[-1])
            return out
        from distributed import as_completed  # dask only with a configured scheduler

        keys = {n: uuid.uuid4().hex for n in names}
        for name, key in keys.items():
            self._listeners[key] = lambda read, total, name=name: on_page(name, read, total)
        try:
            futures = {self._client.submit(ingest_task, str(files[n]), n, self._settings,
                                           WorkerPages(self._topic, keys[n]), pure=False): n for n in names}
            results: dict[str, Located] = {}
            for future in as_completed(futures, loop=self._client.loop):
                results[futures[future]] = future.result()
                on_read(futures[future], results[futures[future]])
        finally:
            for key in keys.values():
                self._listeners.pop(key, None)
        return [results[n] for n in names]

    def _pages_event(self, event: tuple) -> None:
        """A WorkerPages event (on the client's event loop: the listener only records it)."""
        key, read, total = event[1]
        listener = self._listeners.get(key)
        if listener is not None:
            listener(read, total)

    def check(self, claim: Claim, docs: list[Document], matches: Sequence, stated: frozenset[str] | None) -> Located:
        if self._client is None:
            return check_task(claim, docs, tuple(matches), self._settings, stated)
        return self._client.submit(check_task, claim, docs, tuple(matches), self._settings, stated,
                                   pure=False).result()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


class _Lease:
    """Renews a job's lease every third of its length while the job runs, carrying the latest progress; progress
    given to `update` is written by the same thread, at most every PROGRESS_EVERY_S."""

    def __init__(self, jobs: JobStore, job: Job, owner: str, lease_s: float) -> None:
        self._jobs, self._job, self._owner, self._lease_s = jobs, job, owner, lease_s
        self._progress: dict = {}
        self._pending = False  # progress not written yet
        self._written = time.monotonic()  # the claim took the lease
        self._stopped = False
        self._changed = threading.Condition()
        self._writing = threading.Lock()  # writes go out in the order their progress was taken
        self.lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job.id[:8]}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while True:
            with self._changed:
                while (wait := self._due() - time.monotonic()) > 0 and not self._stopped:
                    self._changed.wait(wait)
                if self._stopped:
                    return
            self.renew()

    def _due(self) -> float:
        return self._written + (PROGRESS_EVERY_S if self._pending else self._lease_s / 3)

    def update(self, **progress) -> None:
        """Record progress, written with the next renewal, at the latest PROGRESS_EVERY_S after the last one;
        it never waits for the database (a Dask client's event loop calls it)."""
        with self._changed:
            self._progress.update(progress)
            self._pending = True
            self._changed.notify()

    def renew(self, **progress) -> None:
        """Extend the lease now, writing the progress recorded so far with `progress`."""
        with self._writing:
            with self._changed:
                self._progress.update(progress)
                values, self._pending, self._written = dict(self._progress), False, time.monotonic()
            if self.lost:
                return
            try:
                self._jobs.renew(self._job.id, self._owner, lease_s=self._lease_s, **values)
            except LostLease:
                self.lost = True
            except Exception as exc:  # noqa: BLE001 - the database is away for a moment: the next beat tries again
                log.warning("lease of job %s not renewed: %s", self._job.id, type(exc).__name__)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join()


class _Progress:
    """A job's files and pages read so far: a file's pages as its reader counts them while it is read, then its
    own page count once read, and none once it failed (the partial count of a reader that died is dropped).
    The page total is known once every file's count is (a PDF's or image's when its reader opens it)."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = list(names)
        self._reading: dict[str, tuple[int, int]] = {}
        self._read: dict[str, tuple[int, int | None]] = {}  # (pages, page count) of each file read or failed

    def page(self, name: str, read: int, total: int) -> dict:
        """A reader's report; a late one (a Dask event after its file's result) changes nothing."""
        if name not in self._read:
            before = self._reading.get(name, (0, 0))
            self._reading[name] = (max(before[0], read), total or before[1])
        return self.values()

    def done(self, name: str, result: Located) -> dict:
        """A file read (its own pages) or failed (no pages, its count as its reader said)."""
        said = self._reading.pop(name, (0, 0))[1] or None
        if result.value is None:
            self._read[name] = (0, said)
        else:
            pages = _top_pages(result.value)
            self._read[name] = (pages, pages)
        return self.values()

    def values(self) -> dict:
        counts = [self._read[n][1] if n in self._read else self._reading.get(n, (0, 0))[1] or None
                  for n in self._names]
        return {"files_done": len(self._read),
                "pages_done": sum(p for p, _ in self._read.values()) + sum(r for r, _ in self._reading.values()),
                "pages_total": None if None in counts else sum(counts)}


class JobWorker:
    """`job_workers` threads of one replica, each claiming and running one job at a time."""

    def __init__(self, settings: Settings, jobs: JobStore, reuse, *,
                 thread_init: Callable[[], None] = lambda: None) -> None:
        self._settings = settings
        self._thread_init = thread_init  # e.g. the API's lower CPU priority for check threads
        self._jobs = jobs
        self._reuse = reuse
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._compute: Compute | None = None

    def start(self) -> None:
        purge_job_folders(self._jobs, self._settings)
        if self._settings.job_workers and not self._threads:
            self._compute = Compute(self._settings)
            for n in range(self._settings.job_workers):
                thread = threading.Thread(target=self._loop, args=(f"{REPLICA}/{n}",), name=f"job-{n}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def notify(self) -> None:
        """A job was queued here: look now rather than at the next poll."""
        self._wake.set()

    def close(self) -> None:
        """Stop claiming; a job still running after a short wait is left to its lease (another replica, or
        this one after a restart, takes it over)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=CLOSE_WAIT_S)
        if self._compute is not None:
            self._compute.close()

    def _loop(self, owner: str) -> None:
        self._thread_init()
        while not self._stop.is_set():
            try:
                job = self._jobs.claim(owner, lease_s=self._settings.job_lease_s)
            except Exception as exc:  # noqa: BLE001 - the database is away for a moment
                log.warning("cannot look for queued checks: %s", type(exc).__name__)
                job = None
            if job is None:
                self._wake.wait(self._settings.job_poll_s)
                self._wake.clear()
                continue
            self.run(job, owner)

    def run(self, job: Job, owner: str) -> None:
        """Read, check and finish one claimed job; a replica that loses the job on the way stores nothing."""
        lease = _Lease(self._jobs, job, owner, self._settings.job_lease_s)
        ended = False
        report_id = new_id()
        try:
            ended = self._run(job, owner, lease, report_id)
        except LostLease:
            log.warning("job %s was taken over by another replica; its result here is dropped", job.id)
        except Exception as exc:  # noqa: BLE001 - a bug: the job fails with internal_error, the replica goes on
            log_unexpected(log, exc, f"job {job.id} failed")
            try:
                self._jobs.fail(job.id, owner, code=INTERNAL[0], message=INTERNAL[1], status=INTERNAL[2])
                ended = True
            except Exception as again:  # noqa: BLE001 - lost or unreachable: another replica takes it up again
                log.warning("job %s not marked failed: %s", job.id, type(again).__name__)
        finally:
            lease.stop()
        if not ended:
            from service.store.page_images import (
                delete_pages,  # rapidfuzz: only when a job's pages are dropped
            )

            delete_pages(self._settings, report_id)
        else:
            shutil.rmtree(job_folder(self._settings, job.id), ignore_errors=True)

    def _run(self, job: Job, owner: str, lease: _Lease, report_id: str) -> bool:
        from service.claims import parse_claim  # the claim model's validators load with the first job
        from service.fingerprinting import fingerprints
        from service.pipeline import cap_text

        settings = self._settings
        claim = parse_claim(job.claim)
        stated = None if job.stated is None else frozenset(job.stated)
        folder = job_folder(settings, job.id)
        files = {name: folder / name for name in job.files}
        progress, counting = _Progress(job.files), threading.Lock()

        def on_page(name: str, read: int, total: int) -> None:
            with counting:  # a Dask event and a file's result may cross
                lease.update(**progress.page(name, read, total))

        def on_read(name: str, result: Located) -> None:
            with counting:
                lease.update(**progress.done(name, result))

        results = self._compute.ingest(files, on_read=on_read, on_page=on_page)
        where = sorted({r.where for r in results})
        lease.renew(ran_on=", ".join(where))  # now, with the files' own page counts (none of a failed file)
        failed = next((r for r in results if r.error is not None), None)
        if failed is not None:
            self._jobs.fail(job.id, owner, code=failed.error[0], message=failed.error[1], status=failed.error[2])
            return True
        docs = cap_text([r.value for r in results], max_chars=settings.check_text_chars)
        matches = self._reuse.query(claim, docs) if self._reuse is not None else ()
        checked = self._compute.check(claim, docs, matches, stated)
        where = sorted({*where, checked.where})
        if checked.error is not None:
            self._jobs.fail(job.id, owner, code=checked.error[0], message=checked.error[1], status=checked.error[2])
            return True
        if lease.lost:
            raise LostLease(job.id)
        if settings.page_images:
            from service.store.page_images import save_page_images  # rapidfuzz: only where pages are kept

            save_page_images(settings, report_id, docs, checked.value)
        fps = fingerprints(claim, docs, claim_id=claim.claim_id or report_id)
        self._jobs.finish(job.id, owner, report=checked.value, report_id=report_id,
                          owner_partner_id=claim.partner.partner_id, fingerprints=fps, ran_on=", ".join(where))
        if settings.keep_uploads:
            from service.store.uploads import keep_uploads  # only when uploads are kept

            keep_uploads(settings, report_id, _Files(folder, files))
        log.info("job %s: %d files, %s", job.id, len(docs), checked.value.verdict)
        return True


@dataclass
class _Files:
    """A job's files in the shape keep_uploads takes (an Upload's)."""

    folder: Path
    files: dict[str, Path]


def _top_pages(doc: Document) -> int:
    """Pages of the uploaded file itself (attachments' pages not counted), at least 1 per file."""
    pages = {p.page for p in doc.parts if p.file == doc.filename and p.page}
    return max(1, len(pages))
