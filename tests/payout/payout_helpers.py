"""Helpers for the payout tests: claims built in code, the dev corpus path."""

from __future__ import annotations

from pathlib import Path

from models import Claim

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
POE_DEV = FIXTURES / "poe_dev"
TENANT = "5f1c2d3e-0a4b-4c6d-8e9f-112233445566"
# the usage of POE_RULES §5's worked example: (month, MAU, PAU)
WORKED = [
    ("2024-10", 300, 500),
    ("2024-11", 350, 500),
    ("2024-12", 400, 500),
    ("2025-01", 250, 500),
    ("2025-02", 200, 500),
    ("2025-03", 430, 500),
    ("2025-04", 550, 500),
]


def make_claim(
    usage: dict[str, list[tuple[str, int, int]]],
    *,
    association: str | None = "2024-10",
    workloads: list[str] | None = None,
    partner: dict | None = None,
    flags: list[str] | None = None,
) -> Claim:
    """A claim for a new user's test tenant with usage given as (month, MAU, PAU) rows."""
    return Claim.model_validate(
        {
            "claim_id": "C-TEST",
            "claim_date": "2025-06-15",
            "partner": {"name": "Example Partner Ltd", **(partner or {})},
            "customer": {"name": "Example Customer Inc.", "tenant_id": TENANT, "flags": flags or []},
            "workloads": workloads or list(usage),
            "association_month": association,
            "usage": {w: [{"month": m, "mau": a, "pau": p} for m, a, p in rows] for w, rows in usage.items()},
        }
    )
