"""Payout settings (checks/rules/payout.yaml) joined with the rate card (checks/rules/workloads.yaml)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from checks import rulebook
from models.claim import CUSTOMER_FLAGS, check_month

ReleaseRule = Literal["release_when_reached", "forfeit"]


def month_index(value: str) -> int:
    """`YYYY-MM` → months since year 0 (consecutive months differ by 1)."""
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def month_label(index: int) -> str:
    """Inverse of month_index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def to_cents(amount: float | str) -> int:
    """Dollars → whole cents, exactly; a fraction of a cent is a rule-file error."""
    try:
        cents = Decimal(str(amount)) * 100
    except InvalidOperation as exc:
        raise ValueError(f"{amount!r} is not an amount") from exc
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount!r} has a fraction of a cent")
    return int(cents)


class WorkloadRate(BaseModel):
    """Rate per unit and max earning of one workload, in cents."""

    model_config = ConfigDict(frozen=True)
    rate_cents: int = Field(ge=0)
    max_cents: int = Field(ge=0)


class PayoutRules(BaseModel):
    """Everything the payout algorithm reads: term, minimum HWM, release rule, exclusions, rates."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int = 1
    term_start: str
    term_end: str
    min_hwm: int = Field(default=300, ge=0)
    release_rule: ReleaseRule = "release_when_reached"
    excluded_flags: tuple[str, ...] = CUSTOMER_FLAGS
    require_mci_enrolment: bool = True
    require_security_designation: bool = True
    rates: dict[str, WorkloadRate] = Field(default_factory=dict)

    _months = field_validator("term_start", "term_end")(classmethod(lambda cls, v: check_month(v)))

    @field_validator("excluded_flags")
    @classmethod
    def _flags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(CUSTOMER_FLAGS))
        if unknown:
            raise ValueError(f"unknown customer flag(s) {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _order(self) -> PayoutRules:
        if self.term_end < self.term_start:
            raise ValueError("term_end is before term_start")
        return self

    @property
    def term_start_index(self) -> int:
        return month_index(self.term_start)

    @property
    def term_end_index(self) -> int:
        return month_index(self.term_end)


@lru_cache(maxsize=1)
def load_payout_rules() -> PayoutRules:
    """Read payout.yaml and the workload rate card once per process; bad data raises RuleFileError."""
    data = rulebook.load_yaml("payout.yaml")
    try:
        rates = {
            wid: WorkloadRate(rate_cents=to_cents(w.rate), max_cents=to_cents(w.max_earning))
            for wid, w in rulebook.workloads().items()
        }
        return PayoutRules(**data, rates=rates)
    except (TypeError, ValueError, ValidationError) as exc:
        raise rulebook.RuleFileError(f"{rulebook.RULES_DIR / 'payout.yaml'}: {exc}") from exc
