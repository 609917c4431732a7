"""Pydantic types shared by checks and service: no I/O here.

The names load lazily from their modules (PEP 562): `from models import Document` builds the document types
only, so the reader process does not build the claim, payout and report types it never uses."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOME = {
    "WORKLOAD_IDS": "claim", "Claim": "claim", "Customer": "claim", "Partner": "claim", "UsageMonth": "claim",
    "Document": "document", "EmailMeta": "document", "Part": "document", "Signature": "document",
    "LedgerMonth": "payout", "PayoutLedger": "payout", "WorkloadLedger": "payout",
    "CheckResult": "report", "Evidence": "report", "Report": "report",
}

if TYPE_CHECKING:
    from models.claim import WORKLOAD_IDS, Claim, Customer, Partner, UsageMonth
    from models.document import Document, EmailMeta, Part, Signature
    from models.payout import LedgerMonth, PayoutLedger, WorkloadLedger
    from models.report import CheckResult, Evidence, Report


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"models.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


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
