"""The benchmark inputs, built from fixtures into a temp folder: text and scanned PDFs, a .msg, a usage CSV, a backlog.

`Profile` fixes the sizes and repetitions: FULL for `make bench`, SMOKE for the smoke test (tiny inputs, one
repetition) so every benchmark runs in seconds and cannot rot.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "fixtures" / "poe_dev"
#: Real text-PDF letters of the dev corpus whose pages make up the text PDFs (dev-001 first: the 1-page PDF
#: is its first page, checked against its claim by the CLI and service benchmarks).
TEXT_SOURCES = ("dev-001", "dev-002", "dev-003", "dev-012", "dev-013", "dev-014", "dev-015", "dev-016")
SCAN_SOURCE = DEV / "docs" / "dev-004" / "Scan_20241202.pdf"
MSG_SOURCE = DEV / "docs" / "dev-010" / "Completion_confirmation_-_Identity_and_endpoint_protection_project.msg"


@dataclass(frozen=True)
class Profile:
    """Sizes of the inputs and how often each measurement is repeated (medians are over `reps`)."""

    name: str
    text_pages: tuple[int, ...] = (1, 10, 100)
    scan_pages: tuple[int, ...] = (1, 10)
    usage_tenants: int = 10_000  # × 8 workloads × 12–13 months ≈ 1,000,000 rows
    backlog_claims: int = 500
    reps: int = 5  # repetitions of the fast measurements (text, checks, CLI)
    scan_reps: tuple[int, ...] = (5, 2)  # repetitions of the OCR measurement of each scan (in scan_pages order)
    http_requests: int = 150  # requests to the live service for a text PDF
    http_ocr_requests: int = 8  # ... and for a scan
    reuse_fingerprints: int = 100_000

    @property
    def quick(self) -> bool:
        return self.name != "full"


FULL = Profile("full")
SMOKE = Profile("smoke", text_pages=(1, 2), scan_pages=(1,), usage_tenants=20, backlog_claims=2, reps=1,
                scan_reps=(1,), http_requests=4, http_ocr_requests=1, reuse_fingerprints=500)


@dataclass(frozen=True)
class Inputs:
    """Paths of the built inputs (all inside `folder`) and the profile they were built for."""

    folder: Path
    profile: Profile
    text_pdfs: dict[int, Path]  # pages -> file
    scan_pdfs: dict[int, Path]
    msg: Path
    usage_csv: Path
    usage_rows: int
    backlog: Path  # manifest CSV
    claim: Path  # the claim of the 1-page text PDF and the scans (dev-001)


def build_inputs(folder: Path, profile: Profile = FULL) -> Inputs:
    """Write every input of `profile` into `folder` (which must exist) and return their paths."""
    from bench.payout_bench import write_usage_csv

    text = {n: _write(folder / f"text-{n}p.pdf", repeat_pages(_text_pages(), n)) for n in profile.text_pages}
    scans = {n: _write(folder / f"scan-{n}p.pdf", repeat_pages([(SCAN_SOURCE, i) for i in (0, 1)], n))
             for n in profile.scan_pages}
    usage = folder / "usage.csv"
    rows = write_usage_csv(usage, tenants=profile.usage_tenants)
    return Inputs(folder=folder, profile=profile, text_pdfs=text, scan_pdfs=scans,
                  msg=_write(folder / "mail-with-attachments.msg", msg_with_attachments(text[max(n for n in text if n <= 10)])),
                  usage_csv=usage, usage_rows=rows, backlog=write_backlog(folder, profile.backlog_claims),
                  claim=DEV / "claims" / "dev-001.json")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _text_pages() -> list[tuple[Path, int]]:
    from pypdf import PdfReader

    files = [next((DEV / "docs" / case).glob("*.pdf")) for case in TEXT_SOURCES]
    return [(f, i) for f in files for i in range(len(PdfReader(f).pages))]


def repeat_pages(sources: list[tuple[Path, int]], pages: int) -> bytes:
    """A PDF of `pages` pages copied, in turn, from the (file, page index) sources."""
    from pypdf import PdfReader, PdfWriter

    readers = {f: PdfReader(f) for f, _ in sources}
    writer = PdfWriter()
    for n in range(pages):
        f, index = sources[n % len(sources)]
        writer.add_page(readers[f].pages[index])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def msg_with_attachments(pdf: Path) -> bytes:
    """The dev corpus's POE mail (one PDF attached) with a text PDF (10 pages in FULL) and a dev letter attached too."""
    from aspose.email_foss.msg import MapiMessage

    message = MapiMessage.from_file(MSG_SOURCE)
    message.add_attachment(pdf.name, pdf.read_bytes())
    letter = DEV / "docs" / "dev-002" / "Statement_of_Work_-_Acceptance_Cobalt_Ridge.pdf"
    message.add_attachment(letter.name, letter.read_bytes())
    return message.to_bytes()


def write_backlog(folder: Path, claims: int) -> Path:
    """A manifest of `claims` claims cycling through the dev cases (each a distinct claim id), like a backlog."""
    cases = [json.loads(line) for line in (DEV / "labels.jsonl").read_text().splitlines() if line.strip()]
    path = folder / "backlog.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["claim_id", "claim_json", "files"])
        for n in range(claims):
            case = cases[n % len(cases)]
            claim = json.loads((DEV / case["claim"]).read_text())
            claim_id = f"{case['case']}-{n // len(cases):03d}"
            w.writerow([claim_id, json.dumps({**claim, "claim_id": claim_id}),
                        ";".join(os.path.relpath(DEV / f, folder) for f in case["files"])])
    return path
