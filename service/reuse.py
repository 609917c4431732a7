"""Template-reuse detection: an LSH index of earlier POE fingerprints (service.fingerprinting), loaded from and
saved to the store.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from datasketch import LeanMinHash, MinHashLSH

from checks.base import ReuseMatch
from models import Claim, Document
from service.fingerprinting import (
    MINHASH_SCHEME,
    NUM_PERM,
    SEED,
    THRESHOLD,
    Fingerprint,
    fingerprints,
    partner_key,
    similarity,
)
from service.store.fingerprints import load_fingerprints, save_fingerprints


class ReuseIndex:
    """In-memory LSH index of earlier POE fingerprints (implements pipeline.ReuseIndex).

    `query` returns the earlier claims of *other* partners that one of this claim's documents nearly
    duplicates; `add` puts a claim's documents in the index. Bound to a store (`from_store`), `add`
    also saves the fingerprints and `query` first picks up rows other processes saved.
    """

    def __init__(self, *, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._entries: dict[int, Fingerprint] = {}
        self._settings = None
        self._last_row = 0

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def from_store(cls, settings, *, exclude: Iterable[tuple[str, str]] = (), bind: bool = True,
                   threshold: float = THRESHOLD) -> ReuseIndex:
        """Index of every stored fingerprint except those of `exclude` ((source, claim_id) pairs)."""
        index = cls(threshold=threshold)
        if bind:
            index._settings = settings
        index._load(settings, exclude=set(exclude))
        return index

    def _load(self, settings, *, exclude: set[tuple[str, str]] = frozenset()) -> None:
        for row_id, source, fp in load_fingerprints(settings, after_id=self._last_row):
            self._last_row = max(self._last_row, row_id)
            if (source, fp.claim_id) not in exclude:
                self.add_fingerprints([fp])

    def query(self, claim: Claim, docs: Sequence[Document]) -> list[ReuseMatch]:
        """Earlier claims of other partners that a document of this claim nearly duplicates."""
        if self._settings is not None:
            self._load(self._settings)
        return self.query_fingerprints(fingerprints(claim, docs, claim_id=claim.claim_id or ""),
                                       partner=claim.partner.name, partner_id=claim.partner.partner_id)

    def query_fingerprints(self, fps: Sequence[Fingerprint], *, partner: str,
                           partner_id: str | None = None) -> list[ReuseMatch]:
        """Best match per other claim, most similar first."""
        mine = partner_key(partner)
        best: dict[str, ReuseMatch] = {}
        for fp in fps:
            sig = LeanMinHash(seed=SEED, hashvalues=fp.hashvalues, scheme=MINHASH_SCHEME)
            for key in self._lsh.query(sig):
                other = self._entries[key]
                if partner_key(other.partner) == mine or (partner_id and other.partner_id == partner_id):
                    continue
                sim = similarity(fp.hashvalues, other.hashvalues)
                if sim >= self.threshold and sim > (best[other.claim_id].similarity if other.claim_id in best
                                                    else -1.0):
                    best[other.claim_id] = ReuseMatch(claim_id=other.claim_id, partner=other.partner,
                                                      similarity=round(sim, 3), file=fp.file)
        return sorted(best.values(), key=lambda m: (-m.similarity, m.claim_id))

    def add(self, claim: Claim, docs: Sequence[Document], *, claim_id: str, partner: str | None = None,
            ) -> list[Fingerprint]:
        """Index this claim's documents (and save them when bound to a store); returns the fingerprints."""
        fps = fingerprints(claim, docs, claim_id=claim_id, partner=partner)
        if self._settings is not None:
            save_fingerprints(self._settings, fps, source="service")
            self._load(self._settings)
        else:
            self.add_fingerprints(fps)
        return fps

    def add_fingerprints(self, fps: Iterable[Fingerprint]) -> None:
        """Index fingerprints computed elsewhere (a worker, the store)."""
        for fp in fps:
            key = len(self._entries)
            self._entries[key] = fp
            self._lsh.insert(key, LeanMinHash(seed=SEED, hashvalues=fp.hashvalues, scheme=MINHASH_SCHEME),
                             check_duplication=False)
