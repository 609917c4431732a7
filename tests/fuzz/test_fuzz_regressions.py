"""Replays every input the fuzzer once broke the contract with (fixtures/fuzz/<target>/), and checks the oracle."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from service.errors import MalformedDocument, PoecheckError
from tests.fuzz.harness import TARGETS, guarded, own_bug, regression_inputs

CASES = regression_inputs()


def test_regression_fixtures_exist() -> None:
    assert {target for target, _ in CASES} >= {"claim"}


@pytest.mark.parametrize(("target", "path"), CASES, ids=[f"{t}/{p.name}" for t, p in CASES])
def test_saved_crash_gives_result_or_typed_error(target: str, path: Path, tmp_path: Path) -> None:
    outcome = guarded(lambda: TARGETS[target](path.read_bytes(), path.name, tmp_path))
    assert isinstance(outcome, PoecheckError), f"{path.name} was saved as a crash; it should be refused"


def _malformed_from(call) -> MalformedDocument:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - wrapped as the product's catch-all does
        error = MalformedDocument("x: damaged")
        error.__cause__ = exc
        return error
    raise AssertionError("call did not fail")


def test_oracle_flags_an_exception_raised_in_our_code() -> None:
    from service.ingest import registry

    error = _malformed_from(lambda: registry.detect_type(None))  # an AttributeError inside service/
    assert own_bug(error) is not None
    assert "service/ingest/registry.py" in own_bug(error)


def test_oracle_accepts_a_parser_library_refusing_the_input() -> None:
    error = _malformed_from(lambda: pdfium.PdfDocument(b"%PDF-1.4 broken"))
    assert own_bug(error) is None
