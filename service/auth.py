"""API keys: roles `partner` (bound to a partner id) and `reviewer`; only key hashes are held in memory."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from service.config import Settings
from service.errors import PoecheckError

Role = Literal["partner", "reviewer"]
ROLES: tuple[str, ...] = ("partner", "reviewer")


class KeyConfigError(PoecheckError):
    code = "api_keys"
    http_status = 500


@dataclass(frozen=True)
class Principal:
    """Who is calling: a reviewer (reads everything) or a partner (reads its own reports)."""

    role: Role
    partner_id: str | None = None
    name: str = ""

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"


def key_digest(key: str) -> bytes:
    """SHA-256 of a key: what is kept in memory and may be written in a key file instead of the key."""
    return hashlib.sha256(key.encode("utf-8")).digest()


class KeyRing:
    """Key hashes and their principals; lookups compare every entry in constant time."""

    def __init__(self, entries: list[tuple[bytes, Principal]]) -> None:
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def authenticate(self, key: str | None) -> Principal | None:
        """The principal of `key`, or None."""
        if not key:
            return None
        digest = key_digest(key)
        found = None
        for known, principal in self._entries:
            if hmac.compare_digest(known, digest):
                found = principal
        return found

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """Keys from POECHECK_API_KEYS and the key file (POECHECK_API_KEYS_FILE or data_dir/api_keys.yaml)."""
        entries: list[tuple[bytes, Principal]] = []
        if settings.api_keys:
            entries += parse_keys_env(settings.api_keys)
        path = keys_file(settings)
        if path.exists():
            entries += load_keys_file(path)
        elif settings.api_keys_file is not None:
            raise KeyConfigError(f"API key file not found: {path}")
        return cls(entries)


def keys_file(settings: Settings) -> Path:
    """The configured key file, or the default one in the data directory."""
    return settings.api_keys_file or settings.data_dir / "api_keys.yaml"


def _principal(role: str, partner_id: str | None, name: str, where: str) -> Principal:
    if role not in ROLES:
        raise KeyConfigError(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "partner" and not partner_id:
        raise KeyConfigError(f"{where}: a partner key needs a partner_id")
    return Principal(role=role, partner_id=partner_id if role == "partner" else None, name=name)


def parse_keys_env(text: str) -> list[tuple[bytes, Principal]]:
    """Parse 'key:role[:partner_id],...'."""
    entries = []
    for i, item in enumerate(x.strip() for x in text.split(",")):
        if not item:
            continue
        fields = item.split(":")
        if len(fields) not in (2, 3) or not fields[0]:
            raise KeyConfigError(f"POECHECK_API_KEYS item {i + 1}: expected key:role[:partner_id]")
        partner_id = fields[2] if len(fields) == 3 else None
        principal = _principal(fields[1], partner_id, f"{fields[1]} {i + 1}", f"POECHECK_API_KEYS item {i + 1}")
        entries.append((key_digest(fields[0]), principal))
    return entries


def load_keys_file(path: Path) -> list[tuple[bytes, Principal]]:
    """Read `keys: [{key | sha256, role, partner_id?, name?}]` from a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise KeyConfigError(f"cannot read API key file {path}: {exc}") from exc
    items = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KeyConfigError(f"{path}: expected a top-level 'keys' list")
    entries = []
    for i, item in enumerate(items):
        where = f"{path} key {i + 1}"
        if not isinstance(item, dict):
            raise KeyConfigError(f"{where}: expected a mapping")
        if item.get("key"):
            digest = key_digest(str(item["key"]))
        elif item.get("sha256"):
            try:
                digest = bytes.fromhex(str(item["sha256"]))
            except ValueError as exc:
                raise KeyConfigError(f"{where}: sha256 is not hex") from exc
        else:
            raise KeyConfigError(f"{where}: needs 'key' or 'sha256'")
        pid = item.get("partner_id")
        principal = _principal(str(item.get("role", "")), str(pid) if pid is not None else None,
                               str(item.get("name") or f"key {i + 1}"), where)
        entries.append((digest, principal))
    return entries


DEMO_PARTNER_ID = "demo-partner"


def ensure_dev_keys(settings: Settings) -> Path | None:
    """On a first start with no keys configured, write a reviewer and a demo partner key; return the file."""
    if settings.api_keys or settings.api_keys_file is not None:
        return None
    path = keys_file(settings)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"keys": [
        {"name": "local reviewer", "role": "reviewer", "key": "rev-" + secrets.token_urlsafe(24)},
        {"name": "demo partner", "role": "partner", "partner_id": DEMO_PARTNER_ID,
         "key": "par-" + secrets.token_urlsafe(24)},
    ]}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# poecheck API keys (generated on first start). Roles: reviewer, partner (needs partner_id).\n")
        fh.write("# A key may be given as its SHA-256 hex instead: sha256: <hex>.\n")
        yaml.safe_dump(data, fh, sort_keys=False)
    return path
