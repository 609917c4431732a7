"""POE fingerprints for template-reuse detection: masked word shingles and their MinHash signatures (pure).

Each document of a claim gets one fingerprint: its text is masked (the claim's partner and customer names,
aliases, domains and tenant id, e-mail addresses, URLs, GUIDs, dates and numbers), known template lines
(checks/rules/boilerplate.yaml) are dropped, the rest becomes lower-case word shingles, and the shingle
set is summarised by a MinHash. Two POE are near-duplicates when the estimated Jaccard similarity of
their shingle sets reaches THRESHOLD; service.reuse indexes the fingerprints to find the candidates.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

from checks.datefind import MONTH_PATTERN
from checks.rulebook import RULES_DIR, RuleFileError, load_yaml
from checks.textutil import strip_legal_suffix
from models import Claim, Document

#: Words per shingle. 5 keeps sentences of a shared template apart from a copied letter (see README).
SHINGLE_WORDS = 5
#: Estimated Jaccard similarity from which two POE count as near-duplicates.
THRESHOLD = 0.5
NUM_PERM = 128
SEED = 1
MINHASH_SCHEME = "affine32"
#: Stored with every fingerprint; fingerprints of another scheme are never compared.
SCHEME = f"mh{NUM_PERM}-{MINHASH_SCHEME}-s{SEED}-w{SHINGLE_WORDS}-v2"
#: A document with fewer distinct shingles than this is too short to call a copy.
MIN_SHINGLES = 20

PARTY = "xparty"
_NUM = "0"
_MONTHS = MONTH_PATTERN
_MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), " xemail "),
    (re.compile(r"\b(?:https?://|www\.)\S+"), " xurl "),
    (re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b"), " xguid "),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s*,?\s+\d{{2,4}}\b"), f" {_NUM} "),
    (re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s+\d{{2,4}}\b"), f" {_NUM} "),
    (re.compile(rf"\b{_MONTHS}\s+\d{{4}}\b"), f" {_NUM} "),
    (re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b"), f" {_NUM} "),
)
_WORD = re.compile(r"[a-z0-9]+(?:['&][a-z0-9]+)*")


@dataclass(frozen=True)
class Fingerprint:
    """The MinHash of one document of one claim, as the index and the store keep it."""

    claim_id: str
    partner: str
    file: str
    hashvalues: np.ndarray
    partner_id: str | None = None
    created_at: datetime | None = None

    def to_bytes(self) -> bytes:
        """Signature as little-endian uint32 (what the store keeps)."""
        return np.asarray(self.hashvalues, dtype="<u4").tobytes()

    @staticmethod
    def values_from_bytes(data: bytes) -> np.ndarray:
        return np.frombuffer(data, dtype="<u4").astype(np.uint64)


def _party_names(claim: Claim) -> list[str]:
    names: list[str] = []
    for who in (claim.partner, claim.customer):
        for name in (who.name, *who.aliases, *who.domains):
            low = _fold(name).strip()
            if low:
                names.append(low)
                short = strip_legal_suffix(low)
                if short and short != low:
                    names.append(short)
    return sorted(set(names), key=len, reverse=True)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=256)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    if not names:
        return None
    alts = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


def mask_tokens(text: str, names: Sequence[str] = ()) -> list[str]:
    """Lower-case word tokens of `text` with names, addresses, ids, dates and numbers masked."""
    low = _fold(text)
    for pattern, repl in _MASKS[:2]:
        low = pattern.sub(repl, low)
    pat = _names_pattern(tuple(names))
    if pat is not None:
        low = pat.sub(f" {PARTY} ", low)
    for pattern, repl in _MASKS[2:]:
        low = pattern.sub(repl, low)
    tokens: list[str] = []
    for tok in _WORD.findall(low):
        if any(ch.isdigit() for ch in tok):
            tok = _NUM
        if tok == _NUM and tokens and tokens[-1] == _NUM:
            continue
        tokens.append(tok)
    return tokens


def _shingles(tokens: Sequence[str], k: int = SHINGLE_WORDS) -> set[str]:
    return {" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)}


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[frozenset[str], frozenset[str]]:
    """(masked heading lines, shingles of standard phrases) from checks/rules/boilerplate.yaml."""
    data = load_yaml("boilerplate.yaml")
    try:
        headings = [str(h) for h in data.get("headings", [])]
        phrases = [str(p) for p in data.get("phrases", [])]
    except TypeError as exc:
        raise RuleFileError(f"{RULES_DIR / 'boilerplate.yaml'}: {exc}") from exc

    def masked(line: str) -> list[str]:
        return mask_tokens(line.replace("{party}", PARTY))

    lines = frozenset(" ".join(masked(h)) for h in headings)
    shingles: set[str] = set()
    for phrase in phrases:
        shingles |= _shingles(masked(phrase))
    return lines, frozenset(shingles)


def document_shingles(text: str, names: Sequence[str] = ()) -> set[str]:
    """Shingles of one document's text after masking and dropping template headings and phrases."""
    headings, phrase_shingles = _boilerplate()
    tokens: list[str] = []
    for line in text.splitlines():
        toks = mask_tokens(line, names)
        if toks and " ".join(toks) not in headings:
            tokens.extend(toks)
    return _shingles(tokens) - phrase_shingles


def minhash(shingles: Iterable[str]) -> LeanMinHash:
    """MinHash of a shingle set with the index's fixed parameters."""
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=MINHASH_SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return LeanMinHash(m)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.asarray(a) == np.asarray(b)))


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (for measurements and tests)."""
    return len(a & b) / len(a | b) if a or b else 0.0


def fingerprints(claim: Claim, docs: Sequence[Document], *, claim_id: str, partner: str | None = None,
                 ) -> list[Fingerprint]:
    """One fingerprint per document long enough to compare (masked with the claim's own names)."""
    names = _party_names(claim)
    out = []
    for doc in docs:
        sh = document_shingles(doc.text, names)
        if len(sh) >= MIN_SHINGLES:
            out.append(Fingerprint(claim_id=claim_id, partner=partner or claim.partner.name, file=doc.filename,
                                   hashvalues=minhash(sh).hashvalues, partner_id=claim.partner.partner_id))
    return out


def partner_key(name: str) -> str:
    """A partner name compared without case, spacing or legal suffix (a partner never copies itself)."""
    return strip_legal_suffix(" ".join(_fold(name).split()))
