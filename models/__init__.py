"""Pydantic types shared by checks and service: no I/O here."""
from __future__ import annotations

from models.claim import WORKLOAD_IDS, Claim, Customer, Partner, UsageMonth
from models.document import Document, EmailMeta, Part, Signature
from models.payout import LedgerMonth, PayoutLedger, WorkloadLedger
from models.report import CheckResult, Evidence, Report

__all__ = [
    "WORKLOAD_IDS",
    "CheckResult",
    "Claim",
    "Customer",
    "Document",
    "EmailMeta",
    "Evidence",
    "LedgerMonth",
    "Part",
    "Partner",
    "PayoutLedger",
    "Report",
    "Signature",
    "UsageMonth",
    "WorkloadLedger",
]
