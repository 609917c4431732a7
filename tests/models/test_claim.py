from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from models import WORKLOAD_IDS, Claim
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
