"""Trust roots for PDF signature validation: a folder of PEM/DER certificates, re-read when it changes,
or (opt-in, `POECHECK_TRUST_ROOTS=system`) the operating system's certificate bundle."""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509

from service.errors import TrustRootsError

log = logging.getLogger(__name__)

CERT_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".cert", ".der"})
#: The value of POECHECK_TRUST_ROOTS (or --trust-roots) that selects the system certificate bundle.
SYSTEM = "system"
#: Where the system bundle is looked for, in order (Debian/Ubuntu, Fedora/RHEL); certifi's copy of Mozilla's
#: list when none exists.
SYSTEM_BUNDLES = (Path("/etc/ssl/certs/ca-certificates.crt"), Path("/etc/pki/tls/certs/ca-bundle.crt"))

_Stamp = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class TrustStore:
    """Certificates of a trust folder: self-signed ones are anchors, the others only help build chains."""

    anchors: tuple[x509.Certificate, ...] = ()
    intermediates: tuple[x509.Certificate, ...] = ()
    kind: str = "none"  # "folder" or "system"
    source: str = ""  # the folder or bundle file (for logs, not for unauthenticated answers)

    @property
    def fingerprint(self) -> str:
        """sha256 over the certificates' sha256, anchors and helpers apart: equal stores, equal fingerprints."""
        h = hashlib.sha256()
        for group in (self.anchors, self.intermediates):
            for digest in sorted(c.sha256 for c in group):
                h.update(digest)
            h.update(b"|")
        return h.hexdigest()

    def describe(self) -> str:
        """One line for /readyz (no file paths)."""
        if not self.anchors:
            return ("none configured: an intact digital signature is reported 'warn' (its signer cannot be "
                    "verified); set POECHECK_TRUST_ROOTS")
        where = "the system certificate bundle" if self.kind == "system" else "the trust roots folder"
        return f"{len(self.anchors)} root certificate(s) from {where}"


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
    if str(folder) == SYSTEM:
        return _system_store()
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
    store = _read_store(files, source=str(folder))
    if not store.anchors:
        log.warning("Trust roots folder %s holds no self-signed root certificate", folder)
    with _lock:
        _cache[folder] = (stamp, store)
    return store


def _stamp(files: list[Path]) -> _Stamp:
    stats = ((p.name, p.stat()) for p in files)
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)


def system_bundle() -> Path:
    """The operating system's CA bundle, else certifi's; TrustRootsError when neither exists."""
    for path in SYSTEM_BUNDLES:
        if path.is_file():
            return path
    try:
        import certifi  # certifi only for trust_roots=system
    except ImportError:
        certifi = None
    if certifi is not None and Path(certifi.where()).is_file():
        return Path(certifi.where())
    raise TrustRootsError("POECHECK_TRUST_ROOTS=system, but no system certificate bundle was found "
                          f"({', '.join(map(str, SYSTEM_BUNDLES))}) and certifi is not installed; install "
                          "ca-certificates or give a folder of root certificates.")


def _system_store() -> TrustStore:
    """Every certificate of the system bundle is an anchor: the operating system already trusts them."""
    bundle = system_bundle()
    stamp = _stamp([bundle])
    with _lock:
        cached = _cache.get(bundle)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    certs = {c.sha256: c for c in _read_certificates(bundle)}
    store = TrustStore(anchors=tuple(certs.values()), kind="system", source=str(bundle))
    with _lock:
        _cache[bundle] = (stamp, store)
    return store


def _read_store(files: list[Path], *, source: str) -> TrustStore:
    anchors: dict[bytes, x509.Certificate] = {}
    intermediates: dict[bytes, x509.Certificate] = {}
    for path in files:
        for cert in _read_certificates(path):
            target = anchors if cert.self_signed in ("yes", "maybe") else intermediates
            target.setdefault(cert.sha256, cert)
    return TrustStore(anchors=tuple(anchors.values()), intermediates=tuple(intermediates.values()),
                      kind="folder", source=source)


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
