"""Load and validate the data files under checks/rules/ once per process: one pydantic model per file
(checks.rulebook_files), every regex compiled, so that a broken file stops start-up naming the file and field."""
from __future__ import annotations

import hashlib
import os
import sys
from functools import cache, lru_cache
from pathlib import Path

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.claim import WORKLOAD_IDS

RULES_DIR = Path(__file__).parent / "rules"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster on the 100 KB vocabularies


class RuleFileError(ValueError):
    """A rules data file is missing or invalid (raised at start-up, names the file and the field)."""


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
    """One YAML file of checks/rules/ (parsed once per process; do not change it), raising RuleFileError
    with the file name."""
    return _parsed(RULES_DIR / name)


@cache
def _parsed(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleFileError(f"{path}: expected a mapping at the top level")
    return data


def typed(name: str) -> BaseModel:
    """The rule file `name` validated by its model (checks.rulebook_files.FILES), once per process."""
    return _typed(RULES_DIR / name)


@cache
def _typed(path: Path) -> BaseModel:
    # the rule-file models only when validating (most starts find a valid stamp, see validate_all)
    from checks.rulebook_files import FILES

    model = FILES.get(path.name)
    if model is None:
        raise RuleFileError(f"{path}: no model describes this rule file (add one to checks/rulebook_files.py)")
    try:
        return model.model_validate(_parsed(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RuleFileError(f"{path}: {field}: {err['msg']}{more}") from None


def validate_all() -> None:
    """Validate every rule file under RULES_DIR by its model (raises RuleFileError on the first broken one).

    Rule files byte-identical to files already found valid (with the same models, Python and pydantic) are
    not validated again: a stamp named by their hash, in the user's cache folder, says so. That keeps the
    ~0.25 s of regex parsing out of every `poecheck check`; any edit changes the hash and is validated.
    """
    stamp = _stamp()
    if stamp is not None and stamp.exists():
        return
    for path in sorted(RULES_DIR.glob("*.yaml")):
        _typed(path)
    workloads()
    if stamp is not None:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
        except OSError:  # a read-only home: validate at every start instead
            pass


def _stamp() -> Path | None:
    """The stamp of the rule files as they are now, or None without a cache folder (no home)."""
    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode())
    for path in [*sorted(RULES_DIR.glob("*.yaml")), Path(__file__).with_name("rulebook_files.py")]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    folder = cache_dir()
    return None if folder is None else folder / f"rules-valid-{digest.hexdigest()[:32]}"


def cache_dir() -> Path | None:
    """poecheck's folder in the user's cache (XDG_CACHE_HOME or ~/.cache), None when there is no home."""
    try:
        cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home directory to be found
        return None
    return Path(cache_home) / "poecheck"


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
