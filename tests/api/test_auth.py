"""API keys: parsing, hashing, roles, the generated first-start key file."""
from __future__ import annotations

import json

import pytest
import yaml

from service.auth import DEMO_PARTNER_ID, KeyConfigError, KeyRing, ensure_dev_keys, key_digest
from service.config import Settings


def test_env_keys_roles_and_partner_binding(tmp_path):
    ring = KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys="r1:reviewer, p1:partner:42"))
    assert ring.authenticate("r1").is_reviewer
    partner = ring.authenticate("p1")
    assert (partner.role, partner.partner_id) == ("partner", "42")
    assert ring.authenticate("p2") is None
    assert ring.authenticate("") is None


@pytest.mark.parametrize("text", [
    pytest.param("k:admin", id="unknown-role"),
    pytest.param("k:partner", id="partner-without-id"),
    pytest.param("justakey", id="no-role"),
    pytest.param(":reviewer", id="empty-key"),
])
def test_bad_env_keys_fail_at_start(tmp_path, text):
    with pytest.raises(KeyConfigError):
        KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys=text))


def test_key_file_yaml_and_json_with_hashes(tmp_path):
    yml = tmp_path / "keys.yaml"
    yml.write_text(yaml.safe_dump({"keys": [
        {"role": "reviewer", "sha256": key_digest("secret-r").hex()},
        {"role": "partner", "partner_id": 7, "key": "secret-p"},
    ]}))
    ring = KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys_file=yml))
    assert ring.authenticate("secret-r").is_reviewer
    assert ring.authenticate("secret-p").partner_id == "7"
    js = tmp_path / "keys.json"
    js.write_text(json.dumps({"keys": [{"role": "reviewer", "key": "j"}]}))
    assert KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys_file=js)).authenticate("j").is_reviewer


def test_missing_configured_key_file_is_an_error(tmp_path):
    with pytest.raises(KeyConfigError, match="not found"):
        KeyRing.from_settings(Settings(data_dir=tmp_path, api_keys_file=tmp_path / "nope.yaml"))


def test_first_start_writes_a_private_key_file_once(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    path = ensure_dev_keys(settings)
    assert path == tmp_path / "data" / "api_keys.yaml"
    assert path.stat().st_mode & 0o777 == 0o600
    keys = yaml.safe_load(path.read_text())["keys"]
    ring = KeyRing.from_settings(settings)
    assert {ring.authenticate(k["key"]).role for k in keys} == {"reviewer", "partner"}
    assert ring.authenticate(keys[1]["key"]).partner_id == DEMO_PARTNER_ID
    assert ensure_dev_keys(settings) is None
    assert ensure_dev_keys(Settings(data_dir=tmp_path / "other", api_keys="k:reviewer")) is None
