"""Read a claim JSON into a validated Claim, with a one-line typed error on bad input."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from models import Claim
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
    except (ValueError, RecursionError) as exc:  # a number too long to read, nesting too deep
        raise InvalidClaim(f"claim is not readable JSON ({type(exc).__name__})") from exc
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
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidClaim(f"cannot read claim {path}: {exc}") from exc
    return parse_claim(text)
