"""The data folder is private: 0700, and every file the process writes there readable by its owner only."""
from __future__ import annotations

import os

from service.config import Settings


def make_private(settings: Settings) -> None:
    """Create data_dir as 0700, tighten the store files already there to 0600, and set the umask to 077 so
    every later file (store, page images, kept uploads, temp files) is 0600 and every folder 0700.

    For the long-running commands (serve, batch): the umask is the whole process's."""
    os.umask(0o077)
    folder = settings.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for path in folder.glob("poecheck.db*"):
        os.chmod(path, 0o600)
    for name in ("pages", "uploads", "jobs", "tmp"):
        for root in {folder, settings.files_dir}:
            if (root / name).is_dir():
                os.chmod(root / name, 0o700)
