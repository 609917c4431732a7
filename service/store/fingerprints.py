"""Stored POE fingerprints (MinHash signatures) that template-reuse detection compares new POE with."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from checks.scoring import rules_version
from service.fingerprinting import SCHEME, Fingerprint
from service.store.db import Base
from service.store.sessions import session_factory


class FingerprintRow(Base):
    __tablename__ = "fingerprints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20), index=True, doc="'service' or 'batch'.")
    claim_id: Mapped[str] = mapped_column(String(200), index=True)
    partner: Mapped[str] = mapped_column(String(300))
    partner_id: Mapped[str | None] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(500))
    scheme: Mapped[str] = mapped_column(String(64), doc="service.fingerprinting.SCHEME of the signature.")
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    rules_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)


def fingerprint_rows(fps: Iterable[Fingerprint], *, source: str) -> list[FingerprintRow]:
    """Rows for service.fingerprinting.Fingerprint objects (added by the caller in its own transaction)."""
    created = datetime.now(UTC).replace(tzinfo=None)
    return [FingerprintRow(source=source, claim_id=fp.claim_id, partner=fp.partner, partner_id=fp.partner_id,
                           file=fp.file, scheme=SCHEME, signature=fp.to_bytes(), rules_version=rules_version(),
                           created_at=created) for fp in fps]


def replace_fingerprints(session: Session, claim_id: str, fps: Sequence, *, source: str) -> None:
    """Within the caller's transaction: the claim's fingerprints of `source` become `fps`."""
    session.execute(delete(FingerprintRow).where(FingerprintRow.source == source,
                                                 FingerprintRow.claim_id == claim_id))
    session.add_all(fingerprint_rows(fps, source=source))


def save_fingerprints(settings, fps: Sequence, *, source: str) -> None:
    """Append fingerprints in one transaction."""
    with session_factory(settings).begin() as session:
        session.add_all(fingerprint_rows(fps, source=source))


def load_fingerprints(settings, *, after_id: int = 0) -> Iterator[tuple[int, str, Fingerprint]]:
    """(row id, source, Fingerprint) of the current scheme, oldest first."""
    stmt = select(FingerprintRow).where(FingerprintRow.scheme == SCHEME, FingerprintRow.id > after_id)
    with session_factory(settings)() as session:
        for row in session.scalars(stmt.order_by(FingerprintRow.id)).yield_per(2000):
            yield row.id, row.source, Fingerprint(
                claim_id=row.claim_id, partner=row.partner, file=row.file,
                hashvalues=Fingerprint.values_from_bytes(row.signature), partner_id=row.partner_id,
                created_at=row.created_at)
