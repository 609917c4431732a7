"""One pydantic model per file of checks/rules/: the fields each file must have, their types, and every regex
in it compiled, so that checks.rulebook.validate_all() names the file and field of any mistake at start-up.

Files read by the service's readers (ink.yaml, payout.yaml, boilerplate.yaml, tenant.yaml) allow extra
keys, so a reader's new setting does not need a model change first; the check vocabularies forbid them (a
misspelt list name would otherwise be silently ignored).
"""
from __future__ import annotations

import re
from re import _constants as _C  # the project needs Python 3.11+ (pyproject), where these live
from re import _parser
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from models.claim import WORKLOAD_IDS


def _regex(flags: int):
    """A regex, parsed (every syntax error, look-behind widths included, is a parse error; compiling too
    would double the cost at start-up for nothing more)."""
    def check(value: str) -> str:
        try:
            _fixed_lookbehinds(_parser.parse(value.replace("{customer}", "x").replace("{partner}", "y"), flags))
        except re.error as exc:
            raise ValueError(f"not a valid regex: {exc}") from None
        return value
    return AfterValidator(check)


def _fixed_lookbehinds(tree) -> None:
    """The one compile-time error parsing leaves out: a look-behind must have a fixed width."""
    for op, av in tree:
        if op in (_C.ASSERT, _C.ASSERT_NOT):
            if av[0] < 0:
                lo, hi = av[1].getwidth()
                if lo != hi:
                    raise re.error("look-behind requires fixed-width pattern")
            _fixed_lookbehinds(av[1])
        elif op is _C.SUBPATTERN:
            _fixed_lookbehinds(av[3])
        elif op is _C.BRANCH:
            for branch in av[1]:
                _fixed_lookbehinds(branch)
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            _fixed_lookbehinds(av[2])
        elif op is _C.ATOMIC_GROUP:
            _fixed_lookbehinds(av)
        elif op is _C.GROUPREF_EXISTS:
            _fixed_lookbehinds(av[1])
            if av[2] is not None:
                _fixed_lookbehinds(av[2])


Regex = Annotated[str, Field(min_length=1), _regex(re.IGNORECASE)]
VerboseRegex = Annotated[str, Field(min_length=1), _regex(re.IGNORECASE | re.VERBOSE)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Rule(_Strict):
    """A vocabulary rule: its id becomes Evidence.rule_id; phrases (`terms`) and/or regexes (`patterns`)."""

    id: NonEmpty
    terms: tuple[NonEmpty, ...] = ()
    patterns: tuple[Regex, ...] = ()
    weight: float = Field(default=1.0, ge=0)

    @field_validator("patterns")
    @classmethod
    def _some(cls, value, info):
        if not value and not info.data.get("terms"):
            raise ValueError("a rule needs terms or patterns")
        return value


class PatternRule(_Strict):
    """A named regex ({customer} and {partner} stand for the claim's party names)."""

    id: NonEmpty
    pattern: Regex


def _unique(items: tuple) -> tuple:
    ids = [i.id for i in items]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"rule id(s) listed twice: {', '.join(dup)}")
    return items


Rules = Annotated[tuple[Rule, ...], Field(min_length=1), AfterValidator(_unique)]
PatternRules = Annotated[tuple[PatternRule, ...], Field(min_length=1), AfterValidator(_unique)]
Words = Annotated[tuple[Regex, ...], Field(min_length=1)]
Names = Annotated[tuple[NonEmpty, ...], Field(min_length=1)]


def _having(*ids: str):
    """A rule list that must define `ids` (the code looks them up by id)."""
    def check(items: tuple) -> tuple:
        missing = [i for i in ids if i not in {r.id for r in items}]
        if missing:
            raise ValueError(f"lacks rule id(s) {', '.join(missing)}")
        return items
    return AfterValidator(check)


class Acknowledgement(_Strict):
    version: int
    customer_headings: PatternRules
    partner_headings: PatternRules
    generic_headings: PatternRules
    labels: Annotated[PatternRules, _having("name", "title", "date", "company", "signature")]
    typed_signature: PatternRules
    title_words: PatternRules
    not_person_words: PatternRules
    acceptance_statements: PatternRules


class Activities(_Strict):
    version: int
    applicable: Rules
    applicable_nouns: Rules
    non_applicable: Rules
    cues: Annotated[Rules, _having("customer_subject", "partner_subject", "negation", "negation_after", "intent",
                                   "own_work", "by_customer_after", "support_lead", "advisory_lead",
                                   "subject_blocker")]


class Boilerplate(_Open):
    version: int
    #: Unquoted "Signature:", "Company: {party}" and "Date: 1" in the file are YAML mappings, not strings;
    #: the reader turns each item into text with str(), so they are accepted as they are (quote them to fix).
    headings: tuple[NonEmpty | dict | int, ...] = ()
    phrases: tuple[NonEmpty, ...] = ()


class Detail(_Strict):
    version: int
    timeline: Rules
    date_shapes: Rules
    timeline_cues: Rules
    timeline_exclusions: Rules
    date_labels: Rules
    count_units: Rules
    need: Rules
    outcome: Rules


class Eligibility(_Strict):
    version: int
    excluded: Rules
    cues: Annotated[Rules, _having("negation_before", "left_it_after")]


class Email(_Strict):
    version: int
    forward_subject: PatternRules
    reply_subject: PatternRules
    forward_markers: PatternRules
    quote_markers: PatternRules
    quoted_sender: PatternRules
    approval_phrases: PatternRules
    not_approval: PatternRules


class Esign(_Strict):
    version: int
    titles: PatternRules
    vendors: PatternRules
    ids: PatternRules
    events: Annotated[PatternRules, _having("signed_at", "completed_at")]
    unfinished: PatternRules


class GenericThresholds(_Strict):
    marketing_warn: float = Field(ge=0)
    marketing_share: float = Field(ge=0, le=1)
    placeholder_fail: float = Field(ge=1)


class Generic(_Strict):
    version: int
    marketing: Rules
    placeholders: Rules
    task_words: Names
    thresholds: GenericThresholds


class InkRegion(_Open):
    above: float
    below: float
    width: float
    ruled_line: float
    word_pad: float
    tall_word: float


class InkThresholds(_Open):
    min_ink: float = Field(ge=0)
    min_spread: float = Field(ge=0)


class Ink(_Open):
    version: int
    signature_labels: PatternRules
    heading_party: Regex
    region: InkRegion
    dark: int = Field(ge=0, le=255)
    inked: InkThresholds
    render_dpi: int = Field(gt=0)


class LicensingThresholds(_Strict):
    terms_without_type: int = Field(ge=1)


class Licensing(_Strict):
    version: int
    document_types: Rules
    terms: Rules
    thresholds: LicensingThresholds


class Marks(_Strict):
    version: int
    customer_roles: Words
    partner_roles: Words
    signing_words: Words
    title_words: Words
    signing_statements: Words
    approval_verbs: Words
    acting_for: Words
    field_labels: Words
    letterhead_contacts: Words


class NamesFile(_Strict):
    version: int
    legal_suffixes: Names
    month_first_countries: Names


class Payout(_Open):
    version: int
    term_start: NonEmpty
    term_end: NonEmpty
    min_hwm: int = Field(ge=0)
    release_rule: NonEmpty
    excluded_flags: tuple[NonEmpty, ...]
    require_mci_enrolment: bool
    require_security_designation: bool


class PublicSector(_Strict):
    version: int
    restricted_countries: Names
    disclosure_countries: Names
    disclosure: Rules
    acknowledgement: Rules


class Tenant(_Open):
    tenant_labels: VerboseRegex
    other_labels: VerboseRegex
    ocr_edits: int = Field(ge=0)


Status = Literal["pass", "warn", "fail"]


class Weights(_Strict):
    version: int
    status_factor: dict[Status, float]
    weights: dict[NonEmpty, float]

    @field_validator("status_factor")
    @classmethod
    def _all_statuses(cls, value: dict) -> dict:
        if set(value) != {"pass", "warn", "fail"}:
            raise ValueError("needs a factor for each of pass, warn and fail")
        return value


class WorkloadSpec(_Strict):
    name: NonEmpty
    aliases: tuple[NonEmpty, ...] = ()
    rate: float = Field(ge=0)
    max_earning: float = Field(ge=0)


class Workloads(_Strict):
    version: int
    workloads: dict[str, WorkloadSpec]

    @field_validator("workloads")
    @classmethod
    def _every_workload(cls, value: dict) -> dict:
        if set(value) != set(WORKLOAD_IDS):
            raise ValueError(f"must define exactly {', '.join(WORKLOAD_IDS)}")
        return value


#: File name -> its model. A rule file without a model stops start-up (so none is left unchecked).
FILES: dict[str, type[BaseModel]] = {
    "acknowledgement.yaml": Acknowledgement, "activities.yaml": Activities, "boilerplate.yaml": Boilerplate,
    "detail.yaml": Detail, "eligibility.yaml": Eligibility, "email.yaml": Email, "esign.yaml": Esign,
    "generic.yaml": Generic, "ink.yaml": Ink, "licensing.yaml": Licensing, "marks.yaml": Marks,
    "names.yaml": NamesFile, "payout.yaml": Payout, "public_sector.yaml": PublicSector, "tenant.yaml": Tenant,
    "weights.yaml": Weights, "workloads.yaml": Workloads,
}
