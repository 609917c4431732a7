"""Fixtures of the batch tests: settings in tmp_path with the dev corpus's trust root."""
from __future__ import annotations

from pathlib import Path

import pytest
from batchhelp import BACKLOG, DEV, one_by_one

from service.config import Settings


@pytest.fixture
def batch_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", trust_roots=DEV / "trust", ocr_workers=1)


@pytest.fixture(scope="session")
def expected_backlog(tmp_path_factory) -> dict[str, dict]:
    """The backlog checked one claim at a time (computed once per session)."""
    data = tmp_path_factory.mktemp("one_by_one")
    return one_by_one(list(BACKLOG), Settings(data_dir=data, trust_roots=DEV / "trust", ocr_workers=1))
