from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from models import WORKLOAD_IDS, Claim
from models.claim import MAX_NAME_CHARS, MAX_NAMES, MAX_USAGE_MONTHS
from service.claims import load_claim, parse_claim
from service.errors import FileMissing, InvalidClaim

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_every_dev_claim_parses():
    for path in sorted((FIXTURES / "poe_dev" / "claims").glob("*.json")):
        claim = load_claim(path)
        assert claim.workloads and set(claim.workloads) <= set(WORKLOAD_IDS)


def test_only_required_fields_get_defaults():
    claim = parse_claim({"claim_date": "2025-03-15", "partner": {"name": "Fabrikam"},
                         "customer": {"name": "Contoso"}, "workloads": ["MDE"]})
    assert claim.customer.country == "US" and claim.customer.segment == "commercial"
    assert claim.partner.mci_enrolled and claim.usage == {}


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        pytest.param({"workloads": ["DEFENDER"]}, "valid ids: ENTRA_ID_P2", id="unknown-workload"),
        pytest.param({"association_month": "2024-13"}, "not YYYY-MM", id="bad-month"),
        pytest.param({"customer": {"name": "C", "tenant_id": "nope"}}, "not a GUID", id="bad-tenant"),
        pytest.param({"customer": {"name": "C", "flags": ["vip"]}}, "customer.flags", id="bad-flag"),
        pytest.param({"usage": {"MDE": [{"month": "2024-10", "mau": -1, "pau": 1}]}}, "mau", id="negative-mau"),
        pytest.param({"usage": {"MDE": [{"month": "2024-10", "mau": 1, "pau": 1}] * 2}}, "duplicate", id="dup-month"),
        pytest.param({"partner": None}, "partner", id="missing-partner"),
    ],
)
def test_bad_claims_get_one_line_typed_errors(patch, needle):
    base = {"claim_date": "2025-03-15", "partner": {"name": "P"}, "customer": {"name": "C"}, "workloads": ["MDE"]}
    base.update(patch)
    with pytest.raises(InvalidClaim) as err:
        parse_claim(json.dumps(base))
    assert needle in err.value.message and "\n" not in err.value.message


def test_not_json_and_missing_file():
    with pytest.raises(InvalidClaim, match="not JSON"):
        parse_claim("{")
    with pytest.raises(FileMissing):
        load_claim(Path("/nonexistent/claim.json"))


def test_claim_model_is_frozen():
    claim = Claim.model_validate({"claim_date": "2025-01-01", "partner": {"name": "P"},
                                  "customer": {"name": "C"}, "workloads": ["MDE"]})
    with pytest.raises(ValidationError, match="frozen"):
        claim.workloads = []


def _claim_with_usage_months(count: int) -> str:
    months = [f"{1000 + i // 12:04d}-{i % 12 + 1:02d}" for i in range(count)]
    return json.dumps({"claim_date": "2025-03-15", "partner": {"name": "P"}, "customer": {"name": "C"},
                       "workloads": ["MDE"], "usage": {"MDE": [{"month": m, "mau": 1, "pau": 1} for m in months]}})


def test_a_megabyte_of_usage_months_is_a_quick_invalid_claim():
    """24,000 distinct months (~1 MB): the duplicate-month check took 8-17 s (quadratic); now the size
    limit refuses the claim at once."""
    text = _claim_with_usage_months(24_000)
    started = time.monotonic()
    with pytest.raises(InvalidClaim, match=f"at most {MAX_USAGE_MONTHS}"):
        parse_claim(text)
    assert time.monotonic() - started < 5


def test_duplicate_months_are_still_found_and_named():
    rows = [{"month": f"{2000 + i // 12:04d}-{i % 12 + 1:02d}", "mau": 1, "pau": 1} for i in range(MAX_USAGE_MONTHS)]
    base = {"claim_date": "2025-03-15", "partner": {"name": "P"}, "customer": {"name": "C"}, "workloads": ["MDE"]}
    assert len(parse_claim({**base, "usage": {"MDE": rows}}).usage["MDE"]) == MAX_USAGE_MONTHS
    with pytest.raises(InvalidClaim, match="duplicate month.*2000-01"):
        parse_claim({**base, "usage": {"MDE": [*rows[1:], rows[0], rows[0]][-MAX_USAGE_MONTHS:]}})


@pytest.mark.parametrize("patch", [
    pytest.param({"partner": {"name": "P" * (MAX_NAME_CHARS + 1)}}, id="long-name"),
    pytest.param({"partner": {"name": "P", "aliases": ["A"] * (MAX_NAMES + 1)}}, id="many-aliases"),
    pytest.param({"customer": {"name": "C", "domains": ["c.example"] * (MAX_NAMES + 1)}}, id="many-domains"),
    pytest.param({"customer": {"name": "C", "aliases": ["A" * (MAX_NAME_CHARS + 1)]}}, id="long-alias"),
    pytest.param({"workloads": ["MDE"] * (len(WORKLOAD_IDS) + 1)}, id="many-workloads"),
    pytest.param({"claim_id": "x" * (MAX_NAME_CHARS + 1)}, id="long-claim-id"),
])
def test_claim_fields_have_size_limits(patch):
    base = {"claim_date": "2025-03-15", "partner": {"name": "P"}, "customer": {"name": "C"}, "workloads": ["MDE"]}
    with pytest.raises(InvalidClaim, match="at most"):
        parse_claim({**base, **patch})
