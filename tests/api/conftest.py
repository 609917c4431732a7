"""Fixtures for the API tests: settings on a temp data dir with test keys, and a TestClient."""
from __future__ import annotations

from pathlib import Path

import pytest
from apihelp import DEV, KEYS

from service.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", api_keys=KEYS, check_workers=1, queue_limit=2,
                    trust_roots=DEV / "trust")


@pytest.fixture
def client(settings: Settings):
    from fastapi.testclient import TestClient

    from service.api import create_app

    with TestClient(create_app(settings)) as c:
        yield c
