"""Recognise customer acknowledgements in POE text: wet-signature blocks, e-signature certificates of
completion, customer approval e-mails, and validated PDF digital signatures.

Shared by customer_acknowledgement (was the work acknowledged, and how) and dates (when)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial

from checks import patterncache
from checks.base import CheckContext
from checks.datefind import FoundDate, find_dates
from checks.fastscan import INDEX_MIN_CHARS, scanner
from checks.findings.signature_marks import letterhead_owner, read_mark, signing_statement_date
from checks.rulebook import RULES_DIR, RuleFileError, load_yaml
from checks.textutil import EMAIL as EMAIL_ADDRESS
from checks.textutil import legal_suffix, strip_legal_suffix
from models import Claim, Document, Part, Signature
from models.document import InkMark

WET, ESIGN, EMAIL, DIGITAL = "wet_signature", "esign_certificate", "customer_email", "digital_signature"
#: What each kind is called in messages.
KIND_LABEL = {WET: "a signed customer signature block", ESIGN: "an e-signature certificate of completion",
              EMAIL: "an original approval e-mail from the customer", DIGITAL: "a valid PDF digital signature"}
CERT_NOTE = ("certificate-of-completion text is evidence of an e-signature, not cryptographic proof "
             "(the PDF carries no valid digital signature)")
_LINE_LEAD = re.compile(r"^[\s|•*·>\-–—]*")


@dataclass(frozen=True)
class Finding:
    """One acknowledgement candidate; `accepted` says whether it counts as the customer's acknowledgement."""

    kind: str
    accepted: bool
    reason: str
    rule_id: str
    file: str
    part: Part | None = None
    start: int = 0
    end: int = 0
    date: date | None = None
    date_span: tuple[int, int] | None = None
    date_source: str | None = None
    note: str | None = None
    signature: Signature | None = None
    details: dict = field(default_factory=dict)
    unverified: bool = False  # would count, but nothing could verify it (a digital signature, no trust roots)


# ---------------------------------------------------------------- rules


def _compile_list(name: str, data: dict, key: str, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise RuleFileError(f"{RULES_DIR / name}: '{key}' must be a non-empty list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not item.get("id") or not item.get("pattern"):
            raise RuleFileError(f"{RULES_DIR / name}: every item of '{key}' needs an id and a pattern")
        probe = item["pattern"].replace("{customer}", "x").replace("{partner}", "y")
        try:
            patterncache.compile(probe, re.IGNORECASE | re.MULTILINE)
        except re.error as exc:
            raise RuleFileError(f"{RULES_DIR / name}: {key}/{item['id']}: {exc}") from exc
        out.append((item["id"], item["pattern"]))
    return out


@lru_cache(maxsize=1)
def rules() -> dict[str, list[tuple[str, str]]]:
    """Every pattern list of acknowledgement.yaml, email.yaml and esign.yaml, validated once."""
    spec = {
        "acknowledgement.yaml": ("customer_headings", "partner_headings", "generic_headings", "labels",
                                 "typed_signature", "title_words", "not_person_words", "acceptance_statements"),
        "email.yaml": ("forward_subject", "reply_subject", "forward_markers", "quote_markers", "quoted_sender",
                       "approval_phrases", "not_approval"),
        "esign.yaml": ("titles", "vendors", "ids", "events", "unfinished"),
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for name, keys in spec.items():
        data = load_yaml(name)
        for key in keys:
            out[key] = _compile_list(name, data, key)
    return out


@lru_cache(maxsize=64)
def _compiled(key: str, flags: int = re.IGNORECASE | re.MULTILINE) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((rid, patterncache.compile(p, flags)) for rid, p in rules()[key])


def first_match(key: str, text: str, *, anchored: bool = False) -> tuple[str, re.Match] | None:
    """The earliest match of any pattern of rule list `key` in `text` (anchored: at position 0 only)."""
    best = None
    for rid, rx in _compiled(key):
        # a page is searched through its Scanner (same first match; the e-signature titles, vendors and ids
        # cost 0.5 ms a page searched plainly)
        if anchored:
            m = rx.match(text)
        else:
            m = scanner(rx).search(text) if len(text) >= INDEX_MIN_CHARS else rx.search(text)
        if m and (best is None or m.start() < best[1].start()):
            best = (rid, m)
    return best


def _name_alt(names: Sequence[str]) -> str:
    alts = set()
    for name in names:
        core = name.strip()
        core = strip_legal_suffix(core)
        if len(core) < 3:
            continue
        words = [re.escape(w) for w in re.split(r"\s+", core.replace("&", " & ")) if w]
        alts.add(r"\s+".join(w if w != "\\&" else "(?:&|and)" for w in words))
    return "|".join(sorted(alts, key=len, reverse=True)) or r"(?!x)x"


@lru_cache(maxsize=64)
def _party_rx(customer: tuple[str, ...], partner: tuple[str, ...]) -> dict[str, object]:
    cust, part = _name_alt(customer), _name_alt(partner)
    fill = {"{customer}": f"(?:{cust})", "{partner}": f"(?:{part})"}

    def build(key: str) -> tuple[tuple[str, re.Pattern], ...]:
        out = []
        for rid, p in rules()[key]:
            for k, v in fill.items():
                p = p.replace(k, v)
            out.append((rid, re.compile(p, re.IGNORECASE)))
        return tuple(out)

    headings = {key: build(key) for key in _HEADINGS}
    named = tuple(rx for key in _HEADINGS for (_rid, p), (_, rx) in zip(rules()[key], headings[key]) if _names_in(p))
    return {"customer": re.compile(rf"\b(?:{cust})\b", re.IGNORECASE), "partner": re.compile(rf"\b(?:{part})\b", re.IGNORECASE),
            **headings, "named_headings": named}


_HEADINGS = ("customer_headings", "partner_headings", "generic_headings")


def _names_in(pattern: str) -> bool:
    return "{customer}" in pattern or "{partner}" in pattern


@lru_cache(maxsize=1)
def _unnamed_headings() -> re.Pattern | None:
    """One pattern that matches where any heading rule without a party name in it does (None when they cannot be
    joined so: a group in one would change another's numbering)."""
    alts = [p for key in _HEADINGS for _rid, p in rules()[key] if not _names_in(p)]
    joined = patterncache.compile("|".join(f"(?:{p})" for p in alts), re.IGNORECASE) if alts else None
    return joined if joined is not None and not joined.groups else None


def _parties(claim: Claim) -> dict[str, object]:
    return _party_rx((claim.customer.name, *claim.customer.aliases), (claim.partner.name, *claim.partner.aliases))


def domain_matches(email: str | None, domains: Sequence[str]) -> bool:
    """The address is at one of `domains` or a subdomain of one."""
    if not email or "@" not in email:
        return False
    dom = email.rsplit("@", 1)[1].strip().lower().rstrip(".>")
    return any(dom == d.lower() or dom.endswith("." + d.lower()) for d in domains if d)


# ---------------------------------------------------------------- wet signature blocks


@dataclass
class _Block:
    owner: str  # customer | partner | unknown
    heading_rule: str
    start: int
    end: int
    ocr: bool
    fields: dict = field(default_factory=dict)  # label -> (value, start, end)
    loose: dict = field(default_factory=dict)   # unlabelled name/title/date -> (value, start, end)
    typed: tuple[int, int] | None = None
    company: str | None = None
    wordy: bool = False  # holds running text (a paragraph), not just a signature block


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for raw in text.split("\n"):
        lead = _LINE_LEAD.match(raw).end()
        out.append((pos + lead, raw[lead:].rstrip()))
        pos += len(raw) + 1
    return out


def _heading(line: str, parties: dict) -> tuple[str, str] | None:
    if not line[:1].isupper() or line.endswith(".") or len(line) > 90:
        return None  # a heading starts with a capital and is not a sentence (nor a paragraph's last line)
    unnamed = _unnamed_headings()
    if unnamed is not None and not unnamed.match(line) and not any(rx.match(line) for rx in parties["named_headings"]):
        return None  # no heading rule matches: told by one match of those without names, not one of each in turn
    for owner in ("customer", "partner", "generic"):
        if owner == "generic" and _label(line):
            return None
        for rid, rx in parties[f"{owner}_headings"]:
            m = rx.match(line)
            if m and len(line) - m.end() <= 30:
                return owner, rid
    return None


_LABEL_ORDER = ("name", "title", "date", "company", "signature")


@lru_cache(maxsize=1)
def _label_rx() -> tuple[re.Pattern, re.Pattern]:
    pats = dict(rules()["labels"])
    missing = [k for k in _LABEL_ORDER if k not in pats]
    if missing:
        raise RuleFileError(f"{RULES_DIR / 'acknowledgement.yaml'}: labels lacks {', '.join(missing)}")
    alts = "|".join(f"(?P<{k}>{pats[k]})" for k in _LABEL_ORDER)
    start = re.compile(rf"^(?:{alts})(?![a-z])\s*(?P<sep>[:|.\-]*)\s*", re.IGNORECASE)
    inline = re.compile(rf"\s(?:{alts})(?![a-z])\s*:", re.IGNORECASE)
    return start, inline


def _label(line: str) -> tuple[str, int, str] | None:
    start_rx, inline_rx = _label_rx()
    m = start_rx.match(line)
    if not m:
        return None
    label = next(k for k in _LABEL_ORDER if m.group(k) is not None)
    token = m.group(label).strip().lower()
    if token == "by" and ":" not in m.group("sep"):
        return None
    rest = line[m.end():]
    cut = inline_rx.search(" " + rest)
    value = rest[: cut.start()] if cut else rest
    return label, m.end(), value


def _clean(value: str) -> str:
    return re.sub(r"^[\s:|_.\-–—]+|[\s|_\-–—]+$", "", value)


def _person_like(value: str) -> bool:
    words = value.split()
    return (2 <= len(words) <= 4 and all(re.match(r"^[A-Z][A-Za-z'’.-]*$", w) for w in words)
            and not first_match("title_words", value) and not first_match("not_person_words", value)
            and not legal_suffix().search(value))


def _title_like(value: str) -> bool:
    return bool(first_match("title_words", value)) and len(value.split()) <= 8 and bool(re.search(r"[A-Za-z]{2}", value))


def _read_block(part: Part, block: _Block, lines: list[tuple[int, str]], parties: dict, order: str) -> None:
    dates = [d for d in find_dates(part.text, order=order) if block.start <= d.start < block.end]
    pending_company = False
    for pos, line in lines:
        if not line:
            continue
        block.wordy = block.wordy or len(line.split()) > 8
        lab = _label(line)
        if lab:
            label, offset, value = lab
            value_clean = _clean(value)
            vstart = pos + offset
            pending_company = label == "company" and not value_clean
            if label not in block.fields:
                block.fields[label] = (value_clean, vstart, vstart + len(value))
            if label == "company" and value_clean:
                block.company = (block.company or "") + " " + value_clean
            continue
        if pending_company:
            block.company = (block.company or "") + " " + line
            continue
        if block.wordy:
            continue
        if _title_like(line) and "title" not in block.loose:
            block.loose["title"] = (line, pos, pos + len(line))
        elif _person_like(line) and "name" not in block.loose and not parties["customer"].search(line) \
                and not parties["partner"].search(line):
            block.loose["name"] = (line, pos, pos + len(line))
        elif parties["customer"].search(line) or parties["partner"].search(line):
            block.company = (block.company or "") + " " + line
    if "date" in block.fields:
        _, s, e = block.fields["date"]
        hit = next((d for d in dates if s <= d.start <= e + 1), None)
        block.fields["date"] = (hit, s, e) if hit else (None, s, e)
    if dates and not block.wordy and not (block.fields.get("date") or (None,))[0]:
        block.loose["date"] = (dates[0], dates[0].start, dates[0].end)
    typed = first_match("typed_signature", part.text[block.start:block.end])
    if typed:
        block.typed = (block.start + typed[1].start(), block.start + typed[1].end())
    elif part.source != "ocr" and "signature" in block.fields:
        sig = block.fields["signature"][0]
        name = block.fields.get("name", ("",))[0]
        if sig and name and " ".join(sig.lower().split()) == " ".join(name.lower().split()):
            _, s, e = block.fields["signature"]
            block.typed = (s, e)


def _only_name(line: str, parties: dict) -> bool:
    """The line is the customer's name alone (a legal suffix and punctuation allowed): a column heading."""
    m = parties["customer"].search(line)
    if not m or parties["partner"].search(line):
        return False
    rest = " " + (line[:m.start()] + line[m.end():]).strip(" .,:;|-_()")
    rest = legal_suffix().sub("", rest)  # "Company Inc." is two suffixes
    return not rest.strip()


def wet_blocks(part: Part, claim: Claim, *, order: str) -> list[_Block]:
    """Signature blocks on one page: owner, fields (labelled or not), typed-signature marks."""
    parties = _parties(claim)
    lines = _lines(part.text)
    blocks: list[_Block] = []
    current: tuple[_Block, list] | None = None

    def close(end: int) -> None:
        nonlocal current
        if current:
            blk, body = current
            blk.end = end
            _read_block(part, blk, body, parties, order)
            if blk.company and blk.owner != "customer":
                if parties["customer"].search(blk.company) and not parties["partner"].search(blk.company):
                    blk.owner = "customer"
                elif parties["partner"].search(blk.company) and blk.owner == "unknown":
                    blk.owner = "partner"
            blocks.append(blk)
        current = None

    for idx, (pos, line) in enumerate(lines):
        head = _heading(line, parties) if line else None
        if head:
            close(pos)
            current = (_Block(owner="unknown" if head[0] == "generic" else head[0], heading_rule=head[1],
                              start=pos, end=pos, ocr=part.source == "ocr"), [])
            continue
        if current is None or current[0].owner != "customer" and line and _only_name(line, parties):
            lab = _label(line) if line else None
            rule = ("customer_company_line" if lab and lab[0] == "company" and parties["customer"].search(lab[2])
                    else "customer_name_line" if line and _only_name(line, parties) else None)
            ahead = [_label(ln) for _, ln in lines[idx + 1: idx + 7] if ln] if rule else []
            if any(a and a[0] == "signature" for a in ahead):
                close(pos)
                current = (_Block(owner="customer", heading_rule=rule, start=pos, end=pos,
                                  ocr=part.source == "ocr"), [(pos, line)])
                continue
            if current is None:
                continue
        blk, body = current
        lab = _label(line) if line else None
        if lab and lab[0] == "company" and body and blk.company and parties["partner"].search(lab[2]) \
                and not parties["partner"].search(blk.company):
            close(pos)
            continue
        if len(body) >= 16:
            close(pos)
            continue
        body.append((pos, line))
    close(len(part.text))
    return blocks


def _document_date(parts: Sequence[Part], order: str) -> FoundDate | None:
    """The letter's own date near the top of its first page: a date line ("Date: 14 January 2025") or a
    line that is a date, with at most a place before it ("London, 14 January 2025", "Fait à Lyon, le 3 …")."""
    if not parts:
        return None
    first = parts[0]
    dates = find_dates(first.text, order=order)
    for pos, line in _lines(first.text)[:30]:
        m = re.match(r"(?:date|dated|d[a@]te|datum|fecha)\b\s*[:|]?\s*", line, re.IGNORECASE)
        for d in dates:
            if not pos <= d.start <= pos + len(line):
                continue
            if m and d.start >= pos + m.end() or len(line) - (d.end - d.start) <= 25 and d.end - pos >= len(line) - 1:
                return d
    return None


def _block_marks(part: Part, blk: _Block) -> list[InkMark] | None:
    """The measured signature areas of a block (None when the page image was not measured). An area
    anchored to a heading counts only for the block that heading opens (not a column beside it); of the
    signature labels inside the block only the first is its own (a later one is the next column's, whose
    text the page serialises into the same block)."""
    if part.ink_marks is None:
        return None
    inside = sorted((m for m in part.ink_marks if blk.start <= m.offset < blk.end), key=lambda m: m.offset)
    own_label = next((m for m in inside if m.anchor == "label"), None)
    return [m for m in inside if m is own_label or (
        m.anchor == "heading" and not part.text[blk.start:m.offset].strip(" |•*·>-_–—"))]


def _letter_date(part: Part, doc: Document, docs: Sequence[Document], order: str, cache: dict) -> dict:
    """Date fields for a signed block without a readable date: the letter's own date line, if any (computed
    once per file: `cache` lives for one acknowledgements() call)."""
    if part.file not in cache:
        cache[part.file] = _file_date(part, doc, docs, order)
    return dict(cache[part.file])


def _file_date(part: Part, doc: Document, docs: Sequence[Document], order: str) -> dict:
    groups = [[p for p in doc.parts if p.file == part.file]] + [
        [p for p in d.parts if p.file == f] for d in docs for f in dict.fromkeys(q.file for q in d.parts)]
    own = _document_date(groups[0], order)
    stated = None if own else signing_statement_date(groups[0], order=order)
    if stated:  # a form without a letter date that says when it was signed
        where, found = stated
        return {"date": found.date, "date_span": (found.start, found.end),
                "date_source": "the document's statement of when it was signed", "date_part": where.path}
    for group in groups:
        found = _document_date(group, order)
        if found:
            return {"date": found.date, "date_span": (found.start, found.end),
                    "date_source": "document date (signature block date not readable)", "date_part": group[0].path}
    return {}


def _wet_findings(claim: Claim, doc: Document, order: str, docs: Sequence[Document], dates: dict) -> list[Finding]:
    out: list[Finding] = []
    for part in doc.parts:
        if not part.text or part.kind == "email_body":
            continue
        for blk in wet_blocks(part, claim, order=order):
            if blk.owner == "unknown":
                continue
            name = blk.fields.get("name", ("",))[0] or (blk.loose.get("name") or ("",))[0]
            title = blk.fields.get("title", ("",))[0] or (blk.loose.get("title") or ("",))[0]
            dated = (blk.fields.get("date") or (None,))[0] or (blk.loose.get("date") or (None,))[0]
            marks = _block_marks(part, blk)
            if not blk.fields and not blk.loose and not marks and (not blk.ocr or blk.wordy):
                continue
            details = {"owner": blk.owner, "name": name or None, "title": title or None,
                       "heading_rule": blk.heading_rule}
            base = {"kind": WET, "file": part.file, "part": part, "start": blk.start, "end": blk.end, "details": details}
            if blk.owner == "partner":
                out.append(Finding(accepted=False, reason="only the partner's signature block is signed",
                                   rule_id=blk.heading_rule, **base))
                continue
            when = {"date": dated.date, "date_span": (dated.start, dated.end),
                    "date_source": "signature block date"} if dated else _undated(
                handwritten_date(part, order, block=blk), dict)
            if blk.typed:
                out.append(Finding(accepted=False, reason="the customer's signature is only a typed name (/s/), "
                                   "a flat signature", rule_id="typed_signature",
                                   **{**base, "start": blk.typed[0], "end": blk.typed[1]}, **when))
            elif marks:
                out.append(_inked_finding(part, marks, base, when or _letter_date(part, doc, docs, order, dates)))
            elif name and (title or dated) and marks is None and blk.ocr:
                # a scanned block whose page image could not be measured: its printed fields are all there is
                out.append(Finding(accepted=True, reason="customer signature block with name"
                                   + (", title" if title else "") + (" and date" if dated else " (undated)"),
                                   rule_id=blk.heading_rule, **base, **when))
            elif name and (title or dated):
                out.append(Finding(accepted=False, reason="the customer's signature block holds a printed name but no "
                                   "handwritten mark (a typed or font-set name is a flat signature)",
                                   rule_id="no_handwritten_mark", **base, **when))
            elif blk.ocr and not name and not blk.wordy:
                out.append(Finding(accepted=False, reason="the scanned customer signature block could not be read "
                                   "and no handwritten mark was found in it", rule_id=blk.heading_rule,
                                   **base, **when))
            else:
                out.append(Finding(accepted=False, reason="the customer signature block is empty or unsigned",
                                   rule_id=blk.heading_rule, **base, **when))
    return out


#: date_source of an acknowledgement dated by hand in a way OCR could not read: a reviewer reads it.
HANDWRITTEN_UNREAD = "a date written by hand that could not be read"


def handwritten_date(part: Part, order: str, *, near: InkMark | None = None, block: _Block | None = None) -> dict:
    """Date fields from a date written by hand (a mark beside a date label, read by OCR) that belongs with a
    signature: in the same block (`block`: its date label inside the block's text), or read through the same
    printed lines as the signature mark `near` (its name, its title), or the page's only handwritten date.
    Without a legible date, its label's span and HANDWRITTEN_UNREAD when one was written there."""
    dated = [m for m in part.ink_marks or () if m.anchor == "mark" and m.reading is not None]
    own = {ln.start for ln in near.lines} if near else set()
    unread: dict = {}
    for m in dated:
        label = next((ln for ln in m.lines if ln.where in ("beside", "above")), None)
        if label is None:
            continue
        ours = (block.start <= label.start < block.end if block else bool(own & {ln.start for ln in m.lines})
                or len(dated) == 1)
        found = find_dates(m.reading, order=order) if ours else []
        if found:
            return {"date": found[0].date, "date_span": (label.start, label.end),
                    "date_source": f"date written by hand ({found[0].text}, read by OCR)"}
        if ours:
            unread = {"date_span": (label.start, label.end), "date_source": HANDWRITTEN_UNREAD}
    return unread


def _undated(handwritten: dict, fallback) -> dict:
    """A legible handwritten date; else the fallback's date; else the note that a date was written by hand."""
    if handwritten.get("date"):
        return handwritten
    return fallback() or handwritten


def _inked_finding(part: Part, marks: list[InkMark], base: dict, when: dict) -> Finding:
    """A customer block whose signature area was measured: a handwritten mark is a wet signature;
    without one, a printed, typed or script-font name is a flat signature."""
    page = f"page {part.page}" if part.page else part.path
    mark = max(marks, key=lambda m: (m.inked, m.ink))
    details = {**base.pop("details"), "ink": mark.ink, "ink_region": mark.region,
               "date_part": when.pop("date_part", None)}
    if mark.inked:
        read = [k for k in ("name", "title") if details[k]]
        read += ["date"] if when.get("date_source") == "signature block date" else []
        return Finding(accepted=True, reason="customer signature block with a handwritten signature"
                       + (f" ({', '.join(read)} printed)" if read else ""), rule_id="handwritten_mark",
                       note=f"handwritten mark found in the signature area, {page}", details=details, **base, **when)
    reason = ("the customer's signature line holds only a printed or script-font name, no handwritten mark "
              "(a flat signature)" if details["name"] else "the customer's signature line is empty (no handwritten "
              "mark found in the signature area)")
    return Finding(accepted=False, reason=reason, rule_id="no_handwritten_mark",
                   note=f"{reason}, {page}", details=details, **base, **when)


def _mark_findings(claim: Claim, doc: Document, order: str, docs: Sequence[Document], dates: dict) -> list[Finding]:
    """Handwritten marks found anywhere on the document's pages, read through the lines around them."""
    parties = _parties(claim)
    head: str | None = None
    out: list[Finding] = []
    for part in doc.parts:
        owners: dict = {}  # the parties each line of the page names, shared by its marks
        for mark in part.ink_marks or ():
            if mark.anchor != "mark" or mark.reading is not None:
                continue  # a date written by hand is not a signature
            head = head or letterhead_owner(doc, parties, claim)
            r = read_mark(part, mark, parties=parties, claim=claim, letterhead=head, order=order, owners=owners)
            if r.signer is None:
                continue  # nothing around it makes it a signature (a logo, a stamp, a doodle)
            quote = r.owner_line or r.anchor
            when = {"date": r.date.date, "date_span": (r.date.start, r.date.end),
                    "date_source": "date beside the signature"} if r.date else _undated(
                handwritten_date(part, order, near=mark), partial(_letter_date, part, doc, docs, order, dates))
            page = f"page {part.page}" if part.page else part.path
            details = {"owner": r.owner, "signer_cue": r.signer, "ink_region": mark.region,
                       "owner_from": "letterhead" if r.owner_line is None and r.owner != "unknown" else "nearby text",
                       "date_part": when.pop("date_part", None), "name": None, "title": None}
            base = {"kind": WET, "rule_id": "handwritten_mark", "file": part.file, "part": part,
                    "start": quote.start if quote else 0, "end": quote.end if quote else 0, "details": details}
            if r.owner == "customer":
                how = "on the customer's letterhead" if details["owner_from"] == "letterhead" else "by the customer"
                out.append(Finding(accepted=True, reason=f"handwritten signature {how} ({r.signer} beside it)",
                                   note=f"handwritten mark found on {page}", **base, **when))
            elif r.owner == "partner":
                out.append(Finding(accepted=False, reason="the handwritten signature is the partner's, not the "
                                   "customer's", note=f"handwritten mark found on {page}", **base, **when))
            else:
                out.append(Finding(accepted=False, reason="a handwritten signature that nothing around it ties to "
                                   "the customer (no name, domain or role of the customer beside it, and not on "
                                   "the customer's letterhead)", note=f"handwritten mark found on {page}",
                                   **base, **when))
    return out


# ---------------------------------------------------------------- e-signature certificates


def _emails(text: str, known: Sequence[str]) -> list[tuple[str, int, int]]:
    """Addresses in text, re-joining addresses that a certificate's narrow column wrapped onto two lines."""
    out = []
    for m in EMAIL_ADDRESS.finditer(text):
        addr, end = m.group(), m.end()
        nxt = re.match(r"\n([a-z0-9.-]{1,24})(?=\s|$)", text[end:], re.IGNORECASE)
        if nxt:
            joined = addr + nxt.group(1)
            domain = addr.rsplit("@", 1)[1]
            if domain_matches(joined, known) or ("." not in domain and "." in nxt.group(1)):
                addr, end = joined, end + nxt.end()
        out.append((addr.lower().rstrip("."), m.start(), end))
    return out


def _date_after(dates: list[FoundDate], pos: int, limit: int) -> FoundDate | None:
    return next((d for d in dates if pos <= d.start <= pos + limit), None)


def certificate(part: Part, claim: Claim, *, order: str) -> Finding | None:
    """An e-signature certificate of completion on this page, or None."""
    text = part.text
    title = first_match("titles", text)
    if not title:  # most pages: the ids and vendors are not looked for
        return None
    ident = first_match("ids", text)
    if not ident or not re.search(r"\bsign", text, re.IGNORECASE):
        return None
    vendor = first_match("vendors", text)
    dates = find_dates(text, order=order)
    if not dates:
        return None
    cust_domains, known = claim.customer.domains, [*claim.customer.domains, *claim.partner.domains]
    parties = _parties(claim)
    events = [(rid, m) for rid, rx in _compiled("events") for m in rx.finditer(text)]
    signed_events = sorted((m for rid, m in events if rid == "signed_at"), key=lambda m: m.start())
    emails = _emails(text, known)
    signers = []
    for i, (addr, s, e) in enumerate(emails):
        nxt = emails[i + 1][1] if i + 1 < len(emails) else len(text)
        prev = emails[i - 1][2] if i else max(0, s - 200)
        seg = text[e:nxt]
        is_customer = domain_matches(addr, cust_domains) or bool(parties["customer"].search(seg[:300]))
        is_customer = is_customer and not domain_matches(addr, claim.partner.domains)
        signed = None
        for m in signed_events:
            if e <= m.start() < nxt:
                signed = _date_after(dates, m.end(), 30)
                if signed:
                    break
        if signed is None:  # the signing event on the signer's name line, just before the address
            own = max(prev, text.rfind("\n", 0, max(0, text.rfind("\n", 0, s))) + 1)
            for m in reversed(signed_events):
                if own <= m.start() < s:
                    signed = _date_after(dates, m.end(), 30)
                    if signed:
                        break
        signers.append({"email": addr, "customer": is_customer, "signed": signed, "start": s, "end": e})
    completed = None
    for rid, m in events:
        if rid == "completed_at":
            hit = _date_after(dates, m.end(), 60)
            if hit and (completed is None or hit.start > completed.start):
                completed = hit
    customer_signed = [s for s in signers if s["customer"] and s["signed"]] or _signed_in_rows(
        text, emails, signers, signed_events, dates)
    details = {"id": ident[1].group(1), "signers": sorted({s["email"] for s in signers if s["signed"]}),
               "customer_signers": sorted({s["email"] for s in customer_signed}),
               "completed": completed.date.isoformat() if completed else None, "vendor_rule": (vendor or title)[0],
               "events": len(events)}
    stamp = completed or (customer_signed[0]["signed"] if customer_signed else None)
    base = {"kind": ESIGN, "rule_id": ident[0], "file": part.file, "part": part, "start": ident[1].start(),
                "end": ident[1].end(), "details": details, "note": CERT_NOTE}
    unfinished = first_match("unfinished", text)
    if unfinished:
        return Finding(accepted=False, reason="the e-signature envelope was not completed "
                       f"({' '.join(unfinished[1].group().split())})", **base)
    if customer_signed:
        return Finding(accepted=True, reason="e-signature certificate of completion signed by the customer "
                       f"({', '.join(details['customer_signers'])})", date=stamp.date,
                       date_span=(stamp.start, stamp.end),
                       date_source="certificate completion time" if completed else "certificate signing time",
                       **base)
    why = ("no signer at a customer domain" if any(s["signed"] for s in signers)
           else "no signing timestamp for a customer signer")
    return Finding(accepted=False, reason=f"e-signature certificate with {why}", **base)


def _signed_in_rows(text: str, emails: list, signers: list[dict], signed_events: list[re.Match],
                    dates: list[FoundDate]) -> list[dict]:
    """Customer signers of a certificate laid out as a table (a signer row with its status, or an event log
    row "time | Signed | address"): a signing event on the address's own lines, from two lines before it to
    the next address, and the date nearest that event."""
    out = []
    for i, (addr, s, e) in enumerate(emails):
        if not signers[i]["customer"]:
            continue
        lo = s
        for _ in range(3):
            lo = text.rfind("\n", 0, max(0, lo - 1)) + 1
        lo = max(lo, emails[i - 1][2] if i else 0)
        hi = emails[i + 1][1] if i + 1 < len(emails) else min(len(text), e + 400)
        event = next((m for m in signed_events if lo <= m.start() < hi), None)
        if event is None:
            continue
        near = [d for d in dates if lo <= d.start < hi]
        if near:
            signed = min(near, key=lambda d: abs(d.start - event.start()))
            out.append({**signers[i], "signed": signed})
    return out


# ---------------------------------------------------------------- e-mails


def own_text_end(body: str) -> int:
    """Where the writer's own text ends: the first quote, reply header or forwarded-message marker."""
    cut = len(body)
    for key in ("quote_markers", "forward_markers"):
        hit = first_match(key, body)
        if hit:
            cut = min(cut, hit[1].start())
    return cut


def approval_phrase(text: str) -> tuple[str, int, int] | None:
    """The first sentence-level approval phrase in `text` not turned into a request, condition or denial."""
    for rid, rx in _compiled("approval_phrases"):
        for m in rx.finditer(text):
            sent_start = max(text.rfind(c, 0, m.start()) for c in ".!?\n") + 1
            ends = [i for i in (text.find(c, m.end()) for c in ".!?\n") if i >= 0]
            sent_end = min(ends) if ends else len(text)
            before = text[sent_start:m.start()] + " " + m.group()
            if sent_end < len(text) and text[sent_end] == "?":
                continue
            if first_match("not_approval", before):
                continue
            return rid, m.start(), m.end()
    return None


def is_top_level(part: Part) -> bool:
    """An e-mail body that is not itself attached inside another e-mail."""
    return ".msg >" not in part.file.lower() and ".eml >" not in part.file.lower() and " > " not in part.path


def _address_in_thread(name: str | None, quoted: str) -> str | None:
    """The sender's address when the message lacks it (an Exchange-only sender): the address the quoted
    earlier message of the thread gives beside the same display name ("To: Name <address>")."""
    name = " ".join((name or "").split())
    if len(name) < 3 or "@" in name:
        return None
    m = re.search(re.escape(name) + r"\s*<\s*([^<>\s]+@[^<>\s]+)\s*>", quoted, re.IGNORECASE)
    return m.group(1).lower() if m else None


def _email_findings(claim: Claim, doc: Document) -> list[Finding]:
    out: list[Finding] = []
    domains = claim.customer.domains
    for part in doc.parts:
        if part.kind != "email_body" or part.email is None:
            continue
        body, meta = part.text or "", part.email
        cut = own_text_end(body)
        sent = meta.sent.date() if meta.sent else None
        when = {"date": sent, "date_source": "e-mail sent date"} if sent else {}
        sender_email = meta.sender_email or _address_in_thread(meta.sender, body[cut:])
        from_customer = domain_matches(sender_email, domains)
        if from_customer:
            hit = approval_phrase(body[:cut])
            if hit:
                out.append(Finding(kind=EMAIL, accepted=True, reason=f"e-mail from the customer ({sender_email})"
                                   " confirming the work", rule_id=hit[0], file=part.file, part=part,
                                   start=hit[1], end=hit[2], details={"sender": sender_email}, **when))
            else:
                out.append(Finding(kind=EMAIL, accepted=False, reason="the customer's e-mail does not confirm or "
                                   "approve the work (a signature block alone is not an acknowledgement)",
                                   rule_id="no_approval", file=part.file, part=part, start=0,
                                   end=min(cut, 200), details={"sender": sender_email}, **when))
            continue
        rest = body[cut:]
        quoted = sorted((m for _rid, rx in _compiled("quoted_sender") for m in rx.finditer(rest)), key=lambda m: m.start())
        for m in quoted:
            addrs = EMAIL_ADDRESS.findall(m.group())
            if addrs and domain_matches(addrs[0], domains):
                hit = approval_phrase(rest[m.end():])
                if hit:
                    s = cut + m.end() + hit[1]
                    out.append(Finding(kind=EMAIL, accepted=False, reason="the customer's approval is only inside a "
                                       "forwarded or quoted e-mail sent by someone else", rule_id="forwarded_approval",
                                       file=part.file, part=part, start=s, end=cut + m.end() + hit[2],
                                       details={"sender": meta.sender_email, "quoted_sender": addrs[0].lower()}))
                    break
    return out


# ---------------------------------------------------------------- digital signatures


def _signer_is_customer(sig: Signature, claim: Claim) -> bool:
    if domain_matches(sig.signer_email, claim.customer.domains):
        return True
    org = sig.signer_org or ""
    return bool(org) and bool(_parties(claim)["customer"].search(org))


def _digital_findings(claim: Claim, doc: Document) -> list[Finding]:
    out = []
    for sig in doc.signatures:
        who = sig.signer_name or sig.signer_email or sig.field
        when = {"date": sig.signing_time.date(), "date_source": "digital signature signing time"} \
            if sig.signing_time else {}
        if sig.valid and _signer_is_customer(sig, claim):
            out.append(Finding(kind=DIGITAL, accepted=True, reason=f"valid PDF digital signature by {who}",
                               rule_id="pdf_signature", file=sig.file, signature=sig, **when))
        elif sig.unverified and _signer_is_customer(sig, claim):
            out.append(Finding(kind=DIGITAL, accepted=False, unverified=True,
                               reason=f"the PDF digital signature by {who} is intact, but no trust roots are "
                                      "configured, so its signer cannot be verified",
                               rule_id="pdf_signature", file=sig.file, signature=sig, **when))
        else:
            why = "is not valid" if not sig.valid else "is not tied to a customer-domain signer"
            out.append(Finding(kind=DIGITAL, accepted=False, reason=f"PDF digital signature by {who} {why}",
                               rule_id="pdf_signature", file=sig.file, signature=sig, **when))
    return out


# ---------------------------------------------------------------- all together


def acknowledgements(claim: Claim, docs: Sequence[Document], ctx: CheckContext) -> list[Finding]:
    """Every acknowledgement candidate in the POE, accepted ones first (digital, e-sign, wet, e-mail)."""
    rank = {DIGITAL: 0, ESIGN: 1, WET: 2, EMAIL: 3}
    found: list[Finding] = []
    file_dates: dict = {}  # the letter date of each file, worked out once
    for doc in docs:
        found += _digital_findings(claim, doc)
        for part in doc.parts:
            if part.text and part.kind != "email_body":
                cert = certificate(part, claim, order=ctx.date_order)
                if cert:
                    found.append(cert)
        found += _wet_findings(claim, doc, ctx.date_order, docs, file_dates)
        found += _mark_findings(claim, doc, ctx.date_order, docs, file_dates)
        found += _email_findings(claim, doc)
    found = _esigned_pages(found)
    return sorted(found, key=lambda f: (not f.accepted, rank[f.kind]))


def _esigned_pages(found: list[Finding]) -> list[Finding]:
    """In a document that carries an e-signature certificate, the signatures drawn on its pages are that
    e-signature's rendering: who signed is told by the certificate, not by the images."""
    esigned = {f.file for f in found if f.kind == ESIGN}
    return [Finding(**{**f.__dict__, "accepted": False,
                       "reason": "a signature image in an e-signed document; its certificate tells who signed"})
            if f.kind == WET and f.accepted and f.file in esigned else f for f in found]
