"""Payouts of POE_RULES.md §5: an auditable ledger per claim, and streamed totals from a usage CSV."""

from __future__ import annotations

from service.payout.ledger import compute_payout
from service.payout.rules import PayoutRules, load_payout_rules
from service.payout.usage_csv import TenantPayout, WorkloadTotals, payout_csv, read_usage_csv

__all__ = [
    "PayoutRules",
    "TenantPayout",
    "WorkloadTotals",
    "compute_payout",
    "load_payout_rules",
    "payout_csv",
    "read_usage_csv",
]
