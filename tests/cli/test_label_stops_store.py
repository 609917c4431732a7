"""counts._label_stops is kept in the machine's pattern store (checks.patterncache): a process after a save works
nothing out from the count patterns again, and gets the same stop characters as one that does."""
from __future__ import annotations

import os
import subprocess
import sys

FIRST = """
from checks import patterncache
from checks.findings import counts
print(counts._label_stops().pattern)
print(counts._stop_characters() is not None)
patterncache.save()
"""

AGAIN = """
from checks.findings import counts

def worked_out(*args, **kwargs):
    raise AssertionError("the count patterns were parsed again")

counts.consumed = counts.prefixes = worked_out
print(counts._label_stops().pattern)
"""


def _run(code: str, cache: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "XDG_CACHE_HOME": cache},
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_label_stops_come_from_the_store_after_a_save(tmp_path):
    first, bounded = _run(FIRST, str(tmp_path)).splitlines()
    assert bounded == "True"
    assert _run(AGAIN, str(tmp_path)).splitlines() == [first]
