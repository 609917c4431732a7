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

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'poecheck.db').resolve()}"


def get_settings() -> Settings:
    """Settings from the environment."""
    return Settings()
