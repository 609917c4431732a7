"""Fuzzing the ingestion entry points with hypothesis: mutated corpus files give a result or a typed error.

The default budget is fixed and derandomized, so CI runs the same inputs every time. `make fuzz` sets
POECHECK_FUZZ_SECONDS to keep fuzzing with fresh random seeds for that long; a failing input is written
to POECHECK_FUZZ_FINDINGS (when set) so it can become a regression fixture under fixtures/fuzz/.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from models.document import Document
from service.errors import PoecheckError
from tests.fuzz.harness import (
    TARGETS,
    Seed,
    address_space_cap,
    claim_seeds,
    guarded,
    ingest_seeds,
    mutate,
    usage_csv_seeds,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::UserWarning")]

OPS = st.lists(
    st.tuples(
        st.integers(0, 6), st.integers(0, 1 << 20), st.integers(0, 1 << 16), st.integers(0, 1 << 16)
    ),
    min_size=1,
    max_size=6,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
SECONDS = float(os.environ.get("POECHECK_FUZZ_SECONDS", "0"))
FINDINGS = os.environ.get("POECHECK_FUZZ_FINDINGS")


def fuzz(strategy: st.SearchStrategy, body: Callable[..., None], *, examples: int) -> None:
    """Run `body` on `examples` derandomized inputs; with POECHECK_FUZZ_SECONDS, random rounds for that long."""
    common = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}
    with address_space_cap():
        if not SECONDS:
            hsettings(max_examples=examples, derandomize=True, **common)(given(strategy)(body))()
            return
        end = time.monotonic() + SECONDS
        round_seed = int.from_bytes(os.urandom(4))
        while time.monotonic() < end:
            print(f"fuzz round with @seed({round_seed})")
            seed(round_seed)(hsettings(max_examples=examples * 4, **common)(given(strategy)(body)))()
            round_seed += 1


def check(target: str, data: bytes, name: str, scratch: Path) -> object:
    """One input through one entry point; on a broken contract, save the input to the findings folder."""
    try:
        return guarded(lambda: TARGETS[target](data, name, scratch))
    except BaseException:
        if FINDINGS:
            out = Path(FINDINGS) / target
            out.mkdir(parents=True, exist_ok=True)
            (out / f"last-{name}").write_bytes(data)  # hypothesis replays the smallest failing input last
        raise


def mutated(seeds: Sequence[Seed]) -> st.SearchStrategy[tuple[Seed, bytes]]:
    donors = [s.data for s in seeds]
    return st.tuples(st.sampled_from(seeds), OPS).map(lambda t: (t[0], mutate(t[0].data, t[1], donors)))


def test_ingest_bytes_gives_document_or_typed_error(tmp_path: Path) -> None:
    def body(case: tuple[Seed, bytes]) -> None:
        seed_file, data = case
        outcome = check("ingest", data, seed_file.name.rsplit("/", 1)[-1], tmp_path)
        assert isinstance(outcome, (Document, PoecheckError))

    fuzz(mutated(ingest_seeds()), body, examples=1500)


def test_parse_claim_gives_claim_or_invalid_claim(tmp_path: Path) -> None:
    from models import Claim

    seeds = claim_seeds()
    base = json.loads(seeds[0].data)
    edited = st.tuples(st.sampled_from(sorted(base)), JSON).map(
        lambda kv: json.dumps({**base, kv[0]: kv[1]}).encode()
    )

    def body(data: bytes) -> None:
        outcome = check("claim", data, "claim.json", tmp_path)
        assert isinstance(outcome, Claim) or getattr(outcome, "code", None) == "invalid_claim"

    fuzz(mutated(seeds).map(lambda t: t[1]) | edited | st.binary(max_size=64), body, examples=1000)


def test_usage_csv_gives_payouts_or_invalid_usage(tmp_path: Path) -> None:
    def body(case: tuple[Seed, bytes]) -> None:
        seed_file, data = case
        outcome = check("usage_csv", data, seed_file.name, tmp_path)
        assert isinstance(outcome, list) or getattr(outcome, "code", None) == "invalid_usage"

    fuzz(mutated(usage_csv_seeds()), body, examples=1000)
