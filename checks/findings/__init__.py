"""Findings: what the POE shows (acknowledgements, activities, timeline, counts), computed once per claim,
lazily, and shared by every check that needs it (as Presidio computes its NLP artifacts once and hands them
to every recognizer). A check reads findings; it never imports another check."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property

from checks.base import CheckContext
from checks.findings.acknowledgements import ESIGN, Finding, acknowledgements
from checks.findings.activities import Activity, advisory_files, claim_activities
from checks.findings.counts import Count, find_counts
from checks.findings.licensing import Licensing, find_licensing
from checks.findings.timeline import TimelineHit, find_timeline
from models import Claim, Document, Part


class Findings:
    """The findings of one claim; each is computed on first use."""

    def __init__(self, claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> None:
        self.claim, self.docs, self.ctx = claim, docs, ctx

    @cached_property
    def acknowledgements(self) -> list[Finding]:
        """Every acknowledgement candidate, accepted ones first."""
        return acknowledgements(self.claim, self.docs, self.ctx)

    @cached_property
    def activities(self) -> list[tuple[Part, Activity]]:
        """Every activity statement, with whether it counts; an e-signature certificate's audit trail
        ("Document created", "Signed") describes the signing, not the work, and is left out (a page that only
        carries the envelope id in its header, as every page of an e-signed document does, is not one). In a
        file that states the partner changed nothing ("the engagement was advisory: we made no changes"), the
        work it names ("devices onboarded") is what the partner found, not what it did."""
        advisory = advisory_files(self.docs)
        return [(p, replace(a, excluded="advisory") if p.file in advisory and a.applicable and a.excluded is None
                 else a) for p, a in claim_activities(self.claim, self.docs) if p.path not in self._audit_trails]

    @cached_property
    def licensing(self) -> Licensing:
        """Where the POE reads as a licence quote, order or renewal."""
        return find_licensing(self.docs)

    @cached_property
    def counts(self) -> list[tuple[Part, Count, str | None]]:
        """Every user/device count, with the claimed workload its sentence names (or None)."""
        return find_counts(self.claim, self.docs)

    @cached_property
    def timeline(self) -> list[tuple[Part, TimelineHit]]:
        """Every timeline statement; an e-signature audit trail's timestamps date the signing, not the work."""
        return [(p, h) for p, h in find_timeline(self.docs) if p.path not in self._audit_trails]

    @cached_property
    def _audit_trails(self) -> set[str]:
        """Parts that are e-signature audit trails (they record signing events)."""
        return {f.part.path for f in self.acknowledgements
                if f.kind == ESIGN and f.part is not None and f.details.get("events")}


def findings_of(claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> Findings:
    """The claim's findings, kept in the context so that every check of one run shares them."""
    key = (id(claim), tuple(id(d) for d in docs))
    memo = ctx.extra.setdefault("findings", {})
    found = memo.get(key)
    if found is None or found.claim is not claim:
        found = memo[key] = Findings(claim, docs, ctx)
    return found
