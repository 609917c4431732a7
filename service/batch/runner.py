"""Run a batch: ingest documents in parallel, check claims in submission order, commit each claim.

Reuse detection must be deterministic: the template_reuse check of claim k sees exactly the
fingerprints of the claims before it (claim date, then input order) and of earlier submissions in the
store. So ingestion runs in parallel in any order, but the coordinator walks the claims in submission
order: once claim k's documents are in, it computes k's fingerprints, queries the index with them, adds
them, and submits k's checks task (with the matches) to the workers. Checks therefore still run in
parallel; only the cheap index step is sequential.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import subprocess
from collections import deque
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from checks.scoring import rules_version
from service.batch.executors import Executor, make_executor
from service.batch.inputs import BatchItem, files_sha256, read_input
from service.batch.progress import LogProgress
from service.batch.summary import write_outputs
from service.batch.tasks import Outcome, check_task, ingest_task
from service.config import CHECK_SETTINGS
from service.errors import BatchWorkerFailed, InvalidOutput
from service.fingerprinting import Fingerprint, fingerprints
from service.ingest.ocr import TESSERACT
from service.reuse import ReuseIndex
from service.store.batch import BatchKey, BatchStore
from service.store.fingerprints import load_fingerprints
from service.store.page_images import save_page_images, without_images
from service.trust import load_trust_roots


@dataclass(frozen=True)
class BatchStats:
    """What a run did."""

    claims: int
    skipped: int
    checked: int
    errors: int
    documents: int
    outputs: tuple[Path, ...]
    failed: int = 0  # claims of the input whose stored result is an error (this run's or an earlier one's)
    batch_id: str = ""


class _Run:
    def __init__(self, items: list[BatchItem], keys: dict[str, BatchKey], done: set[BatchKey], *,
                 settings, store: BatchStore, executor: Executor, progress: LogProgress) -> None:
        self.settings, self.store, self.ex, self.progress = settings, store, executor, progress
        self.keys = keys
        self.events: queue.Queue = queue.Queue()
        self.ordered = sorted((it for it in items if it.claim is not None), key=lambda it: it.sort_key)
        self.done_ids = {it.claim_id for it in self.ordered if keys[it.claim_id] in done}
        self.todo = [it for it in self.ordered if it.claim_id not in self.done_ids and it.error is None]
        self.docs: dict[str, list[Outcome | None]] = {it.claim_id: [None] * len(it.files) for it in self.todo}
        self.pending_ingest = deque((it.claim_id, i, f) for it in self.todo for i, f in enumerate(it.files))
        self.window = max(2, 2 * executor.workers)
        self.in_flight = 0
        self.fps: dict[str, list[Fingerprint]] = {}
        self.views: dict[str, list] = {}  # documents with their page images, until their report is stored
        self.checked = self.errors = self.documents = 0

    def run(self) -> None:
        index = ReuseIndex()
        ours = {it.claim_id for it in self.ordered}
        stored: dict[str, list[Fingerprint]] = {}
        for _id, source, fp in load_fingerprints(self.settings):
            if source != "batch" or fp.claim_id not in ours:
                index.add_fingerprints([fp])  # an earlier submission
            elif fp.claim_id in self.done_ids:
                stored.setdefault(fp.claim_id, []).append(fp)  # added in this batch's order below
        self._fill()
        ptr, checking = 0, 0
        while ptr < len(self.ordered) or checking:
            while ptr < len(self.ordered):
                item = self.ordered[ptr]
                if item.claim_id in self.done_ids:
                    index.add_fingerprints(stored.get(item.claim_id, ()))
                elif item.error is None:
                    outcomes = self.docs[item.claim_id]
                    if any(o is None for o in outcomes):
                        break
                    failed = next((o.error for o in outcomes if o.error), None)
                    if failed:
                        self._commit_error(item, failed)
                    else:
                        docs = [o.value for o in outcomes]
                        fps = fingerprints(item.claim, docs, claim_id=item.claim_id, partner=item.claim.partner.name)
                        matches = index.query_fingerprints(fps, partner=item.claim.partner.name,
                                                           partner_id=item.claim.partner.partner_id)
                        index.add_fingerprints(fps)
                        self.fps[item.claim_id] = fps
                        if self.settings.page_images:  # kept here for the store; the checks need no pictures
                            self.views[item.claim_id] = docs
                        self._submit(("check", item, None), check_task, item.claim, without_images(docs),
                                     tuple(matches), self.settings.check_text_chars)
                        checking += 1
                    del self.docs[item.claim_id]
                ptr += 1
            if ptr == len(self.ordered) and not checking:
                break
            kind, item, i, future = self._next_event()
            outcome = self._outcome(future)
            if kind == "ingest":
                self.in_flight -= 1
                self.documents += 1
                self.docs[item][i] = outcome
                self.progress.document()
                self._fill()
            else:
                checking -= 1
                if outcome.error:
                    self.views.pop(item.claim_id, None)
                    self._commit_error(item, outcome.error)
                else:
                    report_id = self.store.commit(self.keys[item.claim_id], report=outcome.value,
                                                  owner_partner_id=item.claim.partner.partner_id,
                                                  fingerprints=self.fps.pop(item.claim_id, ()))
                    views = self.views.pop(item.claim_id, None)
                    if views and report_id:
                        save_page_images(self.settings, report_id, views, outcome.value)
                    self.checked += 1
                    self.progress.claim(item.claim_id, outcome.value.verdict)

    def _next_event(self):
        while True:
            try:
                return self.events.get(timeout=0.5)
            except queue.Empty:
                continue

    def _outcome(self, future) -> Outcome:
        try:
            return future.result()
        except Exception as exc:
            raise BatchWorkerFailed(f"a batch worker failed ({type(exc).__name__}: {exc}); finished claims are "
                                    "stored: run the same command again to resume") from exc

    def _submit(self, tag: tuple, fn, *args) -> None:
        future = self.ex.submit(fn, *args)
        future.add_done_callback(lambda f, tag=tag: self.events.put((*tag, f)))

    def _fill(self) -> None:
        while self.pending_ingest and self.in_flight < self.window:
            claim_id, i, path = self.pending_ingest.popleft()
            self._submit(("ingest", claim_id, i), ingest_task, str(path), self.settings)
            self.in_flight += 1

    def _commit_error(self, item: BatchItem, error: tuple[str, str]) -> None:
        commit_error(self.store, self.keys[item.claim_id], item, error)
        self.errors += 1
        self.progress.claim(item.claim_id, f"error {error[0]}")


def commit_error(store: BatchStore, key: BatchKey, item: BatchItem, error: tuple[str, str]) -> None:
    """Store an error row for a claim (its code and a one-line message)."""
    claim = item.claim
    store.commit(key, error=error, partner=claim.partner.name if claim else None,
                 customer=claim.customer.name if claim else None)


def _with_missing(item: BatchItem) -> BatchItem:
    """The item, with a file_missing error when one of its files does not exist."""
    absent = [f.name for f in item.files if not f.is_file()]
    if item.error or not absent:
        return item
    return replace(item, error=("file_missing", f"file(s) not found: {', '.join(absent)}"))


def config_fingerprint(settings) -> str:
    """sha256 of what besides the files and rules can change a result: the trust roots in use (their
    certificates, not their folder's name), the Tesseract that reads scans, and the settings of
    service.config.CHECK_SETTINGS."""
    values = {name: getattr(settings, name) for name in CHECK_SETTINGS}
    values["trust_roots"] = load_trust_roots(settings.trust_roots).fingerprint
    values["tesseract"] = tesseract_version()
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """Tesseract's and Leptonica's versions (`tesseract --version`): another Tesseract reads a scan differently."""
    try:
        proc = subprocess.run([TESSERACT, "--version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    lines = (proc.stdout or proc.stderr).decode("utf-8", "replace").split("\n")
    return " ".join(line.strip() for line in lines[:2] if line.strip()) or "unknown"


def default_batch_id(input_path: Path) -> str:
    """The input's name and a hash of its absolute path: the same input keeps its id from run to run."""
    path = Path(input_path).resolve()
    stem = re.sub(r"[^\w.-]+", "-", path.stem if path.is_file() else path.name).strip("-") or "batch"
    return f"{stem[:60]}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


def prepare_out_dir(out_dir: Path) -> Path:
    """The output folder, created when missing; InvalidOutput (before any work) when it cannot be used."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidOutput(f"--out {out_dir} is a file; give a folder for reports.jsonl, summary.csv and "
                            "summary.html (it is created when missing)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidOutput(f"--out {out_dir} cannot be created ({exc.strerror or 'error'}); give a folder you "
                            "can write to") from exc
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise InvalidOutput(f"--out {out_dir} is not writable; give a folder you can write to")
    for name in ("reports.jsonl", "summary.csv", "summary.html"):
        if (out_dir / name).is_dir():
            raise InvalidOutput(f"--out {out_dir} holds a folder named {name}; remove it or give another folder")
    return out_dir


def run_batch(input_path: Path, out_dir: Path, *, settings, workers: int | None = None,
              scheduler: str | None = None, progress: LogProgress | None = None, rerun: bool = False,
              batch_id: str | None = None, server_url: str | None = None) -> BatchStats:
    """Check every claim of a manifest or corpus, resuming a previous run (unless `rerun`), and write the
    outputs. Each claim's report also goes to the reports table under `batch_id` (default: from the input)."""
    out_dir = prepare_out_dir(out_dir)
    progress = progress or LogProgress()
    items = [_with_missing(it) for it in read_input(input_path)]
    batch_id = batch_id or default_batch_id(input_path)
    version, config = rules_version(), config_fingerprint(settings)
    keys = {it.claim_id: BatchKey(it.claim_id, files_sha256(it.files), version, config, batch_id) for it in items}
    store = BatchStore(settings)
    done = set() if rerun else store.done(keys.values())
    errors = checked = documents = 0
    with progress:
        progress.start(total=len(items), skipped=len(done))
        for item in items:
            if item.error and keys[item.claim_id] not in done:
                commit_error(store, keys[item.claim_id], item, item.error)
                errors += 1
                progress.claim(item.claim_id, f"error {item.error[0]}")
        if any(it.claim and not it.error and keys[it.claim_id] not in done for it in items):
            executor = make_executor(workers=workers, scheduler=scheduler)
            try:
                run = _Run(items, keys, done, settings=settings, store=store, executor=executor, progress=progress)
                run.run()
            except BaseException:
                executor.close(cancel=True)
                raise
            executor.close()
            checked, errors, documents = run.checked, errors + run.errors, run.documents
    results = store.results(keys.values())
    outputs = write_outputs(out_dir, items, results, server_url=server_url, batch_id=batch_id)
    failed = sum(1 for r in results.values() if r.report is None)
    return BatchStats(claims=len(items), skipped=len(done), checked=checked, errors=errors,
                      documents=documents, outputs=outputs, failed=failed, batch_id=batch_id)
