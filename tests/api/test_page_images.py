"""Evidence on page images (issue 16, finding 7): a page image for a text PDF, a scan and an e-mail, made by the
isolated reader (the server renders nothing); each quote boxed tightly in its check's colour and linked to its
finding and back; a signature mark boxed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from apihelp import REVIEWER, auth, dev_case, multipart

from service.store.page_images import line_boxes, load_index, quote_boxes

_MARK = re.compile(r'<(?:a|span) class="mark (\w+)(?: (\w+))?" id="([\w-]+)"(?: href="#([\w-]+)")?[^>]*?'
                   r'style="left: ([\d.]+)%; top: ([\d.]+)%; width: ([\d.]+)%; height: ([\d.]+)%"', re.DOTALL)


def _check(client, case: str) -> tuple[str, dict]:
    claim, files = dev_case(case)
    r = client.post("/v1/checks", headers=auth(REVIEWER), files=multipart(claim, files))
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()


def _report_page(client, report_id: str) -> str:
    client.post("/login", data={"key": REVIEWER})
    page = client.get(f"/reports/{report_id}")
    assert page.status_code == 200
    return page.text


def _marks(html: str) -> list[dict]:
    return [{"kind": m[0], "status": m[1], "id": m[2], "href": m[3], "box": [float(v) for v in m[4:8]]}
            for m in _MARK.findall(html)]


def _evidence(body: dict, check_id: str) -> list[dict]:
    return next(c for c in body["checks"] if c["id"] == check_id)["evidence"]


def _words_of(entry: dict, ev: dict) -> list[list]:
    return [w for w in entry["words"] if w[0] < ev["end"] and w[1] > ev["start"]]


def _inside(word: list, box) -> bool:
    x0, y0, x1, y1 = box
    return word[2] >= x0 - 1e-3 and word[3] >= y0 - 1e-3 and word[4] <= x1 + 1e-3 and word[5] <= y1 + 1e-3


def test_text_pdf_page_is_rendered_and_a_quote_box_is_tight(client, settings):
    report_id, body = _check(client, "dev-002")
    entries = load_index(settings, report_id)
    first = next(e for e in entries if e["part"].endswith("Cobalt_Ridge.pdf > page 1"))
    png = client.get(f"/v1/checks/{report_id}/pages/{first['n']}", headers=auth(REVIEWER))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    from models.report import Evidence

    name = next(Evidence(**e) for e in _evidence(body, "party_names") if e["quote"] == "Ironleaf Consulting Group")
    boxes = quote_boxes(first, name)
    assert len(boxes) == 1  # three words on one line: one box
    (x0, y0, x1, y1), = boxes
    assert (x1 - x0) * (y1 - y0) < 0.005  # under half a percent of the page, not half the page
    words = _words_of(first, name.model_dump())
    assert " ".join(w[6] for w in words) == "Ironleaf Consulting Group"
    assert all(_inside(w, boxes[0]) for w in words)
    long = next(Evidence(**e) for e in _evidence(body, "applicable_activities") if len(e["quote"].split()) > 8)
    lines = quote_boxes(first, long)
    assert 1 < len(lines) <= len(long.quote.split())  # one box per line the quote runs over
    assert sum((b[2] - b[0]) * (b[3] - b[1]) for b in lines) < 0.05
    assert all(any(_inside(w, b) for b in lines) for w in _words_of(first, long.model_dump()))


def test_highlights_are_coloured_by_status_and_linked_to_their_findings_and_back(client):
    report_id, body = _check(client, "dev-002")
    html = _report_page(client, report_id)
    marks = [m for m in _marks(html) if m["kind"] == "quote"]
    status = {c["id"]: c["status"] for c in body["checks"]}
    assert marks
    for m in marks:
        check_id = m["href"].removeprefix("ev-").rsplit("-", 1)[0]
        assert f'id="{m["href"]}"' in html  # the box leads to its finding
        assert m["status"] == status[check_id]
        assert m["box"][3] < 3  # one line of text high (percent of the page)
    back = re.findall(r'class="to-page" href="#([\w-]+)"', html)
    assert back and all(f'id="{target}"' in html for target in back)  # each finding leads to its box


def test_msg_is_drawn_as_a_page_with_header_and_body_quotes_boxed(client, settings):
    report_id, body = _check(client, "dev-010")
    entries = load_index(settings, report_id)
    mail = next(e for e in entries if e["part"].endswith(".msg > body"))
    assert any(f[0] == "From" for f in mail["fields"]) and mail["words"]
    png = client.get(f"/v1/checks/{report_id}/pages/{mail['n']}", headers=auth(REVIEWER))
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    from models.report import Evidence

    header = next(Evidence(**e) for e in _evidence(body, "email_provenance") if e["quote"].startswith("From:"))
    boxes = quote_boxes(mail, header)
    labels = {f[0] for f in mail["fields"] if tuple(f[1:5]) in boxes}
    assert {"From", "To"} <= labels and "Subject" not in labels
    name = next(Evidence(**e) for e in _evidence(body, "party_names") if e["part"] == mail["part"])
    words = _words_of(mail, name.model_dump())
    assert " ".join(w[6] for w in words) == name.quote
    assert all(any(_inside(w, b) for b in quote_boxes(mail, name)) for w in words)
    html = _report_page(client, report_id)
    assert f'id="page-{mail["n"]}"' in html and "email_provenance" in html


def test_the_server_process_never_parses_or_renders_an_upload(client, settings, monkeypatch):
    import pypdfium2
    from PIL import Image

    from service.ingest import ocr

    def refuse(*args, **kwargs):
        raise AssertionError("the server process read an upload")

    monkeypatch.setattr(pypdfium2, "PdfDocument", refuse)
    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr(ocr, "run_tesseract", refuse)
    report_id, _ = _check(client, "dev-002")
    assert load_index(settings, report_id)
    from service.store import page_images

    assert "tesseract" not in Path(page_images.__file__).read_text(encoding="utf-8")


@pytest.mark.ocr
def test_scan_signature_mark_and_date_are_boxed(client, settings):
    report_id, _ = _check(client, "dev-018")
    entries = load_index(settings, report_id)
    assert entries and all(e["image"].endswith(".jpg") for e in entries)
    jpeg = client.get(f"/v1/checks/{report_id}/pages/{entries[0]['n']}", headers=auth(REVIEWER))
    assert jpeg.headers["content-type"] == "image/jpeg" and jpeg.content[:2] == b"\xff\xd8"
    html = _report_page(client, report_id)
    marks = _marks(html)
    ink = [m for m in marks if m["kind"] == "ink" and m["href"]]
    assert ink and all(m["href"].startswith("ev-customer_acknowledgement-") for m in ink)
    dates = [m for m in marks if m["kind"] == "quote" and m["href"].startswith("ev-dates-")]
    assert dates and all(m["status"] == "fail" for m in dates)
    assert all(m["box"][2] * m["box"][3] < 100 for m in dates)  # under 1% of the page each


def test_words_on_one_line_make_one_box():
    words = [[0, 4, .10, .20, .15, .21, "Signed"], [5, 7, .16, .20, .18, .21, "on"], [8, 12, .10, .25, .14, .26, "3 July"]]
    assert line_boxes(words) == [(.10, .20, .18, .21), (.10, .25, .14, .26)]
