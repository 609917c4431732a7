"""Shared test helpers: the fixtures folder and a Settings object that touches only tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with the data folder in tmp_path and two OCR workers."""
    return Settings(data_dir=tmp_path, ocr_workers=2)
