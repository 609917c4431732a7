"""Log lines that cannot flood or forge the log: repeats are rate-limited, control characters escaped."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

WINDOW_S = 60.0
MAX_KEYS = 1000


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """`text` with line breaks and other control characters written as escapes (one log record, one line).

    No codec is looked up: that may need to open a file, and this also runs when none can be opened."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else
                   f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}") for c in text)


class RepeatFilter(logging.Filter):
    """Let the same message (logger, level and text) through at most `per_minute` times a minute.

    Further repeats are only counted; the first line of the next minute says how many were dropped.
    The message text is also made one line (control characters escaped), so a value from a request
    or a document cannot forge a log line. Tracebacks attached to a record are left as they are.
    """

    def __init__(self, per_minute: int = 10, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int, str], list] = {}  # key -> [window start, written, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            return self._admit(record)
        except Exception:  # noqa: BLE001 (a filter must never lose a record or raise into the caller)
            return True

    def _admit(self, record: logging.LogRecord) -> bool:
        message = escape_controls(record.getMessage())
        key = (record.name, record.levelno, message)
        now = self._clock()
        dropped = 0
        with self._lock:
            entry = self._seen.get(key)
            if entry is None or now - entry[0] >= WINDOW_S:
                dropped = entry[2] if entry else 0
                if len(self._seen) >= MAX_KEYS:
                    self._forget(now)
                self._seen[key] = [now, 1, 0]
            elif entry[1] < self.per_minute:
                entry[1] += 1
            else:
                entry[2] += 1
                return False
        _escape_record(record)
        if dropped and isinstance(record.msg, str):
            record.msg += f" [{dropped} more like this in the previous minute were not logged]"
        return True

    def _forget(self, now: float) -> None:
        stale = [k for k, v in self._seen.items() if now - v[0] >= WINDOW_S]
        for k in stale or list(self._seen)[: len(self._seen) // 2]:
            del self._seen[k]


def _escape_record(record: logging.LogRecord) -> None:
    """Escape the message template and every text argument in place (formatters such as uvicorn's
    access log read the arguments themselves)."""
    if isinstance(record.msg, str):
        record.msg = escape_controls(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(escape_controls(a) if isinstance(a, str) else a for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: escape_controls(v) if isinstance(v, str) else v for k, v in record.args.items()}


def install(per_minute: int, *, logger: logging.Logger | None = None) -> RepeatFilter:
    """Add one RepeatFilter to every handler of `logger` (the root logger by default) and return it."""
    target = logger or logging.getLogger()
    flt = RepeatFilter(per_minute)
    for handler in target.handlers:
        handler.addFilter(flt)
    return flt
