"""The claim a partner submits beside its POE (POE_RULES.md §3)."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Stable workload ids of POE_RULES.md §2 (names, aliases and rates live in checks/rules).
WORKLOAD_IDS: tuple[str, ...] = (
    "ENTRA_ID_P2", "MDE", "MIP", "INTUNE", "IRM", "MDI", "MDO", "MDA",
)
#: Customer exclusion flags (POE_RULES.md §3) and what messages and pages call them.
FLAG_LABELS: dict[str, str] = {
    "gcc_high": "GCC High", "dod": "DoD", "charity": "charity/nonprofit", "test": "test/demo tenant",
    "trial": "trial/free subscription", "quick_start": "Quick Start tenant", "21vianet": "21Vianet"}
CUSTOMER_FLAGS = tuple(FLAG_LABELS)
#: The optional claim fields (POE_RULES.md §3) and what a message calls them. A claim sent as JSON (API, CLI,
#: batch, eval) states all of them, by default when left out; only the self-check form says which ones its
#: user gave, and a check whose deciding field was not given then says so instead of passing.
OPTIONAL_FIELDS: dict[str, str] = {
    "claim_id": "the claim id",
    "partner.aliases": "the partner's other names",
    "partner.domains": "the partner's e-mail domains",
    "partner.partner_id": "the partner id",
    "partner.mci_enrolled": "whether the partner is enrolled in MCI",
    "partner.security_designation": "whether the partner holds the Security designation",
    "customer.aliases": "the customer's other names",
    "customer.domains": "the customer's e-mail domains",
    "customer.tenant_id": "the customer's tenant id",
    "customer.country": "the customer's country",
    "customer.segment": "the customer's segment",
    "customer.flags": "the customer's flags",
    "association_month": "the association month",
    "usage": "the monthly usage",
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

#: Size limits of a claim (README, "API"): a claim is a few kilobytes; these keep the cost of
#: validating it, and of the checks that read its names, small and linear.
MAX_NAME_CHARS = 200
MAX_NAMES = 20  # aliases or domains per party
MAX_USAGE_MONTHS = 120  # usage rows per workload: ten years of months

Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
Names = Annotated[list[Name], Field(max_length=MAX_NAMES)]


def _check_workload(value: str) -> str:
    if value not in WORKLOAD_IDS:
        raise ValueError(f"unknown workload {value!r}; valid ids: {', '.join(WORKLOAD_IDS)}")
    return value


def check_month(value: str) -> str:
    """Validate a calendar month written ``YYYY-MM``."""
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ValueError(f"month {value!r} is not YYYY-MM")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Partner(_Strict):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, description="Legal name of the claiming partner.")
    aliases: Names = Field(default_factory=list, description="Other names the POE may use.")
    domains: Names = Field(default_factory=list, description="E-mail domains of the partner.")
    partner_id: str | None = Field(default=None, max_length=MAX_NAME_CHARS,
                                   description="Microsoft partner id (MPN/PartnerID).")
    mci_enrolled: bool = Field(default=True, description="Enrolled in Microsoft Commerce Incentives.")
    security_designation: bool = Field(default=True, description="Holds the Security solutions designation.")


class Customer(_Strict):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, description="Legal name of the customer.")
    aliases: Names = Field(default_factory=list, description="Other names the POE may use.")
    domains: Names = Field(default_factory=list, description="E-mail domains of the customer.")
    tenant_id: str | None = Field(default=None, description="Customer's Entra tenant id (GUID).")
    country: str = Field(default="US", min_length=2, max_length=2, description="ISO 3166 alpha-2 country.")
    segment: Literal["commercial", "public_sector"] = Field(default="commercial")
    flags: list[Literal["gcc_high", "dod", "charity", "test", "trial", "quick_start", "21vianet"]] = Field(
        default_factory=list, max_length=len(CUSTOMER_FLAGS), description="Exclusion flags known for the tenant."
    )

    @field_validator("tenant_id")
    @classmethod
    def _guid(cls, value: str | None) -> str | None:
        if value is not None and not _GUID.match(value):
            raise ValueError(f"tenant_id {value!r} is not a GUID")
        return value.lower() if value else value

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class UsageMonth(_Strict):
    month: str = Field(description="Calendar month YYYY-MM.")
    mau: int = Field(ge=0, description="Monthly active (or protected) users.")
    pau: int = Field(ge=0, description="Paid available units (paid licences).")

    _month = field_validator("month")(classmethod(lambda cls, v: check_month(v)))


class Claim(_Strict):
    claim_id: str | None = Field(default=None, max_length=MAX_NAME_CHARS, description="Caller's id for the claim.")
    claim_date: date = Field(default_factory=date.today, description="Date the claim is made.")
    partner: Partner
    customer: Customer
    workloads: list[str] = Field(min_length=1, max_length=len(WORKLOAD_IDS),
                                 description=f"Claimed workload ids: {', '.join(WORKLOAD_IDS)}.")
    association_month: str | None = Field(default=None, description="Month (YYYY-MM) the partner was associated.")
    usage: dict[str, Annotated[list[UsageMonth], Field(max_length=MAX_USAGE_MONTHS)]] = Field(
        default_factory=dict, max_length=len(WORKLOAD_IDS),
        description=f"Monthly usage per workload id, at most {MAX_USAGE_MONTHS} months per workload.")

    @field_validator("workloads")
    @classmethod
    def _workloads(cls, value: list[str]) -> list[str]:
        return [_check_workload(w) for w in value]

    @field_validator("association_month")
    @classmethod
    def _assoc(cls, value: str | None) -> str | None:
        return check_month(value) if value is not None else None

    @model_validator(mode="after")
    def _usage(self) -> Claim:
        for workload, rows in self.usage.items():
            _check_workload(workload)
            counts = Counter(r.month for r in rows)
            dupes = sorted(m for m, n in counts.items() if n > 1)
            if dupes:
                raise ValueError(f"usage[{workload}]: duplicate month(s) {', '.join(dupes)}")
        return self
