"""Sentence spans: a German date's day ("am 3. März") does not end a sentence; a sentence may start with an
accented capital ("Über", "État")."""
from __future__ import annotations

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
