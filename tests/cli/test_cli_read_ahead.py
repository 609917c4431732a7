"""`poecheck check` sends its first file to the reader at once (ParserPool.send_ahead, service.reading.read_ahead):
the parse that asks for it later takes that reply, a file sent ahead and never asked for is dropped at close."""
from __future__ import annotations

import os
from pathlib import Path

from service.config import Settings
from service.isolation import ParserPool
from service.reading import reading_settings

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
LETTER = DEV / "docs" / "dev-001" / "Services_Completion_Letter_Corvid.pdf"


def _settings(tmp_path: Path) -> Settings:
    return reading_settings(Settings(data_dir=tmp_path / "data"), keeping=False)


def test_a_parse_takes_the_reply_of_the_file_sent_ahead(tmp_path):
    pool = ParserPool()
    try:
        pool.warm(1)
        (worker,) = pool._idle
        pool.send_ahead(LETTER, settings=_settings(tmp_path))
        assert not pool._idle, "the worker was not given the file"
        ahead = pool.parse(LETTER, settings=_settings(tmp_path))  # equal settings, another object
        assert pool._idle == [worker], "the file was read by another worker"
        again = pool.parse(LETTER, settings=_settings(tmp_path))
    finally:
        pool.close()
    assert ahead.error is None and again.error is None
    assert ahead.document == again.document
    assert not any((tmp_path / "data" / "tmp").iterdir()), "a task folder was left behind"


def test_a_parse_with_other_settings_does_not_take_it_and_close_drops_it(tmp_path):
    pool = ParserPool()
    pool.warm(1)
    (worker,) = pool._idle
    pool.send_ahead(LETTER, settings=_settings(tmp_path))
    other = _settings(tmp_path).model_copy(update={"ocr_dpi": 200})
    try:
        parsed = pool.parse(LETTER, settings=other)
        assert parsed.error is None and parsed.document is not None
        assert worker not in pool._idle
    finally:
        pool.close()
    assert worker.exit_status is not None, "the worker reading ahead was left running"
    assert not os.path.exists(f"/proc/{worker.pid}")
    assert not any((tmp_path / "data" / "tmp").iterdir()), "a task folder was left behind"


def test_nothing_is_sent_ahead_without_an_idle_worker(tmp_path):
    pool = ParserPool()
    try:
        pool.send_ahead(LETTER, settings=_settings(tmp_path))  # no worker started: parse reads it
        assert not pool._ahead and not pool._idle
        assert pool.parse(LETTER, settings=_settings(tmp_path)).error is None
    finally:
        pool.close()
