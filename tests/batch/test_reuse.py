"""service.fingerprinting and service.reuse: masking, boilerplate suppression, the dev corpus's near-duplicates, the stored index."""
from __future__ import annotations

import itertools

import pytest
from batchhelp import DEV, dev_cases
from pgserver import on_database

from models import Claim, Document, Part
from service.claims import load_claim
from service.fingerprinting import (
    MIN_SHINGLES,
    THRESHOLD,
    document_shingles,
    fingerprints,
    jaccard,
    mask_tokens,
)
from service.reuse import ReuseIndex

CLAIM = Claim.model_validate({
    "partner": {"name": "Northwind Security Ltd", "aliases": ["Northwind"], "domains": ["northwind.example"]},
    "customer": {"name": "Contoso Pharma Inc.", "tenant_id": "37274267-93cd-48ee-bd28-c20e734046d2"},
    "workloads": ["MDE"],
})


def doc(text: str, name: str = "poe.pdf") -> Document:
    part = Part(kind="pdf_page", path=f"{name} > page 1", file=name, page=1, text=text, source="text_layer")
    return Document(sha256="0" * 64, filename=name, media_type="application/pdf", size=len(text), parts=[part])


@pytest.mark.parametrize("text, expected", [
    pytest.param("Northwind Security Ltd for Contoso Pharma", "xparty for xparty", id="names"),
    pytest.param("Northwind Security for CONTOSO  PHARMA Inc.", "xparty for xparty", id="legal-suffix-case"),
    pytest.param("mail a.user@contoso.example or www.northwind.example/x", "mail xemail or xurl", id="addresses"),
    pytest.param("tenant 37274267-93CD-48ee-bd28-c20e734046d2 done", "tenant xguid done", id="guid"),
    pytest.param("on 16 November 2024 and 03/02/2025, 2,178 users", "on 0 and 0 users", id="dates-numbers"),
    pytest.param("signed March 3, 2025 by the customer", "signed 0 by the customer", id="us-date"),
])
def test_mask_tokens(text, expected):
    from service.fingerprinting import _party_names

    assert " ".join(mask_tokens(text, _party_names(CLAIM))) == expected


BODY_A = ("We onboarded the finance laptops to endpoint protection in three rings and tuned the attack surface "
          "reduction rules after a fortnight of audit mode with the service desk, then retired the old agent "
          "on every kiosk and trained the night operators on isolating a device from the console. ")
BODY_B = ("The warehouse scanners were enrolled with a dedicated compliance policy, and the legacy antivirus "
          "was removed during two maintenance windows agreed with plant managers, while the help desk learned "
          "to triage alerts by severity and to escalate lateral movement findings to the security lead. ")
TEMPLATE = ("Services Completion Letter\nCustomer {c}\nMicrosoft Partner {p}\nProject Summary\n"
            "The purpose of this letter is to document the completion of the implementation carried out by "
            "{p} for {c}.\nWork Performed\n{body}\nCustomer Acceptance\nBy signing below, {c} acknowledges "
            "that {p} delivered the work described above to its satisfaction.\nAccepted on behalf of the "
            "Customer\nCompany {c}\nSignature\nDate 16 November 2024\nDelivered by\nCompany {p}\n")


def test_shared_template_does_not_make_letters_alike():
    a = document_shingles(TEMPLATE.format(c="Contoso Pharma", p="Northwind", body=BODY_A),
                          ["contoso pharma", "northwind"])
    b = document_shingles(TEMPLATE.format(c="Fabrikam Foods", p="Litware", body=BODY_B),
                          ["fabrikam foods", "litware"])
    assert jaccard(a, b) == 0.0
    only_template = TEMPLATE.format(c="Fabrikam Foods", p="Litware", body="")
    assert len(document_shingles(only_template, ["fabrikam foods", "litware"])) < MIN_SHINGLES
    ours = TEMPLATE.format(c="Contoso Pharma Inc.", p="Northwind Security Ltd", body="")
    assert fingerprints(CLAIM, [doc(ours)], claim_id="x") == []


def test_names_swapped_copy_matches_only_another_partner():
    other = CLAIM.model_copy(update={"partner": CLAIM.partner.model_copy(update={"name": "Litware Inc."})})
    index = ReuseIndex()
    original = doc(TEMPLATE.format(c="Contoso Pharma Inc.", p="Northwind Security Ltd", body=BODY_A * 2))
    index.add(CLAIM, [original], claim_id="first", partner=CLAIM.partner.name)
    copy = doc(TEMPLATE.format(c="Contoso Pharma Inc.", p="Litware Inc.", body=BODY_A * 2), "copy.pdf")
    [match] = index.query(other, [copy])
    assert (match.claim_id, match.partner, match.file) == ("first", "Northwind Security Ltd", "copy.pdf")
    assert match.similarity >= 0.9
    assert index.query(CLAIM, [copy]) == []
    assert index.query(other, [doc(TEMPLATE.format(c="A", p="B", body=BODY_B * 2))]) == []


def test_stored_index_sees_other_processes_rows(batch_settings, database_url):
    batch_settings = on_database(batch_settings, database_url)  # on the embedded SQLite and on PostgreSQL
    first = ReuseIndex.from_store(batch_settings)
    letter = doc(TEMPLATE.format(c="Contoso Pharma Inc.", p="Northwind Security Ltd", body=BODY_A * 2))
    first.add(CLAIM, [letter], claim_id="r-1", partner=CLAIM.partner.name)
    other = CLAIM.model_copy(update={"partner": CLAIM.partner.model_copy(update={"name": "Litware Inc."})})
    second = ReuseIndex.from_store(batch_settings)
    assert [m.claim_id for m in second.query(other, [letter])] == ["r-1"]
    assert ReuseIndex.from_store(batch_settings, exclude={("service", "r-1")}).query(other, [letter]) == []
    first.add(CLAIM, [letter], claim_id="r-2", partner=CLAIM.partner.name)
    assert {m.claim_id for m in second.query(other, [letter])} == {"r-1", "r-2"}


@pytest.fixture(scope="module")
def dev_docs(tmp_path_factory):
    """Every dev case ingested once: (case, Claim, documents) in file order."""
    from service.config import Settings
    from service.pipeline import ingest_files

    settings = Settings(data_dir=tmp_path_factory.mktemp("dev"), ocr_workers=2)
    return [(c["case"], load_claim(DEV / c["claim"]), ingest_files([DEV / f for f in c["files"]], settings=settings))
            for c in dev_cases()]


@pytest.mark.ocr
def test_dev_corpus_duplicates_found_and_honest_cases_apart(dev_docs):
    index = ReuseIndex()
    found = {}
    for case, claim, docs in dev_docs:
        matches = index.query(claim, docs)
        if matches:
            found[case] = [(m.claim_id, m.similarity) for m in matches]
        index.add(claim, docs, claim_id=case, partner=claim.partner.name)
    assert list(found) == ["dev-041"]
    [(original, sim)] = found["dev-041"]
    assert original == "dev-013" and sim >= 0.8
    from service.fingerprinting import _party_names

    shingles = {case: set().union(*(document_shingles(d.text, _party_names(claim)) for d in docs))
                for case, claim, docs in dev_docs}
    honest = max(jaccard(shingles[a], shingles[b]) for a, b in itertools.combinations(shingles, 2)
                 if {a, b} != {"dev-013", "dev-041"})
    assert honest < THRESHOLD - 0.1
    assert jaccard(shingles["dev-013"], shingles["dev-041"]) > THRESHOLD + 0.2
