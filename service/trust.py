"""Trust roots for PDF signature validation: a folder of PEM/DER certificates, re-read when it changes."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509

from service.errors import TrustRootsError

log = logging.getLogger(__name__)

CERT_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".cert", ".der"})

_Stamp = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class TrustStore:
    """Certificates of a trust folder: self-signed ones are anchors, the others only help build chains."""

    anchors: tuple[x509.Certificate, ...] = ()
    intermediates: tuple[x509.Certificate, ...] = ()


NO_TRUST = TrustStore()

_cache: dict[Path, tuple[_Stamp, TrustStore]] = {}
_lock = threading.Lock()


def load_trust_roots(folder: Path | None) -> TrustStore:
    """The certificates in `folder` (None: no trust roots), cached until a file is added, removed or changed.

    Files ending in .pem/.crt/.cer/.cert/.der are read (PEM, PEM bundles or DER); other files are ignored.
    Raises TrustRootsError when the folder is missing or a certificate file cannot be parsed.
    """
    if folder is None:
        return NO_TRUST
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise TrustRootsError(
            f"Trust roots folder {folder} does not exist; set POECHECK_TRUST_ROOTS to a folder of "
            "PEM/DER certificates."
        )
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in CERT_SUFFIXES and p.is_file())
    stamp = _stamp(files)
    with _lock:
        cached = _cache.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    store = _read_store(files)
    if not store.anchors:
        log.warning("Trust roots folder %s holds no self-signed root certificate", folder)
    with _lock:
        _cache[folder] = (stamp, store)
    return store


def _stamp(files: list[Path]) -> _Stamp:
    stats = ((p.name, p.stat()) for p in files)
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)


def _read_store(files: list[Path]) -> TrustStore:
    anchors: dict[bytes, x509.Certificate] = {}
    intermediates: dict[bytes, x509.Certificate] = {}
    for path in files:
        for cert in _read_certificates(path):
            target = anchors if cert.self_signed in ("yes", "maybe") else intermediates
            target.setdefault(cert.sha256, cert)
    return TrustStore(anchors=tuple(anchors.values()), intermediates=tuple(intermediates.values()))


def _read_certificates(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    try:
        if pem.detect(data):
            ders = [der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
        else:
            ders = [data]
        certs = [x509.Certificate.load(der, strict=True) for der in ders]
        _ = [cert.native for cert in certs]  # parse fully now, so a broken file fails here, not in a check
    except (ValueError, TypeError) as e:
        raise TrustRootsError(f"Trust root file {path} is not a PEM or DER certificate: {e}") from e
    if not certs:
        raise TrustRootsError(f"Trust root file {path} holds no certificate.")
    return certs
