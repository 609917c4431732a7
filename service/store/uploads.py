"""Kept uploads (POECHECK_KEEP_UPLOADS): the files of a report in <files_dir>/uploads/<report id>/, removed
after upload_retention_days. In files_dir so that every replica of a deployment sees them."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from service.config import Settings


def uploads_root(settings: Settings) -> Path:
    return settings.files_dir / "uploads"


def keep_uploads(settings: Settings, report_id: str, upload) -> None:
    """Move the uploaded files (service.api.uploads.Upload) to uploads/<report id>/ and drop folders past the
    retention period."""
    dest = uploads_root(settings) / report_id
    dest.mkdir(parents=True, exist_ok=True)
    for name, path in upload.files.items():
        shutil.move(str(path), dest / name)
    purge_uploads(settings)


def purge_uploads(settings: Settings, *, now: float | None = None) -> int:
    """Delete kept uploads older than upload_retention_days; returns how many folders went."""
    root = uploads_root(settings)
    if not root.is_dir():
        return 0
    cutoff = (now or time.time()) - settings.upload_retention_days * 86400
    removed = 0
    for folder in root.iterdir():
        try:
            expired = folder.is_dir() and folder.stat().st_mtime < cutoff
        except FileNotFoundError:  # another replica or worker purged it between the listing and the stat
            continue
        if expired:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
