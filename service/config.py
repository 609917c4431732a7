"""Settings, read once at the edge (env prefix POECHECK_) and passed down."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POECHECK_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the store, kept uploads and temp files go.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    trust_roots: Path | None = Field(default=None, description="Folder of PEM/DER root certificates.")
    keep_uploads: bool = Field(default=False, description="Keep uploaded files in data_dir/uploads.")
    upload_retention_days: int = Field(default=30, ge=1)
    ocr_timeout_s: float = Field(default=30.0, gt=0, description="Per-page OCR timeout.")
    ocr_dpi: int = Field(default=300, ge=72, le=600)
    ocr_workers: int = Field(default=1, ge=1, description="Processes used to OCR the pages of one document.")
    max_pages: int = Field(default=200, ge=1, description="Pages per document.")
    max_pixels: int = Field(default=60_000_000, ge=1, description="Pixels per image page.")
    max_depth: int = Field(default=5, ge=1, description="Attachment nesting depth.")
    max_attachments: int = Field(default=100, ge=1)
    max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    isolate_parsers: bool = Field(default=True, description="Read each document in a worker process under limits.")
    parse_timeout_s: float = Field(default=600.0, gt=0, description="Wall time to read one document (with OCR).")
    parse_cpu_s: int = Field(default=300, ge=1, description="CPU seconds of the reader process per document.")
    parse_memory_mb: int = Field(default=1024, ge=256, description="Address-space cap of the reader (and OCR).")
    api_keys_file: Path | None = Field(
        default=None, description="YAML/JSON file of API keys; default data_dir/api_keys.yaml when it exists."
    )
    api_keys: str | None = Field(default=None, description="API keys as 'key:role[:partner_id],...'.")
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1, description="Total upload size per request.")
    max_files: int = Field(default=10, ge=1, description="Files per check request.")
    check_workers: int = Field(default=2, ge=1, description="Checks (ingest + OCR + rules) run at once.")
    queue_limit: int = Field(default=8, ge=0, description="Checks waiting for a worker before 503.")
    retry_after_s: int = Field(default=15, ge=1, description="Retry-After seconds sent with 503 when busy.")
    page_images: bool = Field(default=True, description="Keep a downscaled PNG of each OCR'd page with its report.")
    session_hours: float = Field(default=12.0, gt=0, description="Lifetime of a web page login.")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'poecheck.db').resolve()}"


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
