"""PDF signature validation on the real signed PDFs of fixtures/ (expected: fixtures/corpus/README.md)."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from models.document import Signature
from service.errors import TrustRootsError
from service.ingest.pdf_signatures import validate_signatures
from service.trust import load_trust_roots

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SIGNED = FIXTURES / "corpus" / "pdf_signed"
CORPUS_TRUST = SIGNED / "trust"
DEV_DOCS = FIXTURES / "poe_dev" / "docs"
DEV_ROOT = FIXTURES / "poe_dev" / "trust" / "dev-root-ca.pem"

# What each outcome must look like: (valid, intact, modified_after, fragment of the reason).
OUTCOMES: dict[str, tuple[bool, bool, bool, str | None]] = {
    "valid": (True, True, False, None),
    "untrusted": (False, True, False, "trust root"),
    "expired": (False, True, False, "not valid at signing time"),
    "tampered": (False, False, False, "changed after signing (digest mismatch)"),
    "illegal_update": (False, True, True, "beyond what DocMDP allows"),
    "coverage": (False, True, True, "non-standard /ByteRange coverage"),
    "weak_crypto": (False, True, False, "disallowed algorithm or weak key"),
    "malformed": (False, False, False, "cannot be validated"),
    "never_signed": (False, False, False, "never signed"),
    "encrypted": (False, False, False, "encrypted"),
}

# One outcome per signature, in the order they were applied
# (fixtures/corpus/README.md, "Signed PDFs: trust roots and expected results").
CORPUS_CASES = [
    pytest.param("pyhanko__sig-with-ski-sid", ["valid"], id="ski-sid"),
    pytest.param("pyhanko__sig-no-signed-attrs", ["valid"], id="no-signed-attrs"),
    pytest.param("pyhanko__pades-with-old-style-signing-cert-attr", ["valid"], id="old-style-signing-cert"),
    pytest.param("pyhanko__pades-lta-dss-indirect-arrs-test", ["valid", "valid"], id="pades-lta"),
    pytest.param("pyhanko__certified-with-indirect-refs-in-dir", ["valid"], id="certified-docmdp"),
    pytest.param("pyhanko__separate-annots-kids-indir", ["valid", "valid"], id="two-sigs-form-filling"),
    pytest.param("pyhanko__minimal-two-fields-signed-twice", ["valid", "valid"], id="selfsigned-anchor"),
    pytest.param("endesive__test-signed-cms-hsm-Google", ["valid"], id="google-hsm"),
    pytest.param("nsp__signed-once", ["untrusted"], id="nsp-once"),
    pytest.param("nsp__signed-twice", ["untrusted", "expired"], id="nsp-twice"),
    pytest.param("qpdf__digitally-signed", ["untrusted"], id="qpdf-selfsigned"),
    pytest.param("pyhanko__minimal-signed-twice-no-sig-type", ["untrusted", "untrusted"], id="ecdsa-no-root"),
    pytest.param("endesive__pdf-acrobat", ["untrusted"], id="actalis-no-root"),
    pytest.param("digitorus__hello_hsm", ["untrusted"], id="aatl-no-root"),
    pytest.param("pdfjs__signed_verified", ["coverage"], id="pdfjs-nonstandard"),
    pytest.param("digitorus__sigmodified", ["tampered"], id="tampered-bytes"),
    pytest.param("pyhanko__form-update-override-appearance-stream-sneaky", ["illegal_update", "expired"],
                 id="sneaky-update"),
    pytest.param("pyhanko__extensions-indirect-not-all-paths", ["illegal_update", "expired"],
                 id="illegal-modification"),
    pytest.param("pyhanko__coverage-tail-uncovered", ["coverage"], id="tail-uncovered"),
    pytest.param("pyhanko__coverage-signature-gap-too-big", ["coverage"], id="gap-too-big"),
    pytest.param("pyhanko__coverage-weird-byterange", ["coverage"], id="weird-byterange"),
    pytest.param("pyhanko__form-update-override-appearance-stream", ["expired", "expired"],
                 id="expired-at-signing"),
    pytest.param("pyhanko__ed448-disallowed-hash", ["weak_crypto"], id="ed448-bad-hash"),
    pytest.param("endesive__pdf-linearized", ["weak_crypto"], id="rsa-1024"),
    pytest.param("pyhanko__pdf-sig-with-econtent", ["malformed"], id="cms-econtent"),
    pytest.param("nsp__with-placeholder", ["never_signed"], id="placeholder"),
    pytest.param("pyhanko__signed-encrypted-pubkey-with-catalog-ref", ["encrypted"], id="pubkey-encrypted"),
]


def validate(path: Path, trust_roots: Path | None) -> list[Signature]:
    return validate_signatures(path.read_bytes(), file=path.name, trust_roots=trust_roots)


def assert_outcome(sig: Signature, outcome: str) -> None:
    valid, intact, modified_after, fragment = OUTCOMES[outcome]
    assert sig.valid is valid, sig
    assert sig.intact is intact, sig
    assert sig.modified_after is modified_after, sig
    if fragment is None:
        assert sig.reason is None
    else:
        assert sig.reason is not None and fragment in sig.reason, sig.reason
        assert sig.summary


def test_corpus_table_covers_every_signed_pdf() -> None:
    listed = {case.values[0] for case in CORPUS_CASES}
    assert listed == {p.stem for p in SIGNED.glob("*.pdf")}


@pytest.mark.parametrize(("stem", "outcomes"), CORPUS_CASES)
def test_corpus_signatures_at_signing_time(stem: str, outcomes: list[str]) -> None:
    sigs = validate(SIGNED / f"{stem}.pdf", CORPUS_TRUST)
    assert len(sigs) == len(outcomes)
    for sig, outcome in zip(sigs, outcomes, strict=True):
        assert sig.file == f"{stem}.pdf"
        assert_outcome(sig, outcome)


def test_expired_signer_is_flagged_expired() -> None:
    sigs = validate(SIGNED / "pyhanko__form-update-override-appearance-stream.pdf", CORPUS_TRUST)
    assert all(s.expired and not s.trusted for s in sigs)
    assert "valid 2020-01-01 to 2022-01-01" in sigs[0].reason


def test_valid_signature_reports_signer_time_and_coverage() -> None:
    (sig,) = validate(SIGNED / "pyhanko__sig-with-ski-sid.pdf", CORPUS_TRUST)
    assert (sig.field, sig.signer_name, sig.signer_email, sig.signer_org) == (
        "Sig1", "Alice", "alice@example.com", "Example Inc",
    )
    assert sig.signing_time == dt.datetime(2021, 5, 23, 23, 36, 10, tzinfo=dt.UTC)
    assert not sig.timestamp_trusted
    assert (sig.coverage, sig.modification) == ("ENTIRE_FILE", "NONE")
    assert sig.summary == "INTACT:TRUSTED,UNTOUCHED"
    assert sig.revocation == "not performed"
    assert sig.kind == "signature"


def test_pades_lta_signature_timestamp_and_document_timestamp() -> None:
    sig, doc_ts = validate(SIGNED / "pyhanko__pades-lta-dss-indirect-arrs-test.pdf", CORPUS_TRUST)
    assert sig.kind == "signature" and sig.timestamp_trusted
    assert sig.modification == "LTA_UPDATES" and not sig.modified_after
    assert doc_ts.kind == "doc_timestamp" and doc_ts.valid and doc_ts.timestamp_trusted
    assert doc_ts.signer_name == "Time Stamping Authority"
    assert doc_ts.signing_time is not None
    assert sig.revocation == doc_ts.revocation == "embedded revocation info only (offline)"


def test_untrusted_signature_timestamp_does_not_fail_a_trusted_signature() -> None:
    sigs = validate(SIGNED / "pyhanko__minimal-two-fields-signed-twice.pdf", CORPUS_TRUST)
    assert all(s.valid and not s.timestamp_trusted for s in sigs)


@pytest.mark.parametrize(
    ("case", "outcome"),
    [
        pytest.param("dev-007", "valid", id="dev-007-valid"),
        pytest.param("dev-032", "tampered", id="dev-032-modified"),
        pytest.param("dev-033", "untrusted", id="dev-033-rogue-ca"),
    ],
)
def test_dev_corpus_signatures(case: str, outcome: str) -> None:
    (sig,) = validate(DEV_DOCS / case / "Services_Completion_Letter_signed.pdf", DEV_ROOT.parent)
    assert_outcome(sig, outcome)
    assert sig.field == "CustomerSignature"


def test_root_not_configured_is_untrusted_until_added(tmp_path: Path) -> None:
    pdf = DEV_DOCS / "dev-007" / "Services_Completion_Letter_signed.pdf"
    (none,) = validate(pdf, None)
    assert_outcome(none, "untrusted")
    assert "no trust roots are configured" in none.reason
    assert none.no_trust_roots and none.unverified

    shutil.copy(CORPUS_TRUST / "pyhanko__root.cert.pem", tmp_path)
    (other_root,) = validate(pdf, tmp_path)
    assert_outcome(other_root, "untrusted")
    assert not other_root.no_trust_roots

    shutil.copy(DEV_ROOT, tmp_path)
    (trusted,) = validate(pdf, tmp_path)
    assert_outcome(trusted, "valid")


def test_corpus_signature_needs_its_anchor(tmp_path: Path) -> None:
    pdf = SIGNED / "pyhanko__minimal-two-fields-signed-twice.pdf"
    for name in ("pyhanko__root.cert.pem", "pyhanko__interm.cert.pem", "pyhanko__tsa.cert.pem"):
        shutil.copy(CORPUS_TRUST / name, tmp_path)
    assert all(not s.trusted for s in validate(pdf, tmp_path))
    shutil.copy(CORPUS_TRUST / "pyhanko__selfsigned.cert.pem", tmp_path)
    assert all(s.valid for s in validate(pdf, tmp_path))


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(FIXTURES / "corpus" / "pdf_text" / "pyhanko__empty-a4.pdf", id="unsigned"),
        pytest.param(FIXTURES / "corpus" / "pdf_malformed" / "qpdf__bad1_not-a-pdf.pdf", id="not-a-pdf"),
        pytest.param(FIXTURES / "corpus" / "pdf_malformed" / "pyhanko__circular-page-tree.pdf",
                     id="malformed"),
    ],
)
def test_unsigned_or_unreadable_pdf_gives_no_signatures(path: Path) -> None:
    assert validate(path, CORPUS_TRUST) == []


def test_empty_bytes_give_no_signatures() -> None:
    assert validate_signatures(b"", file="empty.pdf", trust_roots=None) == []


def test_works_inside_a_running_event_loop() -> None:
    pdf = SIGNED / "pyhanko__sig-with-ski-sid.pdf"

    async def inside_loop() -> list[Signature]:
        return validate(pdf, CORPUS_TRUST)

    (sig,) = asyncio.run(inside_loop())
    assert sig.valid


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _signed_with_key_usage(tmp_path: Path, **key_usage: bool) -> bytes:
    """An unsigned corpus PDF signed by a fresh CA's end-entity certificate with the given key usage bits."""
    now = dt.datetime.now(dt.UTC)
    ca_key, ee_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    window = {"not_valid_before": now - dt.timedelta(days=1), "not_valid_after": now + dt.timedelta(days=30)}
    ca = (
        x509.CertificateBuilder(subject_name=_name("Test Root"), issuer_name=_name("Test Root"),
                                public_key=ca_key.public_key(), serial_number=1, **window)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    bits = dict.fromkeys(
        ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
         "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"),
        False,
    ) | key_usage
    ee = (
        x509.CertificateBuilder(subject_name=_name("a new user"), issuer_name=_name("Test Root"),
                                public_key=ee_key.public_key(), serial_number=2, **window)
        .add_extension(x509.KeyUsage(**bits), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "root.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(ee.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(ee_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=None,
    )
    unsigned = (FIXTURES / "corpus" / "pdf_text" / "pyhanko__empty-a4.pdf").read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned))
    return signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Sig"), signer=signer).getvalue()


@pytest.mark.parametrize(
    ("key_usage", "valid"),
    [
        pytest.param({"digital_signature": True}, True, id="digital-signature"),
        pytest.param({"content_commitment": True}, True, id="non-repudiation"),
        pytest.param({"key_encipherment": True}, False, id="encipherment-only"),
    ],
)
def test_signer_key_usage(tmp_path: Path, key_usage: dict[str, bool], valid: bool) -> None:
    data = _signed_with_key_usage(tmp_path, **key_usage)
    (sig,) = validate_signatures(data, file="signed.pdf", trust_roots=tmp_path)
    assert sig.valid is valid
    if not valid:
        assert sig.reason == "the certificate's key usage does not allow document signing"


def test_trust_roots_split_anchors_from_intermediates() -> None:
    store = load_trust_roots(CORPUS_TRUST)
    anchors = {c.subject.native["common_name"] for c in store.anchors}
    assert anchors == {"Root CA", "Lord Testerino", "GoogleHSM CA"}
    assert {c.subject.native["common_name"] for c in store.intermediates} == {
        "Intermediate CA", "Time Stamping Authority",
    }


def test_trust_roots_are_cached_until_the_folder_changes(tmp_path: Path) -> None:
    shutil.copy(DEV_ROOT, tmp_path)
    first = load_trust_roots(tmp_path)
    assert load_trust_roots(tmp_path) is first
    (tmp_path / "notes.txt").write_text("not a certificate")
    assert load_trust_roots(tmp_path) is first
    shutil.copy(CORPUS_TRUST / "pyhanko__root.cert.pem", tmp_path)
    assert len(load_trust_roots(tmp_path).anchors) == 2


def test_trust_roots_read_der_and_pem_bundles(tmp_path: Path) -> None:
    bundle = (CORPUS_TRUST / "pyhanko__root.cert.pem").read_bytes() + DEV_ROOT.read_bytes()
    (tmp_path / "bundle.pem").write_bytes(bundle)
    _, _, der = pem.unarmor((CORPUS_TRUST / "pyhanko__selfsigned.cert.pem").read_bytes())
    (tmp_path / "selfsigned.der").write_bytes(der)
    names = {c.subject.native["common_name"] for c in load_trust_roots(tmp_path).anchors}
    assert len(names) == 3 and {"Root CA", "Lord Testerino"} <= names


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param(lambda folder: folder / "missing", "does not exist", id="missing-folder"),
        pytest.param(lambda folder: (folder / "bad.pem").write_bytes(b"not a cert") and folder,
                     "is not a PEM or DER certificate", id="broken-file"),
    ],
)
def test_trust_roots_misconfiguration_is_a_typed_error(tmp_path: Path, setup, message: str) -> None:
    with pytest.raises(TrustRootsError, match=message):
        load_trust_roots(setup(tmp_path))


def test_misconfigured_trust_roots_stop_ingestion_of_a_signed_pdf(tmp_path: Path) -> None:
    """Regression: a broken trust-roots folder was swallowed, so signed PDFs looked unsigned."""
    from service.config import Settings
    from service.ingest.dispatch import ingest_path

    settings = Settings(data_dir=tmp_path, trust_roots=tmp_path / "missing")
    with pytest.raises(TrustRootsError, match="does not exist"):
        ingest_path(DEV_DOCS / "dev-007" / "Services_Completion_Letter_signed.pdf", settings=settings)


def test_service_refuses_to_start_with_misconfigured_trust_roots(tmp_path: Path) -> None:
    from service.api.app import create_app
    from service.config import Settings

    (tmp_path / "roots").mkdir()
    (tmp_path / "roots" / "bad.pem").write_bytes(b"not a cert")
    with pytest.raises(TrustRootsError, match="is not a PEM or DER certificate"):
        create_app(Settings(data_dir=tmp_path, trust_roots=tmp_path / "roots"))


def test_tampered_signature_without_trust_roots_is_not_merely_unverified() -> None:
    (sig,) = validate(DEV_DOCS / "dev-032" / "Services_Completion_Letter_signed.pdf", None)
    assert not sig.no_trust_roots and not sig.unverified


def test_system_trust_roots_are_the_system_bundle() -> None:
    from service.trust import load_trust_roots, system_bundle

    store = load_trust_roots(Path("system"))
    assert store.kind == "system" and len(store.anchors) > 50 and Path(store.source) == system_bundle()
    # a real public root list is in use: the dev CA's letter does not chain to it, and says so
    (sig,) = validate(DEV_DOCS / "dev-007" / "Services_Completion_Letter_signed.pdf", Path("system"))
    assert not sig.trusted and not sig.no_trust_roots
    assert "does not chain to a configured trust root" in sig.reason
