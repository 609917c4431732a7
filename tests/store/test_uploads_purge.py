"""Purging kept uploads from several processes at once (each `serve --workers N` worker purges at start)."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from service.config import Settings
from service.store.uploads import purge_uploads, uploads_root


def _purge(data_dir: str) -> int:
    return purge_uploads(Settings(data_dir=Path(data_dir)))


def test_concurrent_purges_remove_every_expired_folder_without_error(tmp_path):
    settings = Settings(data_dir=tmp_path)
    root = uploads_root(settings)
    old = 0  # the epoch: past any retention period
    for i in range(1500):
        folder = root / f"report-{i}"
        folder.mkdir(parents=True)
        (folder / "poe.pdf").write_bytes(b"%PDF-1.4\n")
        os.utime(folder, (old, old))
    with ProcessPoolExecutor(4) as pool:
        removed = list(pool.map(_purge, [str(tmp_path)] * 4))
    assert not any(root.iterdir())
    assert sum(removed) >= 1500
