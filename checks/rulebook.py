"""Load and validate the data files under checks/rules/ once per process."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.claim import WORKLOAD_IDS

RULES_DIR = Path(__file__).parent / "rules"


class RuleFileError(ValueError):
    """A rules data file is missing or invalid (raised at start-up, names the file)."""


class Workload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    rate: float = Field(ge=0)
    max_earning: float = Field(ge=0)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def load_yaml(name: str) -> dict:
    """Read one YAML file of checks/rules/, raising RuleFileError with the file name."""
    path = RULES_DIR / name
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}: expected a mapping at the top level")
    return data


@lru_cache(maxsize=1)
def workloads() -> dict[str, Workload]:
    """Workload id → name, aliases, rate and cap, from workloads.yaml."""
    data = load_yaml("workloads.yaml")
    try:
        out = {wid: Workload(id=wid, **spec) for wid, spec in data["workloads"].items()}
    except (KeyError, TypeError, ValidationError) as exc:
        raise RuleFileError(f"{RULES_DIR / 'workloads.yaml'}: {exc}") from exc
    if set(out) != set(WORKLOAD_IDS):
        raise RuleFileError(f"workloads.yaml must define exactly {', '.join(WORKLOAD_IDS)}")
    return out


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A hash of every rule file's name and content: it changes whenever a rule changes, so reports say which
    rules judged them and batch results judged by other rules are redone."""
    digest = hashlib.sha256()
    for path in sorted(RULES_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "rules-" + digest.hexdigest()[:12]
