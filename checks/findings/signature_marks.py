"""Whose handwritten mark is it, and when was it made: reading the lines around a mark found anywhere on a page.

A reviewer who sees a signature reads what surrounds it: the closing or heading above ("Yours sincerely",
"For the Customer", "Auftraggeber"), the printed name, title, organisation and date below or beside it, and
the letterhead the page is written on. The mark is the customer's when the nearest party named around it
is the customer (by name, alias, e-mail domain or role word), or, with no party named around it, when the
document is written on the customer's letterhead. It is the partner's when the nearest party is the partner.
It counts only with something that makes it a signature: a printed name, a title, a signing word or a date.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from checks.datefind import FoundDate, find_dates
from checks.rulebook import load_yaml
from models import Claim, Document, Part
from models.document import InkMark, MarkLine

_PROSE_WORDS = 9
#: How far (text heights) a line may be from the mark to say whose it is (a block's heading sits above
#: its name, title and date rows) and to date or sign it (the block's own rows).
_REACH = {"above": 12.0, "below": 9.0, "beside": 12.0}
_DATE_REACH = {"above": 5.0, "below": 9.0, "beside": 12.0}
_ROW_GAP = 3.5  # text heights between two rows of one block, however widely the form spaces them
#: Lines where a letter turns to its addressee: what follows is not the letterhead.
_ADDRESSEE = re.compile(r"\s*(?:to|for|attn|attention|dear|re|subject|betreff|prepared\s+for|an|à|a)\b[\s:]",
                        re.IGNORECASE)  # a line with more words is running text (a sentence), not part of a signature block


@dataclass(frozen=True)
class MarkReading:
    """What the lines around one mark say."""

    owner: str  # customer | partner | unknown
    owner_line: MarkLine | None
    signer: str | None  # why it reads as a signature: name, title, signing word or date
    date: FoundDate | None  # offsets into the part text
    anchor: MarkLine | None  # the line to quote


@dataclass(frozen=True)
class _Vocab:
    customer_roles: re.Pattern
    partner_roles: re.Pattern
    signing_words: re.Pattern
    title_words: re.Pattern
    signing_statements: re.Pattern
    letterhead_contacts: re.Pattern
    approval_verbs: re.Pattern
    acting_for: re.Pattern
    field_labels: re.Pattern


def _vocab() -> _Vocab:
    data = load_yaml("marks.yaml")

    def alt(key: str) -> re.Pattern:
        return re.compile(r"(?<![\w])(?:" + "|".join(data[key]) + r")(?![\w])", re.IGNORECASE)

    return _Vocab(alt("customer_roles"), alt("partner_roles"), alt("signing_words"), alt("title_words"),
                  alt("signing_statements"), alt("letterhead_contacts"), alt("approval_verbs"), alt("acting_for"),
                  re.compile("|".join(data["field_labels"]), re.IGNORECASE))


@cache
def vocab() -> _Vocab:
    """The role, signing and title words of rules/marks.yaml, compiled once."""
    return _vocab()


def read_mark(part: Part, mark: InkMark, *, parties: dict, claim: Claim, letterhead: str,
              order: str, owners: dict | None = None) -> MarkReading:
    """Owner, signer cue and date of one mark. `parties` holds the claim's compiled name patterns
    (customer, partner); `letterhead` is customer | partner | unknown for the mark's document. `owners`: the
    parties a line names, by (line, roles), kept by the caller for the other marks of the page (the marks
    of one page read mostly the same lines)."""
    v = vocab()
    known = {} if owners is None else owners

    def owners_of(text: str, roles: bool = True) -> list[str]:
        found = known.get((text, roles))
        if found is None:
            found = known[text, roles] = _owners(text, parties, claim, v, roles=roles)
        return found

    near = [ln for ln in mark.lines if ln.distance <= _REACH[ln.where]]
    best: dict[str, tuple[float, MarkLine]] = {}
    signer = None
    date = None
    for i, ln in enumerate(near):
        text = part.text[ln.start:ln.end]
        prose = (len(text.split()) > _PROSE_WORDS and len(v.field_labels.findall(text)) < 2
                 or _continues_sentence(part.text, ln.start))
        rank = ln.distance + (0.5 if ln.where == "above" else 0.0)
        if prose and ln.where == "above":
            owner = _approving_party(text, parties, v)  # "<Customer> approves the closure of …" above the mark
            if owner and (owner not in best or rank + 1.0 < best[owner][0]):
                best[owner] = (rank + 1.0, ln)
        elif not prose:
            follow = next((n for n in near[i + 1:] if n.where == ln.where), None)
            if follow and (follow.distance - ln.distance > 2.5
                           or len(part.text[follow.start:follow.end].split()) > _PROSE_WORDS):
                follow = None
            joined = text + (" " + part.text[follow.start:follow.end] if follow else "")  # a name wrapped in two
            for owner in owners_of(text) or owners_of(joined, roles=False):
                if owner not in best or rank < best[owner][0]:
                    best[owner] = (rank, ln)
            if signer is None and ln.distance <= _DATE_REACH[ln.where]:
                signer = _signer(text, parties, v)
        if date is None and ln.distance <= _DATE_REACH[ln.where] and (not prose or ln.where != "above"):
            found = find_dates(text, order=order)
            if found:
                d = found[0]
                date = FoundDate(start=ln.start + d.start, end=ln.start + d.end, date=d.date, text=d.text)
    if date is None:  # a widely spaced block: its date row is further down, in the block's own run of rows
        for ln in _block_rows(mark.lines):
            row = part.text[ln.start:ln.end]
            if len(row.split()) > _PROSE_WORDS:
                break  # running text: the block has ended
            found = find_dates(row, order=order) if ln.distance > _DATE_REACH["below"] else []
            if found:
                d = found[0]
                date = FoundDate(start=ln.start + d.start, end=ln.start + d.end, date=d.date, text=d.text)
                break
    if not best:  # nothing names a party near the mark: read across its row (a table's party column)
        for ln in sorted((ln for ln in mark.lines if ln.where == "beside" and ln.distance > _REACH["beside"]),
                         key=lambda ln: ln.distance):
            found = owners_of(part.text[ln.start:ln.end])
            if len(found) == 1:
                best[found[0]] = (ln.distance, ln)
                break
    if "customer" in best and "partner" in best:
        owner = "customer" if best["customer"][0] <= best["partner"][0] else "partner"
    elif best:
        owner = next(iter(best))
    else:
        owner = letterhead
    if signer is None and date is not None:
        signer = "date"
    line = best[owner][1] if owner in best else None
    anchor = next((ln for ln in near if ln.where == "below"), near[0] if near else None)
    return MarkReading(owner=owner, owner_line=line, signer=signer, date=date, anchor=anchor)


def _block_rows(lines: Sequence[MarkLine]) -> list[MarkLine]:
    """The short lines below a mark that continue its block row after row (each within a row's spacing
    of the one before, the first right under the mark): name, title, date of a widely spaced form."""
    rows, last = [], 0.0
    for ln in sorted((ln for ln in lines if ln.where == "below"), key=lambda ln: ln.distance):
        if ln.distance - last > _ROW_GAP:
            break
        rows.append(ln)
        last = ln.distance
    return rows


def _approving_party(text: str, parties: dict, v: _Vocab) -> str | None:
    """The party that approves in a sentence: its name followed, within a few words (a short name in brackets
    allowed), by an approval verb ("<customer> approves …"), or named right after the verb as the side the
    signer acts for ("the undersigned confirms on behalf of <customer> …")."""
    for owner in ("customer", "partner"):
        for m in parties[owner].finditer(text):
            verb = v.approval_verbs.search(text, m.end(), m.end() + 40)
            if verb and len(re.sub(r"\([^)]*\)", " ", text[m.end():verb.start()]).split()) <= 2:
                return owner
            before = text[max(0, m.start() - 100):m.start()]
            acting = v.acting_for.search(before)
            if acting and not before[acting.end():].strip() and v.approval_verbs.search(before[:acting.start()]):
                return owner
    return None


def _continues_sentence(text: str, start: int) -> bool:
    """The line at `start` carries on a sentence wrapped from the line before (it starts in lower case and
    the line before does not end a sentence, a label or a list item)."""
    before = text[:start].rstrip()
    return bool(text[start:start + 1].islower() and before and before[-1] not in ".:;!?|•*-–—)")


def _owners(text: str, parties: dict, claim: Claim, v: _Vocab, *, roles: bool = True) -> list[str]:
    roles = roles and not v.title_words.search(text)  # "Managing Partner" is a job title, not the partner
    found = []
    lowered = text.lower()
    if parties["customer"].search(text) or roles and v.customer_roles.search(text) \
            or _domain_in(lowered, claim.customer.domains):
        found.append("customer")
    if parties["partner"].search(text) or roles and v.partner_roles.search(text) \
            or _domain_in(lowered, claim.partner.domains):
        found.append("partner")
    return found


def _domain_in(text: str, domains: Sequence[str]) -> bool:
    return any(rx.search(text) for rx in _domain_rxs(tuple(domains)))


@lru_cache(maxsize=64)
def _domain_rxs(domains: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """A pattern per domain (a mail or web address at it, or the domain alone), compiled once per claim."""
    return tuple(re.compile(rf"(?:[@.]|(?<![\w.-])){re.escape(d.lower())}\b") for d in domains if d)


def _signer(text: str, parties: dict, v: _Vocab) -> str | None:
    if v.signing_words.search(text):
        return "signing word"
    if v.title_words.search(text):
        return "title"
    words = text.split()
    if 2 <= len(words) <= 4 and all(re.match(r"^[A-ZÀ-Ý][\w'’.-]*$", w) for w in words) \
            and not parties["customer"].search(text) and not parties["partner"].search(text):
        return "printed name"
    return None


def letterhead_owner(doc: Document, parties: dict, claim: Claim) -> str:
    """Whose letterhead the document is written on: the party named in the top lines of its first page, with
    the contact details a letterhead carries (its domain, a web or e-mail address, phone, registered office or
    company number). A name alone at the top may be the recipient's address block (which starts after the
    letter's date or a "To:" line) or a report's title."""
    first = next((p for p in doc.parts if p.text and p.kind in ("pdf_page", "image_page", "document_body")), None)
    if first is None:
        return "unknown"
    lines = [ln for ln in first.text.split("\n") if ln.strip()][:8]
    stop = next((i for i, ln in enumerate(lines) if i and (_ADDRESSEE.match(ln) or _date_line(ln))), len(lines))
    top, block = "\n".join(lines[:min(stop, 4)]), "\n".join(lines[:stop])
    lowered = block.lower()
    cust = bool(parties["customer"].search(top))
    part = bool(parties["partner"].search(block)) or _domain_in(lowered, claim.partner.domains)
    own_domain = _domain_in(lowered, claim.customer.domains)  # its web or mail domain names it as well as its name
    if (cust or own_domain) and not part and (own_domain or vocab().letterhead_contacts.search(block)):
        return "customer"
    cust = cust or own_domain
    if part and not cust and parties["partner"].search(top):
        return "partner"
    return "unknown"


def _date_line(line: str) -> bool:
    """A line that is a date (a letter's date, after which the recipient's address block starts)."""
    found = find_dates(line, order="MDY") or find_dates(line, order="DMY")
    return bool(found) and len(line.strip()) - len(found[0].text) <= 25


def signing_statement_date(parts: Sequence[Part], *, order: str) -> tuple[Part, FoundDate] | None:
    """The date of the last line of a document that states its signing or acceptance ("Signed for acceptance
    on 3 July 2025", "Date of acceptance: ..."), with the part it is in."""
    rx = vocab().signing_statements
    for part in reversed(parts):
        text = part.text or ""
        pos = len(text)
        for line in reversed(text.split("\n")):
            pos -= len(line) + 1
            if rx.search(line) and len(line.split()) <= 10:  # a sign-off line, not a story ("the SOW signed in 2023")
                found = find_dates(line, order=order)
                if found:
                    d = found[-1]
                    start = pos + 1 + d.start
                    return part, FoundDate(start=start, end=start + d.end - d.start, date=d.date, text=d.text)
    return None
