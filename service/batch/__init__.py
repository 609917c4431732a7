"""Batch scoring of a backlog of claims (manifest CSV or labelled corpus folder)."""
from __future__ import annotations

from service.batch.runner import BatchStats, run_batch

__all__ = ["BatchStats", "run_batch"]
