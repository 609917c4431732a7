"""Sentence spans: a German date's day ("am 3. März") does not end a sentence; a sentence may start with an
accented capital ("Über", "État")."""
from __future__ import annotations

import itertools

import pytest

from checks.textutil import sentences


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Die Einführung wurde am 3. März 2025 abgeschlossen. Danach folgte die Schulung.",
                 ["Die Einführung wurde am 3. März 2025 abgeschlossen.", "Danach folgte die Schulung."],
                 id="german-day-ordinal"),
    pytest.param("Vom 14. Januar bis 28. Februar 2025 liefen die Arbeiten.",
                 ["Vom 14. Januar bis 28. Februar 2025 liefen die Arbeiten."], id="german-date-range"),
    pytest.param("We finished phase 2. Then we trained the staff.",
                 ["We finished phase 2.", "Then we trained the staff."], id="a-number-that-ends-a-sentence"),
    pytest.param("Die Konfiguration ist abgeschlossen. Über 300 Geräte wurden aufgenommen.",
                 ["Die Konfiguration ist abgeschlossen.", "Über 300 Geräte wurden aufgenommen."], id="capital-umlaut"),
    pytest.param("Le déploiement est terminé. État final : 250 postes.",
                 ["Le déploiement est terminé.", "État final : 250 postes."], id="capital-accent"),
])
def test_sentences(text, expected):
    assert _split(text) == expected


def _compact_as_before(text: str) -> tuple[str, tuple[int, ...]]:
    """The compact form and its offsets as _compact built them character by character (the reference)."""
    import re

    text = re.sub(r"(?<=[A-Za-z])[015](?=[A-Za-z])|(?<=[a-z]{3})[015](?![\w])",
                  lambda m: {"0": "o", "1": "l", "5": "s"}[m.group()], text)
    words, idx = [], []
    for m in re.finditer(r"[^\W_]+", text):
        word = m.group().lower()
        if len(word) != m.end() - m.start():
            word = m.group()
        words.append(word)
        idx.extend(range(m.start(), m.end()))
        idx.append(m.end())
    return " ".join(words), tuple(idx)


@pytest.mark.parametrize("text", [
    pytest.param("Configured by Contoso Soluti0ns Ltd.\n  Go-live: 3 March 2025 (phase 1, 50 users)", id="ocr-digit"),
    pytest.param("İSTANBUL Ölçü Aş  — ΟΔΟΣ and straße; c0nfigured abc5. x15y 2005", id="longer-lower-case"),
    pytest.param("", id="empty"),
    pytest.param("  ...  ", id="no-words"),
])
def test_compact_offsets_are_those_of_each_character(text):
    """Every character of the compact text (and the space after each word) maps to the offset it had."""
    from checks.textutil import _compact  # reason: the internal mapping compared with its reference

    want, idx = _compact_as_before(text)
    got, offsets = _compact(text)
    assert got == want
    assert [offsets[i] for i in range(len(idx))] == list(idx)


def test_compact_offsets_on_the_dev_letters():
    from pathlib import Path

    import pypdfium2 as pdfium

    from checks.textutil import _compact  # reason: the internal mapping compared with its reference

    dev = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"
    for pdf in sorted(dev.glob("*/*.pdf"))[:12]:
        doc = pdfium.PdfDocument(pdf)
        for page in doc:
            text = page.get_textpage().get_text_range()
            want, idx = _compact_as_before(text)
            got, offsets = _compact(text)
            assert got == want and [offsets[i] for i in range(len(idx))] == list(idx)
        doc.close()


def test_fold_replaces_every_character_of_its_table_as_translate_does():
    """fold() replaces the table's characters where it finds them: the same text as str.translate gives,
    then the OCR digits read as letters."""
    import re

    from checks.textutil import _FOLD, fold

    ocr = re.compile(r"(?<=[A-Za-z])[015](?=[A-Za-z])|(?<=[a-z]{3})[015](?![\w])")
    every = "".join(map(chr, _FOLD))
    for text in (every, f"a{every}b\n{every[::-1]} – “Soluti0ns” c0nfigured | é\t", "plain ascii 2005 abc5.", ""):
        want = ocr.sub(lambda m: {"0": "o", "1": "l", "5": "s"}[m.group()], text.translate(_FOLD))
        assert fold(text) == want


def _dev_texts() -> list[str]:
    from pathlib import Path

    import pypdfium2 as pdfium

    dev = Path(__file__).resolve().parents[2] / "fixtures" / "poe_dev" / "docs"
    out = []
    for pdf in sorted(dev.glob("*/*.pdf"))[:20]:
        doc = pdfium.PdfDocument(pdf)
        out += [page.get_textpage().get_text_range() for page in doc]
        doc.close()
    return out


def test_sentence_ends_are_those_the_pattern_finds_everywhere():
    """The ends tried next to their marks only are the pattern's own matches: the dev letters, and texts of marks,
    quotes, spaces, line breaks, bullets, numbers and capitals in any order."""
    from checks.textutil import _SENTENCE_END, _sentence_ends  # reason: the fast path against its pattern

    pieces = [".", "!", "?", ";", "\n", " ", "  ", '"', "'", ")", "]", "(", "•", "- ", "1. ", "A", "b", "\n\n", "3."]
    made = ["".join(p) for p in itertools.product(pieces, repeat=3)]
    for text in _dev_texts() + made:
        assert [m.span() for m in _sentence_ends(text)] == [m.span() for m in _SENTENCE_END.finditer(text)], text
