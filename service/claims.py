"""Read a claim JSON into a validated Claim, with a one-line typed error on bad input."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from models import Claim
from models.claim import OPTIONAL_FIELDS
from service.errors import FileMissing, InvalidClaim


def _one_line(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err["loc"]) or "claim"
        parts.append(f"{where}: {err['msg']}")
    text = "; ".join(parts)  # keys come from the caller: escape line breaks and controls to keep one line
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def parse_claim(data: str | bytes | dict) -> Claim:
    """Validate claim JSON text or a dict (POE_RULES.md §3)."""
    try:
        obj = json.loads(data) if isinstance(data, (str, bytes)) else data
    except json.JSONDecodeError as exc:
        raise InvalidClaim(f"claim is not JSON: {exc.msg} at line {exc.lineno}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidClaim("claim is not UTF-8 text") from exc
    except RecursionError as exc:
        raise InvalidClaim("claim is not readable JSON: it is nested too deeply") from exc
    except ValueError as exc:  # e.g. a number too long to read
        raise InvalidClaim("claim is not readable JSON: it holds a value that cannot be read (a number too "
                           "long?)") from exc
    if not isinstance(obj, dict):
        raise InvalidClaim("claim must be a JSON object")
    try:
        return Claim.model_validate(obj)
    except ValidationError as exc:
        raise InvalidClaim(f"invalid claim: {_one_line(exc)}") from exc


def load_claim(path: Path) -> Claim:
    """Read and validate a claim JSON file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FileMissing(f"claim file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise InvalidClaim(f"the claim {path} is a folder; give the claim JSON file") from exc
    except UnicodeDecodeError as exc:
        raise InvalidClaim(f"the claim {path} is not JSON text (a PDF or another document?); give the claim JSON "
                           "file (POE_RULES.md §3) and the POE files as arguments") from exc
    except OSError as exc:
        raise InvalidClaim(f"cannot read the claim {path}: {exc.strerror or 'read error'}") from exc
    return parse_claim(text)


def parse_stated(data: str | bytes | None) -> frozenset[str] | None:
    """The optional claim fields the self-check form's user gave: a JSON list of paths of
    models.claim.OPTIONAL_FIELDS (e.g. ["customer.flags", "customer.segment"]); None when not sent."""
    if data is None:
        return None
    try:
        fields = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidClaim("'stated' is not a JSON list of claim fields") from exc
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise InvalidClaim("'stated' must be a JSON list of claim fields, e.g. [\"customer.flags\"]")
    unknown = sorted({f for f in fields if f not in OPTIONAL_FIELDS})
    if unknown:
        shown = ", ".join(repr(f)[:60] for f in unknown[:3])
        raise InvalidClaim(f"'stated' names unknown claim field(s) {shown}; known: {', '.join(OPTIONAL_FIELDS)}")
    return frozenset(fields)
