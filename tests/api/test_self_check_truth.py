"""The self-check never gives false comfort (issue 16, finding 3): the form can state every optional claim
field a check reads, and a check whose deciding field the form did not give warns "not checked: give …".
Claims sent as JSON (API, CLI, batch, eval) keep the POE_RULES §3 defaults and are never warned."""
from __future__ import annotations

import json

import pytest
from apihelp import PARTNER_A, REVIEWER, auth, dev_case, multipart

from models.claim import OPTIONAL_FIELDS

#: What the self-check form sends when its user filled in every optional field.
ALL_STATED = sorted(OPTIONAL_FIELDS)


def _form_claim(case: str, *, drop: tuple[str, ...] = ()) -> dict:
    """The dev case's claim as the form builds it: the fields in `drop` left out."""
    claim, _ = dev_case(case)
    obj = json.loads(claim)
    for path in drop:
        head, _, tail = path.partition(".")
        if tail:
            obj[head].pop(tail, None)
        else:
            obj.pop(head, None)
    return obj


def _post(client, case: str, claim: dict, stated: list[str] | None, key: str = REVIEWER):
    _, files = dev_case(case)
    parts = multipart(json.dumps(claim), files)
    if stated is not None:
        parts.insert(1, ("stated", (None, json.dumps(stated))))
    r = client.post("/v1/checks", headers=auth(key), files=parts)
    assert r.status_code == 201, r.text
    return r.json(), {c["id"]: c for c in r.json()["checks"]}


def test_form_without_flags_is_not_approvable(client):
    claim = _form_claim("dev-002", drop=("customer.flags",))
    report, checks = _post(client, "dev-002", claim, [f for f in ALL_STATED if f != "customer.flags"])
    assert checks["customer_eligibility"]["status"] == "warn"
    assert checks["customer_eligibility"]["message"].startswith("not checked: give the customer's flags")
    assert report["verdict"] == "needs_more_poe"


def test_form_without_segment_is_not_approvable(client):
    claim = _form_claim("dev-002", drop=("customer.segment",))
    report, checks = _post(client, "dev-002", claim, [f for f in ALL_STATED if f != "customer.segment"])
    assert checks["public_sector_disclosure"]["status"] == "warn"
    assert "not checked: give the customer's segment" in checks["public_sector_disclosure"]["message"]
    assert report["verdict"] != "approvable"


def test_form_with_every_field_is_judged_as_the_json(client):
    claim = _form_claim("dev-002")
    report, checks = _post(client, "dev-002", claim, ALL_STATED)
    assert report["verdict"] == "approvable"
    assert not any(c["message"].startswith("not checked") for c in checks.values())


def test_api_claim_without_optional_fields_keeps_the_defaults(client):
    claim = _form_claim("dev-002", drop=("customer.flags", "customer.segment", "customer.country"))
    report, checks = _post(client, "dev-002", claim, None)
    assert report["verdict"] == "approvable"
    assert not any(c["message"].startswith("not checked") for c in checks.values())


def test_gcc_high_replayed_through_the_form_is_not_approvable(client):
    """dev-037 (GCC High, rejectable) turned approvable when replayed with only the old form's fields."""
    old_form = ("partner.aliases", "customer.aliases", "customer.flags", "partner.mci_enrolled",
                "partner.security_designation", "association_month", "customer.segment")
    claim = _form_claim("dev-037", drop=old_form)
    report, _ = _post(client, "dev-037", claim, [f for f in ALL_STATED if f not in old_form], key=PARTNER_A)
    assert report["verdict"] != "approvable"
    report, _ = _post(client, "dev-037", _form_claim("dev-037"), ALL_STATED, key=PARTNER_A)
    assert report["verdict"] == "rejectable"


@pytest.mark.parametrize("stated", [pytest.param("not json", id="not-json"),
                                    pytest.param('{"a": 1}', id="not-a-list"),
                                    pytest.param('["customer.shoe_size"]', id="unknown-field")])
def test_bad_stated_field_is_invalid_claim(client, stated):
    claim, files = dev_case("dev-002")
    parts = multipart(claim, files)
    parts.insert(1, ("stated", (None, stated)))
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=parts)
    assert r.status_code == 422 and r.json()["code"] == "invalid_claim"


def test_self_check_page_has_every_field_a_check_reads(client):
    page = client.get("/self-check", headers=auth(PARTNER_A)).text
    for name in ("partner_aliases", "partner_domains", "mci_enrolled", "security_designation", "customer_aliases",
                 "customer_domains", "tenant_id", "country", "segment", "association_month", "claim_file"):
        assert f'name="{name}"' in page, name
    for flag in ("gcc_high", "dod", "charity", "test", "trial", "quick_start", "21vianet"):
        assert f'name="flags" value="{flag}"' in page, flag
    assert 'name="flags_none"' in page
