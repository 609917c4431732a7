"""The payout ledger (POE_RULES.md §5)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MonthStatus = Literal[
    "before_term", "before_association", "no_growth", "pau_capped",
    "held", "released", "capped_at_max", "after_term", "paid", "ineligible",
]


class LedgerMonth(BaseModel):
    model_config = ConfigDict(frozen=True)
    month: str
    mau: int
    pau: int
    hwm: int = Field(description="HWM the month is measured against.")
    units: int = Field(description="Compensable units before the max-earning cap.")
    dollars: float = Field(description="Earnings of the month after the cap.")
    released: float = Field(default=0, description="Paid out this month under the minimum-HWM rule.")
    status: MonthStatus


class WorkloadLedger(BaseModel):
    model_config = ConfigDict(frozen=True)
    workload: str
    rate: float
    max_earning: float
    months: list[LedgerMonth] = Field(default_factory=list)
    units: int = 0
    dollars: float = Field(default=0, description="Earnings after the cap.")
    held_dollars: float = Field(default=0, description="Earnings never released.")
    reasons: list[str] = Field(default_factory=list)


class PayoutLedger(BaseModel):
    model_config = ConfigDict(frozen=True)
    claim_id: str | None = None
    tenant_id: str | None = None
    workloads: dict[str, WorkloadLedger] = Field(default_factory=dict)
    total_units: int = 0
    total_dollars: float = 0
    total_held_dollars: float = 0
    reasons: list[str] = Field(default_factory=list, description="Why the payout is zero or reduced.")
