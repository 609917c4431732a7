"""Settings from the environment (service.config): POECHECK_ and a field's name, converted as pydantic converts
input, under the keywords given; read when Settings() is built, never when a copy is made or unpickled."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.config import Settings


@pytest.fixture(autouse=True)
def no_poecheck_variables(monkeypatch):
    import os

    for key in list(os.environ):
        if key.upper().startswith("POECHECK_"):
            monkeypatch.delenv(key)


def test_defaults_without_variables():
    settings = Settings()
    assert settings.data_dir == Path("data") and settings.ocr_dpi == 300 and settings.trust_roots is None
    assert settings.page_images is True and settings.parse_timeout_s == 300.0


def test_variables_are_converted_and_matched_in_any_case(monkeypatch):
    monkeypatch.setenv("POECHECK_DATA_DIR", "/srv/poecheck")
    monkeypatch.setenv("POECHECK_OCR_DPI", "150")
    monkeypatch.setenv("poecheck_page_images", "false")
    monkeypatch.setenv("Poecheck_Keep_Uploads", "yes")
    monkeypatch.setenv("POECHECK_PARSE_TIMEOUT_S", "2.5")
    monkeypatch.setenv("POECHECK_TRUST_ROOTS", "system")
    monkeypatch.setenv("POECHECK_NOT_A_SETTING", "1")  # ignored, as any unknown name
    settings = Settings()
    assert settings.data_dir == Path("/srv/poecheck") and settings.ocr_dpi == 150
    assert settings.page_images is False and settings.keep_uploads is True
    assert settings.parse_timeout_s == 2.5 and settings.trust_roots == Path("system")


def test_keywords_win_over_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("POECHECK_DATA_DIR", "/srv/poecheck")
    monkeypatch.setenv("POECHECK_MAX_PAGES", "7")
    settings = Settings(data_dir=tmp_path)
    assert settings.data_dir == tmp_path and settings.max_pages == 7


@pytest.mark.parametrize(("name", "value"), [("POECHECK_OCR_DPI", "abc"), ("POECHECK_OCR_DPI", "50"),
                                             ("POECHECK_MAX_PAGES", "0"), ("POECHECK_KEEP_UPLOADS", "maybe")])
def test_a_bad_value_names_its_setting(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == (name.removeprefix("POECHECK_").lower(),)


def test_copies_and_pickles_keep_their_values(monkeypatch, tmp_path):
    settings = Settings(data_dir=tmp_path, ocr_dpi=200)
    monkeypatch.setenv("POECHECK_OCR_DPI", "400")
    assert settings.model_copy(update={"max_pages": 3}).ocr_dpi == 200
    assert pickle.loads(pickle.dumps(settings)) == settings
