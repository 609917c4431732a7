"""Page images kept with a report, and where each quote of the report sits on them.

The isolated reader makes the pictures (service.ingest.page_view: text PDF pages rendered, scans as OCR
read them, e-mails and .docx bodies drawn as plain pages) with their word boxes. Here the server only
writes the image files of the pages a finding cites or that show a handwritten mark, with an index
(word boxes with their offsets in the part text, e-mail header lines, mark regions), and, when a report
page is shown, matches each quote to its words. Nothing here decodes or renders an upload. Boxes are
fractions of the page, so any displayed size can show them.
"""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz

from models import Document, Report
from models.report import Evidence
from service.config import Settings

MAX_PAGES = 60  # images kept per report (a reviewer reads the cited pages, not a 200-page annex)
MIN_MATCH = 70.0  # rapidfuzz ratio a run of words needs to count as a quote that has no offsets
_SUFFIX = {"image/png": "png", "image/jpeg": "jpg"}
_REPORT_ID = re.compile(r"^[0-9a-f]{32}$")
_LABEL = re.compile(r"^\s*(\w+):")
Box = tuple[float, float, float, float]


def report_dir(settings: Settings, report_id: str) -> Path:
    """Folder of a report's page images."""
    if not _REPORT_ID.match(report_id):
        raise ValueError("bad report id")
    return settings.files_dir / "pages" / report_id


def save_page_images(settings: Settings, report_id: str, docs: Sequence[Document], report: Report) -> int:
    """Write the images of the cited or signed pages and index.json for `report_id`; returns how many."""
    cited = {e.part for c in report.checks for e in c.evidence}
    areas: dict[tuple[str, int | None], list[dict]] = {}
    for doc in docs:
        for part in doc.parts:
            if part.box is not None and part.path in cited:  # an annotation: boxed on its page's image
                areas.setdefault((part.file, part.page), []).append({"part": part.path, "box": list(part.box)})
    folder = report_dir(settings, report_id)
    entries: list[dict] = []
    for doc in docs:
        for part in doc.parts:
            inked = [m for m in part.ink_marks or () if m.inked]
            marks = [m for m in inked if m.anchor == "mark"] or inked  # the strokes, else the signature area
            extra = areas.get((part.file, part.page), []) if part.kind in ("pdf_page", "image_page") else []
            if not part.images or not (part.path in cited or marks or extra):
                continue
            for image in part.images:
                if len(entries) >= MAX_PAGES:
                    break
                n = len(entries) + 1
                name = f"{n}.{_SUFFIX[image.media_type]}"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(image.data)
                entries.append({
                    "n": n, "part": part.path, "file": part.file, "page": part.page, "image": name,
                    "width": image.width, "height": image.height, "words": [list(w) for w in image.words],
                    "fields": [list(f) for f in image.fields], "areas": extra,
                    "marks": [{"region": list(m.region), "spans": [[m.offset, m.offset + 1]]
                               + [[ln.start, ln.end] for ln in m.lines]} for m in marks] if len(part.images) == 1 else [],
                })
    if entries:
        (folder / "index.json").write_text(json.dumps(entries), encoding="utf-8")
    return len(entries)


def without_images(docs: Sequence[Document]) -> list[Document]:
    """The documents without their page images (what the checks read, lighter to send to a worker)."""
    return [d.model_copy(update={"parts": [p.model_copy(update={"images": ()}) if p.images else p for p in d.parts]})
            for d in docs]


def load_index(settings: Settings, report_id: str) -> list[dict]:
    """The page entries of a report ([] when none were kept)."""
    path = report_dir(settings, report_id) / "index.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def image_file(settings: Settings, report_id: str, n: int) -> Path | None:
    """The image file of page entry `n`, or None."""
    for entry in load_index(settings, report_id):
        if entry["n"] == n:
            return report_dir(settings, report_id) / entry["image"]
    return None


def delete_pages(settings: Settings, report_id: str) -> None:
    """Remove a report's page images."""
    shutil.rmtree(report_dir(settings, report_id), ignore_errors=True)


def quote_boxes(entry: dict, ev: Evidence) -> list[Box]:
    """Where evidence `ev` sits on page entry `entry`: one box per line of its words.

    A quote with offsets is the words of the part text it spans (exact, whatever the quote says: a date may
    be quoted as ISO); an annotation its box; an e-mail header quote ('From: …; To: …') the header lines it
    names; anything else the run of words that best matches the quote (a page read again)."""
    words = entry.get("words", [])
    for area in entry.get("areas", []):
        if area["part"] == ev.part:
            return [tuple(area["box"])]
    if ev.part != entry["part"]:
        return []
    if ev.end > ev.start and any(w[0] >= 0 for w in words):
        return line_boxes([w for w in words if w[0] < ev.end and w[1] > ev.start])
    labels = {m.group(1).lower() for m in (_LABEL.match(s) for s in ev.quote.split(";")) if m}
    fields = [tuple(f[1:5]) for f in entry.get("fields", []) if f[0].lower() in labels]
    if fields:
        return fields
    return line_boxes(_fuzzy_run(words, ev.quote))


def mark_boxes(entry: dict, evidence: Sequence[tuple[str, int, Evidence]]) -> list[tuple[Box, str | None, int]]:
    """Each handwritten mark's region with the first finding (check id, index) whose quote touches the lines
    around it: (box, check id or None, evidence index)."""
    out = []
    for mark in entry.get("marks", []):
        linked: tuple[str | None, int] = (None, -1)
        for check_id, i, ev in evidence:
            if ev.part == entry["part"] and ev.end > ev.start and any(s < ev.end and e > ev.start
                                                                      for s, e in mark["spans"]):
                linked = (check_id, i)
                break
        out.append((tuple(mark["region"]), *linked))
    return out


def line_boxes(words: Sequence[Sequence]) -> list[Box]:
    """The words' boxes joined along each text line, in reading order (a quote over three lines is three
    boxes; a slightly skewed scan line stays one box)."""
    lines: list[list[float]] = []
    for w in sorted(words, key=lambda w: w[0]) if all(w[0] >= 0 for w in words) else words:
        x0, y0, x1, y1 = w[2:6]
        line = lines[-1] if lines else None
        if line is not None and min(line[3], y1) - max(line[1], y0) > 0.3 * min(line[3] - line[1], y1 - y0) \
                and -0.5 * (y1 - y0) < x0 - line[2] < 3 * (y1 - y0):
            line[:] = [min(line[0], x0), min(line[1], y0), max(line[2], x1), max(line[3], y1)]
        else:
            lines.append([x0, y0, x1, y1])
    return [tuple(line) for line in lines]


def _norm(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalnum())


def _fuzzy_run(words: Sequence[Sequence], quote: str) -> list[Sequence]:
    """The run of as many words as the quote has that reads most like it (at least MIN_MATCH)."""
    wanted = [t for t in (_norm(x) for x in quote.split()) if t]
    tokens = [_norm(str(w[6])) for w in words]
    if not wanted or not tokens:
        return []
    target = " ".join(wanted)
    size = min(len(wanted), len(tokens))
    best, best_at = 0.0, -1
    for start in range(len(tokens) - size + 1):
        score = fuzz.ratio(target, " ".join(t for t in tokens[start:start + size] if t))
        if score > best:
            best, best_at = score, start
    if best < MIN_MATCH:
        return []
    return [w for w in words[best_at:best_at + size] if _norm(str(w[6]))]
