"""Unexpected exceptions are logged with their type and frames, never their message (it may quote a document):
in the API (a JSON 500), the readers and the checks."""
from __future__ import annotations

import json
import logging

import pytest
from apihelp import DEV, LogLines
from fastapi.testclient import TestClient

from service.api import create_app

SECRET = "Corvid Analytics signed the completion letter"


def test_unexpected_error_is_json_and_its_message_is_not_logged(settings, caplog) -> None:
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:  # an application bug whose message quotes document text
        raise RuntimeError(SECRET)

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.DEBUG):
        r = client.get("/boom")
    assert r.status_code == 500
    assert r.json()["code"] == "internal_error"
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "RuntimeError" in logged and "boom" in logged
    assert SECRET not in logged and SECRET not in caplog.text


def _every_logger_at_debug(handler: logging.Handler) -> list[tuple[logging.Logger, int]]:
    loggers = [logging.root, *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.root.addHandler(handler)
    return saved




def _phrases(text: str) -> set[str]:
    return {p for p in (" ".join(line.split()) for line in text.splitlines()) if len(p) >= 20 and len(p.split()) >= 3}


@pytest.mark.ocr
def test_dev_corpus_with_a_failing_reader_and_check_logs_no_document_text(monkeypatch, tmp_path) -> None:
    """Every dev case read and checked while an attachment reader and one check raise errors whose messages quote
    the document: the errors are logged (type and frames) at every level down to DEBUG, their text never."""
    from checks.registry import DEFAULT_CHECKS
    from service.claims import load_claim
    from service.config import Settings
    from service.errors import PoecheckError
    from service.ingest.dispatch import ingest_path
    from service.ingest.registry import Reader
    from service.pipeline import run_claim

    real_read = Reader.read
    quoted: set[str] = set()

    def read_then_raise(self, data, *, file, ctx, depth):  # an attachment reader with a bug that quotes its text
        real_read(self, data, file=file, ctx=ctx, depth=depth)
        if depth >= 1:
            text = "\n".join(p.text for p in ctx.resolved_parts() if p.file == file)
            quoted.update(_phrases(text))
            raise ValueError(f"cannot place {text[:400]!r}")

    broken = DEFAULT_CHECKS[-1]

    def run_then_raise(claim, docs, ctx):  # a check with a bug that quotes the documents
        raise RuntimeError("unexpected sentence: " + " ".join(d.text[:300] for d in docs))

    monkeypatch.setattr(Reader, "read", read_then_raise)
    monkeypatch.setattr(broken, "run", run_then_raise)
    settings = Settings(data_dir=tmp_path / "data", trust_roots=DEV / "trust", page_images=False)
    handler = LogLines()
    saved = _every_logger_at_debug(handler)
    secrets: set[str] = set()
    try:
        for line in (DEV / "labels.jsonl").read_text().splitlines():
            case = json.loads(line)
            docs = []
            for name in case["files"]:
                try:
                    docs.append(ingest_path(DEV / name, settings=settings))
                except PoecheckError:
                    continue
            for doc in docs:
                secrets |= _phrases(doc.text)
            report = run_claim(load_claim(DEV / case["claim"]), docs)
            assert next(c for c in report.checks if c.id == broken.id).status == "warn"
    finally:
        logging.root.removeHandler(handler)
        for lg, level in saved:
            lg.setLevel(level)
    logged = "\n".join(handler.lines)
    assert quoted, "no attachment was read: the forced reader error was never raised"
    assert f"check {broken.id} raised: RuntimeError" in logged and "reader failed: ValueError" in logged
    assert "read_then_raise" in logged and "run_then_raise" in logged  # the frames are there
    leaked = sorted(p for p in secrets | quoted if p in logged)
    assert not leaked, leaked[:5]
