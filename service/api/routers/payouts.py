"""/v1/payouts: the payout ledger of a claim with usage (POE_RULES.md §5)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from models import PayoutLedger
from service.api.deps import Caller
from service.api.schemas import ErrorOut
from service.api.uploads import MAX_FIELD_BYTES
from service.claims import parse_claim
from service.errors import InvalidUsage, UnsupportedMediaType, UploadTooLarge
from service.payout import compute_payout

router = APIRouter(prefix="/v1/payouts", tags=["payouts"])

_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Claim"}}}}}


@router.post("", response_model=PayoutLedger, openapi_extra=_BODY, summary="Compute a payout ledger",
             responses={s: {"model": ErrorOut} for s in (401, 408, 413, 415, 422)})
async def create_payout(request: Request, _: Caller) -> PayoutLedger:
    """The ledger per workload and month for a claim JSON with `usage`."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise UnsupportedMediaType("Send the claim as application/json.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FIELD_BYTES:
            raise UploadTooLarge("The claim is larger than 1 MB.")
    claim = await run_in_threadpool(parse_claim, bytes(body))  # off the event loop: /healthz stays quick
    if not claim.usage:
        raise InvalidUsage("The claim has no usage: add 'usage' with monthly mau/pau per workload.")
    return await run_in_threadpool(compute_payout, claim)
