"""Load and validate the data files under checks/rules/ once per process: one pydantic model per file
(checks.rulebook_files), every regex compiled, so that a broken file stops start-up naming the file and field.

Rule files found valid are kept parsed in the user's cache folder (see validate_all), so a start reads them
without YAML (the reader process too: service.ingest.ink reads two of them)."""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
import zlib
from functools import cache, lru_cache
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field, ValidationError

RULES_DIR = Path(__file__).parent / "rules"
_STORE_FORMAT = b"parsed-1"  # part of the stamp's name: stamps of another layout are not read


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
    stored = _stored(path.parent).get(path.name)
    if stored is not None:
        return stored
    # lazy: start-up (YAML only for rule files not yet found valid, see validate_all)
    import yaml

    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: ~10x faster
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
    ~0.25 s of regex parsing out of every `poecheck check`; any edit changes the hash and is validated. The
    stamp holds the files as parsed (marshal), read instead of the YAML while they stay the same (`_stored`).
    """
    folder = RULES_DIR
    if _stored(folder) is not _NOT_STORED:
        return
    for path in sorted(folder.glob("*.yaml")):
        _typed(path)
    workloads()
    stamp = _stamp(folder)
    if stamp is not None:
        _write_stamp(stamp, {path.name: _parsed(path) for path in sorted(folder.glob("*.yaml"))})


_NOT_STORED: dict[str, dict] = {}  # _stored's answer when the files are not (yet) found valid


@cache
def _stored(folder: Path) -> dict[str, dict]:
    """The rule files of `folder` as parsed, by file name, from their stamp ({} when the stamp holds no data);
    _NOT_STORED without a valid stamp: not found valid yet, or a damaged stamp (written again)."""
    stamp = _stamp(folder)
    try:
        data = stamp.read_bytes() if stamp is not None else None
    except OSError:
        return _NOT_STORED
    if not data:
        return _NOT_STORED if data is None else {}
    if zlib.crc32(data[4:]).to_bytes(4, "little") != data[:4]:
        return _NOT_STORED
    try:
        parsed = marshal.loads(data[4:])
    except (ValueError, EOFError, TypeError):
        return _NOT_STORED
    return parsed if isinstance(parsed, dict) and all(isinstance(v, dict) for v in parsed.values()) else _NOT_STORED


def _write_stamp(stamp: Path, parsed: dict[str, dict]) -> None:
    """Write the stamp at once (a temporary file renamed): the files as parsed after a checksum, or nothing when
    marshal cannot keep them (they are valid all the same, and parsed at every start)."""
    try:
        payload = marshal.dumps(parsed)
        data = zlib.crc32(payload).to_bytes(4, "little") + payload
    except ValueError:  # a value marshal does not know (a YAML date)
        data = b""
    if write_cache_file(stamp, data):  # a read-only home: validate at every start instead
        _stored.cache_clear()


def write_cache_file(path: Path, data: bytes) -> bool:
    """Write `path` at once (a temporary file beside it, renamed): readers see the old file or the whole new one.
    False when the cache folder cannot be written (nothing is left behind)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
    return True


def _stamp(folder: Path) -> Path | None:
    """The stamp of the rule files of `folder` as they are now, or None without a cache folder (no home)."""
    digest = hashlib.sha256(f"{sys.version}|{pydantic.VERSION}".encode() + _STORE_FORMAT)
    for path in [*sorted(folder.glob("*.yaml")), Path(__file__).with_name("rulebook_files.py")]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    cache = cache_dir()
    return None if cache is None else cache / f"rules-valid-{digest.hexdigest()[:32]}"


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
    from models.claim import WORKLOAD_IDS  # lazy: start-up (the claim model loads after the reader's fork)

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
