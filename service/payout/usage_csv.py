"""Streamed usage CSV (`tenant_id,workload,month,mau,pau`, one row per month) → payouts per tenant.

The rows of one tenant must be contiguous (any order inside the tenant), which is what a usage
export sorted by tenant gives; memory then holds one tenant's rows and the set of tenant ids seen.
Row numbers in errors count the header as row 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
from pathlib import Path
from typing import TextIO

from models.claim import WORKLOAD_IDS, Claim, check_month
from service.errors import FileMissing, InvalidUsage
from service.payout.engine import Point, Window, run_series
from service.payout.ledger import dollars, eligibility_reasons, make_window
from service.payout.rules import PayoutRules, load_payout_rules, month_index

COLUMNS = ("tenant_id", "workload", "month", "mau", "pau")

#: One tenant's usage: workload id → points sorted by month.
TenantSeries = dict[str, list[Point]]


@dataclass(frozen=True, slots=True)
class WorkloadTotals:
    """Totals of one tenant+workload (no month rows: those come from compute_payout for a claim)."""

    workload: str
    months: int
    units: int
    dollars: float
    held_dollars: float


@dataclass(frozen=True, slots=True)
class TenantPayout:
    """Streamed result for one tenant of a usage CSV."""

    tenant_id: str
    claim_id: str | None
    workloads: dict[str, WorkloadTotals]
    total_units: int
    total_dollars: float
    total_held_dollars: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A JSON-ready dict (one JSON line of `poecheck payout --all --json`)."""
        return {
            "tenant_id": self.tenant_id,
            "claim_id": self.claim_id,
            "workloads": {
                w: {
                    "months": t.months,
                    "units": t.units,
                    "dollars": t.dollars,
                    "held_dollars": t.held_dollars,
                }
                for w, t in self.workloads.items()
            },
            "total_units": self.total_units,
            "total_dollars": self.total_dollars,
            "total_held_dollars": self.total_held_dollars,
            "reasons": self.reasons,
        }


def _bad(path: Path, row: int, message: str) -> InvalidUsage:
    return InvalidUsage(f"{path.name} row {row}: {message}")


def _month(path: Path, row: int, value: str) -> int:
    if not value.strip():
        raise _bad(path, row, "month missing")
    try:
        return month_index(check_month(value.strip()))
    except ValueError:
        raise _bad(path, row, f"month {value!r} is not YYYY-MM") from None


def _count(path: Path, row: int, name: str, value: str) -> int:
    if not value.strip():
        raise _bad(path, row, f"{name} missing")
    try:
        return int(value)
    except ValueError:
        raise _bad(path, row, f"{name} {value!r} is not a whole number") from None


def _finish(path: Path, tenant: str, series: TenantSeries) -> TenantSeries:
    """Sort each workload's points by month and reject a month given twice."""
    for workload, points in series.items():
        points.sort()
        if len({p[0] for p in points}) != len(points):
            for a, b in pairwise(points):
                if a[0] == b[0]:
                    first, second = sorted((a[3], b[3]))
                    raise _bad(
                        path,
                        second,
                        f"duplicate month {b[0] // 12:04d}-{b[0] % 12 + 1:02d} for "
                        f"tenant {tenant} workload {workload} (first at row {first})",
                    )
    return series


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[list[str]]:
    """Reorder columns to COLUMNS when the header has them in another order or has extra ones."""
    idx = [header.index(c) for c in COLUMNS]
    width = len(header)
    for row in reader:
        yield [row[i] for i in idx] if len(row) == width else row


def _blocks(fh: TextIO, size: int = 1 << 20) -> Iterator[Iterator[list[str]]]:
    """Split ~1 MB blocks of whole lines into fields; a block with a quote goes through the csv module.

    A plain block is split on commas directly (twice as fast as csv); the line ending stays on the
    last field, which every consumer strips or int() ignores. One block's fields are in memory at once.
    """
    while True:
        block = fh.read(size)
        if not block:
            return
        if not block.endswith("\n"):
            block += fh.readline()
        if '"' in block:
            yield csv.reader(io.StringIO(block, newline=""))
        else:
            yield map(
                str.split, block.split("\n")[:-1] if block.endswith("\n") else block.split("\n"), repeat(",")
            )


def read_usage_csv(path: Path, *, tenant_id: str | None = None) -> Iterator[tuple[str, TenantSeries]]:
    """Yield (tenant id, usage) per tenant as the CSV streams; every row is validated.

    With `tenant_id`, only that tenant is yielded (the whole file is still read and checked).
    Bad rows raise InvalidUsage naming the row.
    """
    path = Path(path)
    want = tenant_id.lower() if tenant_id else None
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise FileMissing(f"usage CSV not found: {path}") from exc
    except OSError as exc:
        raise InvalidUsage(f"cannot read usage CSV {path}: {exc}") from exc
    with fh:
        try:
            first = fh.readline()
            header = [h.strip().lower() for h in next(csv.reader([first]), [])]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _bad(path, 1, f"unreadable: {exc}") from None
        if not any(header):
            raise _bad(path, 1, f"no header; expected {','.join(COLUMNS)}")
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise _bad(path, 1, f"header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}")
        rows: Iterator[list[str]] = chain.from_iterable(_blocks(fh))
        if tuple(header) != COLUMNS:
            rows = _rows(rows, header)
        yield from _stream(path, rows, len(header), want)


def _stream(
    path: Path, rows: Iterator[list[str]], width: int, want: str | None
) -> Iterator[tuple[str, TenantSeries]]:
    """The hot loop: validate each row and group one tenant's points (lookups cached on the raw text)."""
    seen: set[str] = set()
    months: dict[str, int] = {}
    lists: dict[str, list[Point]] = {}  # raw workload text → the list of the current tenant
    series: TenantSeries = {}
    raw_tenant = raw_workload = tenant = None
    append = None
    n = 1
    try:
        for row in rows:
            n += 1
            try:
                t, w, m, a, p = row
            except ValueError:
                if not "".join(row).strip():
                    continue
                raise _bad(path, n, f"expected {width} fields, got {len(row)}") from None
            if t != raw_tenant:
                tid = t.strip().lower()
                if not tid:
                    raise _bad(path, n, "tenant_id missing")
                if tid != tenant:
                    if tid in seen:
                        raise _bad(
                            path, n, f"rows of tenant {tid} are not contiguous; sort the CSV by tenant_id"
                        )
                    if series and (want is None or tenant == want):
                        yield tenant, _finish(path, tenant, series)
                    seen.add(tid)
                    tenant, series, lists, raw_workload = tid, {}, {}, None
                raw_tenant = t
            if w != raw_workload:
                points = lists.get(w)
                if points is None:
                    wid = w.strip().upper()
                    if wid not in WORKLOAD_IDS:
                        raise _bad(path, n, f"unknown workload {w!r}; valid ids: {', '.join(WORKLOAD_IDS)}")
                    points = lists[w] = series.setdefault(wid, [])
                append, raw_workload = points.append, w
            try:
                mi = months[m]
            except KeyError:
                mi = months[m] = _month(path, n, m)
            try:
                mau = int(a)
                pau = int(p)
            except ValueError:
                mau, pau = _count(path, n, "MAU", a), _count(path, n, "PAU", p)
            if mau < 0 or pau < 0:
                raise _bad(path, n, f"MAU {mau} is negative" if mau < 0 else f"PAU {pau} is negative")
            append((mi, mau, pau, n))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _bad(path, n, f"unreadable: {exc}") from None
    if series and (want is None or tenant == want):
        yield tenant, _finish(path, tenant, series)


def payout_csv(
    path: Path,
    *,
    claims: Mapping[str, Claim] | None = None,
    rules: PayoutRules | None = None,
    tenant_id: str | None = None,
) -> Iterator[TenantPayout]:
    """Stream payout totals per tenant of a usage CSV.

    A tenant with a claim in `claims` (keyed by tenant id) gets the claim's workloads, association
    month and eligibility; any other tenant every workload in the CSV, association at the term start,
    and is taken as eligible.
    """
    rules = rules or load_payout_rules()
    claims = {k.lower(): v for k, v in (claims or {}).items()}
    windows: dict[tuple[str, str | None, bool], Window] = {}
    for tenant, series in read_usage_csv(path, tenant_id=tenant_id):
        claim = claims.get(tenant)
        reasons = eligibility_reasons(claim, rules) if claim else []
        assoc = claim.association_month if claim else None
        wanted = claim.workloads if claim else [w for w in WORKLOAD_IDS if w in series]
        totals: dict[str, WorkloadTotals] = {}
        paid = held = 0
        for wid in wanted:
            points = series.get(wid, [])
            key = (wid, assoc, not reasons)
            window = windows.get(key)
            if window is None:
                window = windows[key] = make_window(wid, association=assoc, rules=rules, eligible=not reasons)
            t = run_series(points, window)
            totals[wid] = WorkloadTotals(
                wid, len(points), t.units, dollars(t.paid_cents), dollars(t.held_cents)
            )
            paid += t.paid_cents
            held += t.held_cents
        yield TenantPayout(
            tenant_id=tenant,
            claim_id=claim.claim_id if claim else None,
            workloads=totals,
            total_units=sum(t.units for t in totals.values()),
            total_dollars=dollars(paid),
            total_held_dollars=dollars(held),
            reasons=reasons,
        )


def claim_series(path: Path, claim: Claim) -> TenantSeries:
    """The usage of a claim's tenant from a usage CSV (empty when the CSV has no row for it)."""
    if not claim.customer.tenant_id:
        raise InvalidUsage(
            "the claim has no customer.tenant_id, so its rows cannot be picked from the usage CSV"
        )
    found: TenantSeries = {}
    for _, series in read_usage_csv(path, tenant_id=claim.customer.tenant_id):
        found = series
    return found
