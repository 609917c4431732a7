"""Log flooding and forged log lines (issue 15, item 5; item 11 in part): the filter on every handler."""
from __future__ import annotations

import io
import logging

import pytest

from service.api.server import log_config
from service.config import Settings
from service.logfilter import RepeatFilter, escape_controls


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def logged():
    """A logger writing plain messages to a buffer through a RepeatFilter of 5 a minute on a fake clock."""
    clock, out = Clock(), io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RepeatFilter(5, clock=clock))
    logger = logging.getLogger("poecheck.test.repeats")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, clock, out
    logger.removeHandler(handler)


def test_the_same_line_is_written_at_most_n_times_a_minute(logged):
    logger, clock, out = logged
    for _ in range(10_000):  # the accept loop's "Too many open files", once per failed accept
        logger.error("socket.accept() out of system resource")
    logger.error("another message")
    lines = out.getvalue().splitlines()
    assert lines.count("socket.accept() out of system resource") == 5
    assert lines[-1] == "another message"
    clock.now += 61
    logger.error("socket.accept() out of system resource")
    assert out.getvalue().splitlines()[-1] == ("socket.accept() out of system resource [9995 more like this in the "
                                               "previous minute were not logged]")


def test_different_values_are_different_lines(logged):
    logger, _, out = logged
    for n in range(20):
        logger.warning("check %s took %d s", f"r{n}", n)
    assert len(out.getvalue().splitlines()) == 20


def test_a_value_cannot_forge_a_log_line(logged):
    logger, _, out = logged
    logger.warning("attachment %s cannot be read", "x.pdf\nCRITICAL: all keys leaked\r\x1b[2J")
    assert out.getvalue() == "attachment x.pdf\\nCRITICAL: all keys leaked\\r\\x1b[2J cannot be read\n"
    assert escape_controls("né \u2028 ok") == "né \\u2028 ok"


def test_uvicorn_handlers_and_the_root_logger_share_the_filter():
    config = log_config(Settings(log_repeats_per_minute=3))
    assert config["filters"]["repeats"]["per_minute"] == 3
    assert all(h["filters"] == ["repeats"] for h in config["handlers"].values())
    assert config["root"]["handlers"] == ["default"]


def test_access_log_records_keep_their_arguments():
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/x\n200 OK", "1.1", 404), None)
    assert RepeatFilter(5).filter(record)
    assert "/x\\n200 OK" in AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
