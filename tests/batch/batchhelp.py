"""Helpers of the batch tests: a fixture backlog (manifest CSV over fixtures/poe_dev) and the one-by-one reference."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

DEV = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev"
#: Text PDFs, .msg files, the reuse pair (dev-013 original, dev-041 copy) and one scanned PDF.
BACKLOG = ("dev-001", "dev-002", "dev-003", "dev-009", "dev-011", "dev-013", "dev-019", "dev-022",
           "dev-041", "dev-004")


def dev_cases() -> list[dict]:
    with (DEV / "labels.jsonl").open() as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_manifest(folder: Path, cases: list[str], *, extra_rows: list[dict] = ()) -> Path:
    """A manifest CSV in `folder` whose claim and file paths point into fixtures/poe_dev (relative)."""
    by_id = {c["case"]: c for c in dev_cases()}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.csv"
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["claim_id", "claim_json", "files"])
        w.writeheader()
        for case_id in cases:
            case = by_id[case_id]
            w.writerow({"claim_id": case_id, "claim_json": os.path.relpath(DEV / case["claim"], folder),
                        "files": ";".join(os.path.relpath(DEV / f, folder) for f in case["files"])})
        for row in extra_rows:
            w.writerow(row)
    return path



def claims_in_order(manifest_cases: list[str]):
    """(case id, Claim, file paths) in submission order: claim date, then input order."""
    from service.claims import load_claim

    by_id = {c["case"]: c for c in dev_cases()}
    rows = [(cid, load_claim(DEV / by_id[cid]["claim"]), [DEV / f for f in by_id[cid]["files"]])
            for cid in manifest_cases]
    return [r for _, r in sorted(enumerate(rows), key=lambda p: (p[1][1].claim_date, p[0]))]


def one_by_one(cases: list[str], settings) -> dict[str, dict]:
    """What `poecheck check` gives claim by claim, with a store that holds the earlier claims."""
    from service.pipeline import ingest_files, run_claim
    from service.reuse import ReuseIndex

    index = ReuseIndex()
    out = {}
    for cid, claim, files in claims_in_order(cases):
        docs = ingest_files(files, settings=settings)
        out[cid] = digest(run_claim(claim, docs, reuse=index))
        index.add(claim, docs, claim_id=cid, partner=claim.partner.name)
    return out


def digest(report) -> dict:
    """What must agree between runs: verdict, score and every check's status."""
    if isinstance(report, dict):
        return {"verdict": report["verdict"], "score": report["score"],
                "checks": {c["id"]: c["status"] for c in report["checks"]}}
    return {"verdict": report.verdict, "score": report.score, "checks": {c.id: c.status for c in report.checks}}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]
