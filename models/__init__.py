"""Pydantic types shared by checks and service: no I/O here."""
from __future__ import annotations

from models.claim import Claim, Customer, Partner, UsageMonth, WORKLOAD_IDS
from models.document import Document, EmailMeta, Part, Signature
from models.report import CheckResult, Evidence, Report
from models.payout import PayoutLedger, WorkloadLedger, LedgerMonth

__all__ = [
    "WORKLOAD_IDS", "Claim", "Customer", "Partner", "UsageMonth",
    "Document", "EmailMeta", "Part", "Signature",
    "CheckResult", "Evidence", "Report",
    "PayoutLedger", "WorkloadLedger", "LedgerMonth",
]
