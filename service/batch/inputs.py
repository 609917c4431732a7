"""Read a batch input: a manifest CSV (claim_id, claim_json, files) or a corpus folder (labels.jsonl)."""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from models import Claim
from service.claims import load_claim, parse_claim
from service.errors import InvalidBatchInput, PoecheckError

MANIFEST_COLUMNS = ("claim_id", "claim_json", "files")


@dataclass(frozen=True)
class BatchItem:
    """One claim of the input, in input order; `error` is set when the claim itself cannot be read."""

    claim_id: str
    position: int
    files: tuple[Path, ...]
    claim: Claim | None = None
    error: tuple[str, str] | None = None

    @property
    def sort_key(self) -> tuple:
        """Submission order: claim date, then input order (claims without a valid claim last)."""
        return (self.claim is None, self.claim.claim_date if self.claim else None, self.position)


def read_input(path: Path) -> list[BatchItem]:
    """Items of a manifest CSV or a corpus folder; a malformed input raises InvalidBatchInput."""
    path = Path(path)
    if path.is_dir():
        labels = path / "labels.jsonl"
        if not labels.is_file():
            raise InvalidBatchInput(f"{path} is a folder without labels.jsonl; pass a manifest CSV or a corpus folder")
        items = _read_corpus(labels)
    elif path.is_file():
        items = _read_manifest(path)
    else:
        raise InvalidBatchInput(f"batch input not found: {path}")
    seen: set[str] = set()
    for item in items:
        if item.claim_id in seen:
            raise InvalidBatchInput(f"{path}: claim id {item.claim_id!r} appears twice")
        seen.add(item.claim_id)
    return items


def _claim(text: str, base: Path) -> tuple[Claim | None, tuple[str, str] | None]:
    try:
        text = text.strip()
        claim = parse_claim(text) if text.startswith("{") else load_claim(base / text)
    except PoecheckError as exc:
        return None, (exc.code, exc.message)
    return claim, None


def _read_manifest(path: Path) -> list[BatchItem]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = [h.strip() for h in reader.fieldnames or []]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidBatchInput(f"cannot read manifest {path}: {exc}") from exc
    if not rows:
        raise InvalidBatchInput(f"{path}: empty manifest; expected columns {', '.join(MANIFEST_COLUMNS)}")
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise InvalidBatchInput(f"{path}: missing column(s) {', '.join(missing)}; "
                                f"expected {', '.join(MANIFEST_COLUMNS)}")
    base = path.parent
    items = []
    for n, raw in enumerate(rows):
        row = {(k or "").strip(): v for k, v in raw.items()}
        claim_id = (row["claim_id"] or "").strip()
        if not claim_id:
            raise InvalidBatchInput(f"{path}: line {n + 2} has no claim_id")
        files = tuple(base / f.strip() for f in (row["files"] or "").split(";") if f.strip())
        claim, error = _claim(row["claim_json"] or "", base)
        if error is None and not files:
            error = ("no_files", "the manifest lists no POE file for this claim")
        items.append(BatchItem(claim_id=claim_id, position=n, files=files, claim=claim, error=error))
    return items


def _read_corpus(labels: Path) -> list[BatchItem]:
    base = labels.parent
    items = []
    with labels.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                claim_id, files, claim_path = str(case["case"]), case["files"], str(case["claim"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InvalidBatchInput(f"{labels}: line {n + 1} is not a case ({exc})") from exc
            claim, error = _claim(claim_path, base)
            items.append(BatchItem(claim_id=claim_id, position=len(items), files=tuple(base / f for f in files),
                                   claim=claim, error=error))
    if not items:
        raise InvalidBatchInput(f"{labels}: no cases")
    return items


def files_sha256(files: tuple[Path, ...]) -> str:
    """sha256 over the names and contents of a claim's files (a missing file counts as 'missing')."""
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0")
        try:
            with f.open("rb") as fh:
                h.update(hashlib.file_digest(fh, "sha256").digest())
        except OSError:
            h.update(b"missing")
        h.update(b"\n")
    return h.hexdigest()
