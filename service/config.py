"""Settings, read once at the edge (env prefix POECHECK_) and passed down."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_ENV_PREFIX = "POECHECK_"

#: Characters of text per document that the checks read (POECHECK_CHECK_TEXT_CHARS).
CHECK_TEXT_CHARS = 500_000
#: Settings that can change a claim's result (what is read, how, and within which limits); with the trust roots'
#: fingerprint they are part of a batch result's key, so changing one redoes the claims.
CHECK_SETTINGS = ("ocr_timeout_s", "ocr_dpi", "max_pages", "max_pixels", "max_depth", "max_attachments",
                  "max_file_bytes", "parse_timeout_s", "parse_cpu_s", "parse_memory_mb", "pdf_page_content_mb",
                  "pdf_page_operators", "pdf_content_mb", "pdf_operators", "check_text_chars")


class Settings(BaseModel):
    """Built from the environment: POECHECK_<FIELD> in any case, the value as the variable's text (validated like
    any input); a value given to the constructor wins. As pydantic-settings' BaseSettings read it (env prefix,
    case-insensitive, no .env file, defaults validated), without that package's ~20 ms import at every start."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True, validate_default=True)

    def __init__(self, **values: Any) -> None:
        env = {name.lower(): value for name, value in os.environ.items()}
        found = {field: env[key] for field in type(self).model_fields
                 if (key := (_ENV_PREFIX + field).lower()) in env}
        super().__init__(**{**found, **values})

    data_dir: Path = Field(default=Path("data"), description="Where the store, kept uploads and temp files go.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    trust_roots: Path | None = Field(default=None, description="Folder of PEM/DER root certificates, or 'system' "
                                     "for the operating system's certificate bundle.")
    shared_dir: Path | None = Field(default=None, description="Folder the replicas of a deployment share (e.g. "
                                    "an NFS mount) for page images, kept uploads and the files of asynchronous "
                                    "checks; default data_dir.")
    keep_uploads: bool = Field(default=False, description="Keep uploaded files in <shared_dir>/uploads.")
    upload_retention_days: int = Field(default=30, ge=1)
    ocr_timeout_s: float = Field(default=30.0, gt=0, description="Per-page OCR budget: CPU seconds of the thread "
                                 "reading it (wall seconds per call when the tesseract CLI reads).")
    ocr_dpi: int = Field(default=300, ge=72, le=600)
    ocr_workers: int = Field(default=1, ge=1, description="Processes used to OCR the pages of one document.")
    max_pages: int = Field(default=200, ge=1, description="Pages per document.")
    max_pixels: int = Field(default=60_000_000, ge=1, description="Pixels per image page.")
    max_depth: int = Field(default=5, ge=1, description="Attachment nesting depth.")
    max_attachments: int = Field(default=100, ge=1)
    max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    parse_timeout_s: float = Field(default=300.0, gt=0, description="Wall time to read one document (with OCR).")
    parse_cpu_s: int = Field(default=30, ge=1, description="CPU seconds of the reader process per document "
                             "(tesseract's own time is not counted).")
    parse_memory_mb: int = Field(default=1024, ge=256, description="Address-space cap of the reader (and OCR).")
    pdf_page_content_mb: int = Field(
        default=16, ge=0, description="Decoded content of one PDF page, with the forms it draws, that pdfium may "
        "parse (413 content_too_large); 0 turns the PDF content check off.")
    pdf_page_operators: int = Field(default=300_000, ge=1, description="Drawing operators on one PDF page.")
    pdf_content_mb: int = Field(default=128, ge=1, description="Decoded page content of one PDF, all pages.")
    pdf_operators: int = Field(default=2_000_000, ge=1, description="Drawing operators of one PDF, all pages.")
    api_keys_file: Path | None = Field(
        default=None, description="YAML/JSON file of API keys; default data_dir/api_keys.yaml when it exists."
    )
    api_keys: str | None = Field(default=None, description="API keys as 'key:role[:partner_id],...'.")
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1, description="Total upload size per request.")
    max_files: int = Field(default=10, ge=1, description="Files per check request.")
    check_workers: int = Field(default=2, ge=1, description="Checks (ingest + OCR + rules) run at once.")
    queue_limit: int = Field(default=8, ge=0, description="Checks waiting for a worker before 503.")
    retry_after_s: int = Field(default=15, ge=1, description="Retry-After seconds sent with 503 or 429.")
    checks_per_key: int = Field(default=2, ge=1, description="Checks one key may have in flight (uploading, "
                                "queued or running) before 429 too_many_checks.")
    check_text_chars: int = Field(default=CHECK_TEXT_CHARS, ge=1000, description="Characters of text per "
                                  "document that the checks read; the rest is skipped with a warning.")
    checks_timeout_s: float = Field(default=60.0, gt=0, description="Wall time of the checks of one claim "
                                    "(422 checks_timeout).")
    body_timeout_s: float = Field(default=120.0, gt=0, description="Time to receive a whole request body "
                                  "(408 upload_timeout).")
    header_timeout_s: float = Field(default=10.0, gt=0, description="Time to receive a request's headers "
                                    "once a connection is open or idle; then the connection is closed.")
    keep_alive_s: int = Field(default=5, ge=1, description="Idle keep-alive connections are closed after this.")
    max_connections: int = Field(default=256, ge=2, description="Open connections; beyond it a new connection "
                                 "is closed at once and requests get 503.")
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, description="Size of a request's headers.")
    log_repeats_per_minute: int = Field(default=10, ge=1, description="Times the same log line is written "
                                        "per minute; further repeats are counted, not written.")
    job_workers: int = Field(default=1, ge=0, description="Asynchronous checks this replica runs at once (0: it "
                             "only accepts them, other replicas run them).")
    job_lease_s: float = Field(default=30.0, ge=2, description="A running asynchronous check is taken over by "
                               "another replica when its replica has not renewed it for this long (died).")
    job_poll_s: float = Field(default=1.0, gt=0, description="How often an idle replica looks for queued checks.")
    dask_scheduler: str | None = Field(default=None, description="tcp://host:port of a Dask scheduler: checks "
                                       "are read and checked on its workers (one task per file, as batch does) "
                                       "instead of this replica's threads; a synchronous check waits for its job.")
    page_images: bool = Field(default=True, description="Keep with each report an image of every page a finding "
                              "quotes or that shows a handwritten mark (made by the isolated reader).")
    session_hours: float = Field(default=12.0, gt=0, description="Lifetime of a web page login.")
    secure_cookies: bool = Field(default=False, description="Send the session cookie over HTTPS only (set it "
                                 "when a TLS proxy is in front).")

    @property
    def files_dir(self) -> Path:
        """Where page images, kept uploads and asynchronous checks' files go (shared by replicas)."""
        return self.shared_dir or self.data_dir

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'poecheck.db').resolve()}"


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
