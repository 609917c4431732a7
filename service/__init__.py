"""poecheck's I/O side: ingestion, pipeline, payout, store, API, CLI, batch.

Embedding: ``from service import check_claim`` then ``check_claim(claim, [path, ...])`` returns a Report.
"""
from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models import Claim, Report
    from service.config import Settings


def check_claim(claim: Claim | dict | str, files: Sequence[str | PathLike], *,
                settings: Settings | None = None) -> Report:
    """Check POE files against a claim (a Claim, a dict or JSON text) and return the Report."""
    from models import Claim  # not at the top: `import service` stays light for whoever imports a submodule
    from service.checking import check_uploaded
    from service.claims import parse_claim
    from service.config import Settings

    parsed = claim if isinstance(claim, Claim) else parse_claim(claim)
    return check_uploaded(parsed, [Path(f) for f in files], settings=settings or Settings()).report


__all__ = ["check_claim"]
