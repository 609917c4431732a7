"""The HTTP service: FastAPI app factory, routers by resource (checks, payouts, health, pages)."""
from __future__ import annotations

from service.api.app import create_app

__all__ = ["create_app"]
