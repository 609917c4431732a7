"""Logging an unexpected exception: its type and frames, never its message (it may quote a document).

Here, in the lowest layer that logs, so that the check runner and the service (readers, isolation, the API,
batch) all use this one helper."""
from __future__ import annotations

import logging
import traceback


def log_unexpected(log: logging.Logger, exc: BaseException, what: str, *, level: int = logging.ERROR) -> None:
    """Log `what` with the exception's type and the frames it passed through (file, line, function, source
    line), and the same for the exceptions it was raised from; no exception message is written."""
    chain, seen = [], set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        chain.append(cause)
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
    blocks = []
    for item in reversed(chain):
        frames = "".join(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        blocks.append(f"{frames}{_qualified(item)}")
    log.log(level, "%s: %s\n%s", what, type(exc).__name__, "\nwhich caused\n".join(blocks))


def _qualified(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"
