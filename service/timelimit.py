"""A wall-time limit on pure-Python work in the calling thread (the checks stage of a claim).

A thread cannot be killed, so when the time is up a timer thread asks the interpreter to raise
`TimeLimitExpired` in the limited thread (`PyThreadState_SetAsyncExc`). It arrives at the next
bytecode: at once in Python code, and as soon as a long C call (a regex over a long text) returns.
It is a BaseException, so a check's `except Exception` does not swallow it; but one that lands in a
`__del__` or a callback is dropped by the interpreter, so a caller also checks the clock between
steps. It is raised once, never after the block: use it only around code that holds no locks of its
own across long work (the checks are pure functions over the documents).
"""
from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitExpired(BaseException):
    """The limited block ran out of time."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExpired inside the block when it runs longer than `seconds` (None: no limit)."""
    if seconds is None:
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                _set_async_exc(target, TimeLimitExpired)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
        timer.cancel()
        if state["fired"]:
            _clear_async_exc(target, None)  # not delivered yet (the block had just ended): drop it
