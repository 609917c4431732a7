"""PDF digital signatures, validated offline with pyHanko at the time each one was (claims to be) signed.

Policy: a signature is valid when its signed bytes are intact, it covers its whole revision, later
incremental updates are only of the kinds DocMDP allows, and its certificate chains to a configured
trust root, was within its validity period at signing time, allows document signing and uses no weak
key or disallowed algorithm. Nothing is fetched: revocation is checked only against revocation info
embedded in the PDF (DSS or the signature's Adobe revocation attribute), otherwise "not performed".
"""
from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko.pdf_utils.crypt import AuthStatus, StandardSecurityHandler
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import find_unique_cms_attribute
from pyhanko.sign.validation import generic_cms
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import InvalidCertificateError

from models.document import Signature
from service.trust import TrustStore, load_trust_roots

log = logging.getLogger(__name__)

# pyHanko logs every untrusted or expired certificate as a warning with a traceback and the signer's
# name and e-mail; the outcome is already reported in the Signature, so only its errors are kept.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# The signer's certificate must allow document signing: either bit is accepted (RFC 5280 / PAdES practice).
SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})

NOT_PERFORMED = "not performed"
#: The only thing against an intact signature when no trust roots are configured.
NO_TRUST_ROOTS = "no trust roots are configured, so the signer's certificate cannot be verified"
EMBEDDED_REVINFO = "embedded revocation info only (offline)"

_CRYPTO_FAILURES = (
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
)
_REVOKED = (AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE)

_T = TypeVar("_T")


def validate_signatures(data: bytes, *, file: str, trust_roots: Path | None) -> list[Signature]:
    """Every filled signature field of a PDF, validated offline against the certificates in `trust_roots`.

    Returns [] for an unsigned or unreadable PDF. A signature that cannot be validated comes back with
    intact and trusted False and the reason in `summary` and `reason`. Raises TrustRootsError only when
    the trust roots folder is misconfigured.
    """
    store = load_trust_roots(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
    except Exception:  # noqa: BLE001 - any parser failure means "unreadable"; ingestion reports it
        log.debug("PDF not readable for signature validation: %s", file)
        return []
    if reader.encrypted and not _decrypt(reader):
        return _encrypted_signatures(reader, file=file)
    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:  # noqa: BLE001 - a broken form tree: treated as unreadable
        log.debug("Signature fields not readable: %s", file)
        return []
    if not fields:
        return []
    return _run(_validate_all(reader, fields, store=store, file=file))


async def _validate_all(
    reader: PdfFileReader, fields: list[tuple[str, Any, Any]], *, store: TrustStore, file: str
) -> list[Signature]:
    """Signatures in the order they were applied; unreadable ones last."""
    dss = _dss_material(reader)
    by_revision: list[tuple[int, Signature]] = []
    unreadable: list[Signature] = []
    for name, sig_obj, field in fields:
        try:
            emb = EmbeddedPdfSignature(reader, field, name)
        except Exception as e:  # noqa: BLE001 - malformed signature dictionary or CMS blob
            unreadable.append(_unreadable(name, sig_obj, e, file=file))
            continue
        try:
            sig = await _validate_one(emb, store=store, file=file, dss=dss)
        except Exception as e:  # noqa: BLE001 - pyHanko refuses the signature (structure, SubFilter...)
            sig = _failed(name, f"cannot be validated: {_message(e)}", file=file)
        by_revision.append((emb.signed_revision, sig))
    by_revision.sort(key=lambda item: item[0])
    return [sig for _, sig in by_revision] + unreadable


async def _validate_one(
    emb: EmbeddedPdfSignature, *, store: TrustStore, file: str, dss: tuple[list, list, list]
) -> Signature:
    is_timestamp = emb.sig_object_type == "/DocTimeStamp"
    moment = _claimed_time(emb, is_timestamp=is_timestamp)
    dss_certs, dss_crls, dss_ocsps = dss
    sig_crls, sig_ocsps = ([], []) if is_timestamp else _cms_revinfo(emb)
    crls, ocsps = dss_crls + sig_crls, dss_ocsps + sig_ocsps
    context = ValidationContext(
        trust_roots=list(store.anchors),
        other_certs=list(store.intermediates) + dss_certs,
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
        crls=crls,
        ocsps=ocsps,
    )
    status: PdfSignatureStatus | DocumentTimestampStatus
    if is_timestamp:
        status = await async_validate_pdf_timestamp(emb, context)
        status = dataclasses.replace(status, docmdp_ok=emb.summarise_integrity_info()["docmdp_ok"])
    else:
        status = await async_validate_pdf_signature(emb, context, key_usage_settings=SIGNER_KEY_USAGE)
    return _to_signature(
        emb,
        status,
        store=store,
        moment=moment,
        file=file,
        revocation=EMBEDDED_REVINFO if crls or ocsps else NOT_PERFORMED,
    )


def _to_signature(
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus | DocumentTimestampStatus,
    *,
    store: TrustStore,
    moment: datetime,
    file: str,
    revocation: str,
) -> Signature:
    cert = status.signing_cert
    reasons = _integrity_problems(status) + _trust_problems(status, store=store, moment=moment)
    trusted = status.trusted
    if isinstance(status, DocumentTimestampStatus):
        signing_time: datetime | None = status.timestamp
        ts_trusted = status.trusted
    else:
        ts = status.timestamp_validity
        ts_trusted = ts is not None and ts.trusted
        if ts is not None and not (ts.intact and ts.valid):
            reasons.append("the signature's timestamp token is broken")
            trusted = False
        if not status.seed_value_ok:
            reasons.append("the signature breaks its field's seed value constraints")
            trusted = False
        signing_time = ts.timestamp if ts is not None and ts_trusted else status.signer_reported_dt
        signing_time = signing_time or (ts.timestamp if ts is not None else None)
    name, email, org = _subject(cert)
    return Signature(
        field=emb.field_name,
        file=file,
        signer_name=name,
        signer_email=email,
        signer_org=org,
        signing_time=signing_time,
        timestamp_trusted=ts_trusted,
        intact=status.intact and status.valid,
        trusted=trusted,
        no_trust_roots=not trusted and reasons == [NO_TRUST_ROOTS],
        coverage=status.coverage.name if status.coverage is not None else None,
        modified_after=not _unmodified(status),
        summary=status.summary(),
        kind="doc_timestamp" if isinstance(status, DocumentTimestampStatus) else "signature",
        reason="; ".join(reasons) or None,
        expired=not _within_validity(cert, moment),
        modification=status.modification_level.name if status.modification_level is not None else None,
        revocation=revocation,
    )


def _unmodified(status: PdfSignatureStatus | DocumentTimestampStatus) -> bool:
    """Covers its whole revision, and later revisions only make changes that DocMDP allows."""
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return bool(status.docmdp_ok)


def _integrity_problems(status: PdfSignatureStatus | DocumentTimestampStatus) -> list[str]:
    problems = []
    if not status.intact:
        problems.append("the signed bytes were changed after signing (digest mismatch)")
    elif not status.valid:
        problems.append("the cryptographic signature does not verify")
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        level = status.coverage.name if status.coverage is not None else "unknown"
        problems.append(f"non-standard /ByteRange coverage ({level}): part of the file is not signed")
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and not status.docmdp_ok:
        level = status.modification_level.name if status.modification_level is not None else "unknown"
        problems.append(f"the document was changed after signing beyond what DocMDP allows ({level})")
    return problems


def _trust_problems(
    status: PdfSignatureStatus | DocumentTimestampStatus, *, store: TrustStore, moment: datetime
) -> list[str]:
    if status.trusted or not (status.intact and status.valid):
        return []  # trusted, or broken: then the integrity problem is the reason
    cert = status.signing_cert
    indic = status.trust_problem_indic
    when = moment.strftime("%Y-%m-%d %H:%M %Z").strip()
    if not _within_validity(cert, moment):
        validity = cert["tbs_certificate"]["validity"]
        start, end = validity["not_before"].native, validity["not_after"].native
        period = f"valid {start:%Y-%m-%d} to {end:%Y-%m-%d}"
        return [f"the certificate was not valid at signing time {when} ({period})"]
    if indic in _CRYPTO_FAILURES:
        return [
            (
                f"disallowed algorithm or weak key: {status.pkcs7_signature_mechanism} with "
                f"{status.md_algorithm}, {_key_description(cert)}"
            )
        ]
    if indic in _REVOKED:
        details = status.revocation_details
        on = f" on {details.revocation_date:%Y-%m-%d}" if details is not None else ""
        return [f"a certificate in the chain was revoked{on} (embedded revocation info)"]
    if indic == AdESIndeterminate.TRY_LATER:
        return ["the embedded revocation info is not fresh enough for the signing time"]
    unchained = indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND or (
        cert.self_signed in ("yes", "maybe") and cert.sha256 not in {a.sha256 for a in store.anchors})
    if unchained and not store.anchors:
        return [NO_TRUST_ROOTS]
    if cert.self_signed in ("yes", "maybe") and cert.sha256 not in {a.sha256 for a in store.anchors}:
        return ["self-signed certificate that is not a configured trust root"]
    if indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return ["the certificate does not chain to a configured trust root"]
    if indic == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE and isinstance(status, PdfSignatureStatus):
        try:
            SIGNER_KEY_USAGE.validate(cert)
        except InvalidCertificateError:
            return ["the certificate's key usage does not allow document signing"]
    label = indic.name if indic is not None else "no trusted path"
    return [f"the certificate is not trusted ({label})"]


def _key_description(cert: x509.Certificate) -> str:
    key = cert.public_key
    try:
        return f"{key.algorithm.upper()} {key.bit_size}-bit key"
    except Exception:  # noqa: BLE001 - asn1crypto cannot size some keys (e.g. Ed448)
        return f"{key.algorithm.upper()} key"


def _claimed_time(emb: EmbeddedPdfSignature, *, is_timestamp: bool) -> datetime:
    """When the signature says it was made: its timestamp token, else the signer's clock; never the future."""
    now = datetime.now(UTC)
    if is_timestamp:
        token = emb.signed_data
    else:
        token = next(iter(generic_cms.extract_tst_data_iter(emb.signer_info, signed=False)), None)
    claimed = _token_time(token) if token is not None else None
    claimed = claimed or emb.self_reported_timestamp
    if claimed is None or claimed.tzinfo is None:
        return now
    return min(claimed, now)


def _token_time(token: Any) -> datetime | None:
    try:
        return token["encap_content_info"]["content"].parsed["gen_time"].native
    except (KeyError, ValueError, AttributeError):
        return None


def _within_validity(cert: x509.Certificate, moment: datetime) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    return validity["not_before"].native <= moment <= validity["not_after"].native


def _subject(cert: x509.Certificate) -> tuple[str | None, str | None, str | None]:
    subject = cert.subject.native
    email = _first(subject.get("email_address"))
    if email is None and cert.subject_alt_name_value is not None:
        email = next((n.native for n in cert.subject_alt_name_value if n.name == "rfc822_name"), None)
    return _first(subject.get("common_name")), email, _first(subject.get("organization_name"))


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _dss_material(reader: PdfFileReader) -> tuple[list, list, list]:
    """Certificates, CRLs and OCSP responses of the document security store (PAdES-LT/LTA), if any."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        certs = list(dss.load_certs())
        crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
        ocsps = [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
    except Exception:  # noqa: BLE001 - no DSS, or an unreadable one: validate without it
        return [], [], []
    return certs, crls, ocsps


def _cms_revinfo(emb: EmbeddedPdfSignature) -> tuple[list, list]:
    """CRLs and OCSP responses in the signature's Adobe revocation-info attribute, if any."""
    try:
        signed_attrs = emb.signer_info["signed_attrs"]
        archival = find_unique_cms_attribute(signed_attrs, "adobe_revocation_info_archival")
        return list(archival["crl"] or ()), list(archival["ocsp"] or ())
    except Exception:  # noqa: BLE001 - absent or malformed attribute
        return [], []


def _decrypt(reader: PdfFileReader) -> bool:
    """Open a PDF encrypted with an empty user password; public-key encryption cannot be opened."""
    if not isinstance(reader.security_handler, StandardSecurityHandler):
        return False
    try:
        return reader.decrypt("").status != AuthStatus.FAILED
    except Exception:  # noqa: BLE001
        return False


def _encrypted_signatures(reader: PdfFileReader, *, file: str) -> list[Signature]:
    """An encrypted PDF whose form says it is signed gets one failing entry; otherwise nothing."""
    try:
        form = reader.root["/AcroForm"]
        signed = bool(int(form.get("/SigFlags", 0)) & 1) or "/Perms" in reader.root
    except Exception:  # noqa: BLE001
        return []
    if not signed:
        return []
    reason = "the PDF is encrypted and cannot be opened; its signatures cannot be validated"
    return [_failed("(encrypted)", reason, file=file)]


def _unreadable(name: str, sig_obj: Any, error: Exception, *, file: str) -> Signature:
    try:
        contents = bytes(sig_obj.get_object().raw_get("/Contents"))
    except Exception:  # noqa: BLE001
        contents = b""
    if contents and not contents.strip(b"\x00"):
        return _failed(name, "never signed: the /Contents placeholder is empty", file=file)
    return _failed(name, f"cannot be read: {_message(error)}", file=file)


def _failed(name: str, reason: str, *, file: str) -> Signature:
    return Signature(field=name, file=file, intact=False, trusted=False, summary=reason, reason=reason)


def _message(error: Exception) -> str:
    text = getattr(error, "failure_message", None) or str(error) or type(error).__name__
    return text.splitlines()[0][:200]


def _run(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion, also when called from inside an event loop (e.g. an async route)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
