"""service.config.Settings reads the environment as pydantic-settings' BaseSettings did (env prefix POECHECK_, any
case, no .env file, defaults validated): the same values, fields set and validation errors for the same
environments and arguments; and a plain `poecheck check` does not import pydantic-settings."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.config import Settings

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"


class _Reference(BaseSettings):
    """The settings as service.config declared them before: a BaseSettings (Settings' fields are added below)."""

    model_config = SettingsConfigDict(env_prefix="POECHECK_", extra="ignore")


Reference = create_model("Settings", __base__=_Reference,
                         **{name: (info.annotation, info) for name, info in Settings.model_fields.items()})

ENVIRONMENTS = [
    pytest.param({}, {}, id="nothing"),
    pytest.param({"POECHECK_MAX_PAGES": "7", "POECHECK_KEEP_UPLOADS": "yes", "POECHECK_DATA_DIR": "/tmp/x",
                  "POECHECK_OCR_TIMEOUT_S": "2.5", "POECHECK_DATABASE_URL": "sqlite://",
                  "POECHECK_TRUST_ROOTS": "system"}, {}, id="values"),
    pytest.param({"poecheck_max_pages": "9", "PoeCheck_Page_Images": "0"}, {}, id="any-case"),
    pytest.param({"POECHECK_MAX_PAGES": "9"}, {"max_pages": 3, "ocr_dpi": 100}, id="arguments-win"),
    pytest.param({"POECHECK_SHARED_DIR": "", "POECHECK_API_KEYS": ""}, {}, id="empty"),
    pytest.param({"POECHECK_NO_SUCH_SETTING": "1", "MAX_PAGES": "3"}, {}, id="unknown-and-unprefixed"),
    pytest.param({"POECHECK_MAX_PAGES": "abc"}, {}, id="not-a-number"),
    pytest.param({"POECHECK_MAX_PAGES": "0", "POECHECK_OCR_DPI": "9000"}, {}, id="out-of-range"),
    pytest.param({"POECHECK_KEEP_UPLOADS": "perhaps"}, {}, id="not-a-bool"),
    pytest.param({}, {"ocr_workers": 0}, id="bad-argument"),
]


@pytest.mark.parametrize(("env", "arguments"), ENVIRONMENTS)
def test_settings_are_read_as_base_settings_read_them(monkeypatch, env, arguments):
    for name in [n for n in os.environ if n.upper().startswith("POECHECK_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    outcomes = []
    for model in (Settings, Reference):
        try:
            got = model(**arguments)
        except ValidationError as exc:
            outcomes.append(("error", str(exc)))
        else:
            outcomes.append((got.model_dump(), got.model_fields_set))
    assert outcomes[0] == outcomes[1]


def test_a_plain_check_does_not_import_pydantic_settings(tmp_path):
    code = ("import sys; from service.cli import main; sys.argv[0] = 'poecheck'\n"
            "try:\n    main()\nfinally:\n    print('pydantic_settings' in sys.modules, file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code, "check", str(DEV / "docs" / "dev-001" /
                          "Services_Completion_Letter_Corvid.pdf"), "--claim", str(DEV / "claims" / "dev-001.json"),
                          "--json"], env={**os.environ, "OMP_THREAD_LIMIT": "1"}, capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stderr.strip().splitlines()[-1] == "False"
