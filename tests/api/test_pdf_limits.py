"""Hostile PDF content (issue 15, item 4): what pdfium would parse is bounded before it parses it."""
from __future__ import annotations

import base64
import re
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from apihelp import CORPUS, DEV, ROOT

from service.config import Settings
from service.errors import PdfContentTooLarge
from service.ingest.pdf_limits import check_pdf_content, decode_filter
from tests.ingest.hostile import deflate_zeros, pdf_file

PDF_READER = ROOT / "service" / "ingest" / "pdf.py"


def _one_page(content_stream: bytes, *, resources: bytes = b"", extra: list[bytes] = ()) -> bytes:
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << %s >> >>" % resources,
        content_stream,
        *extra,
    ])


def _flate(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n%s\nendstream" % (len(packed), extra, packed)


def inflating_pdf(megabytes: int = 300) -> bytes:
    """One page whose single content stream inflates to `megabytes` MB (a ~300 KB file)."""
    stream = deflate_zeros(megabytes << 20)
    return _one_page(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream))


def form_drawn_many_times(form_ops: int, draws: int) -> bytes:
    """A page drawing one form XObject `draws` times: pdfium parses the form's content each time."""
    return _one_page(_flate(b"q /Fm1 Do Q\n" * draws), resources=b"/XObject << /Fm1 5 0 R >>", extra=[
        _flate(b"1 2 m 3 4 l S\n" * form_ops, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792]")])


def pages_sharing_one_stream(pages: int, content: bytes) -> bytes:
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                     _flate(content), *([page] * pages)])


def _refused(data: bytes, **limits) -> PdfContentTooLarge:
    with pytest.raises(PdfContentTooLarge) as err:
        check_pdf_content(data, file="hostile.pdf", settings=Settings(**limits))
    assert err.value.code == "content_too_large" and err.value.http_status == 413
    assert err.value.message.startswith("hostile.pdf: ")
    return err.value


def test_a_content_stream_inflating_to_300_mb_is_refused_quickly_and_small():
    started, before = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = _refused(inflating_pdf(300))
    assert "page 1" in error.message and "16 MB" in error.message
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KB: never inflated whole


def test_a_form_drawn_many_times_counts_each_time():
    small = form_drawn_many_times(form_ops=1_000, draws=10)
    check_pdf_content(small, file="ok.pdf", settings=Settings())
    error = _refused(form_drawn_many_times(form_ops=10_000, draws=1_000))  # 1 KB file, 30 M operators
    assert "page 1" in error.message


def test_pages_sharing_one_stream_count_it_for_every_page():
    content = b"1 2 m 3 4 l S\n" * 40_000  # 120,000 operators, 560 KB, fine for one page
    check_pdf_content(pages_sharing_one_stream(2, content), file="ok.pdf", settings=Settings())
    assert "adds up to" in _refused(pages_sharing_one_stream(50, content)).message


@pytest.mark.parametrize("filters", [
    pytest.param(b"/Filter [/FlateDecode /FlateDecode]", id="flate-in-flate"),
    pytest.param(b"/Filter [/ASCIIHexDecode /FlateDecode]", id="hex-then-flate"),
])
def test_chained_filters_are_decoded_within_the_budget(filters):
    inner = deflate_zeros(64 << 20)
    raw = zlib.compress(inner) if b"[/FlateDecode /FlateDecode]" in filters else inner.hex().encode() + b">"
    stream = b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(raw), filters, raw)
    _refused(_one_page(stream))


@pytest.mark.parametrize("data", [
    pytest.param(base64.a85encode(bytes(range(256)) * 3), id="all-bytes"),
    pytest.param(b"<~" + base64.a85encode(b"\0" * 8 + b"q 1 0 0 1 0 0 cm") + b"~>trailing", id="z-and-markers"),
    pytest.param(base64.a85encode(b"abcdefg") + b"\n \t\f", id="short-last-group"),
    pytest.param(b"87cURz", id="z-inside-a-group"),
    pytest.param(b"uuuuu", id="beyond-32-bits"),
    pytest.param(b"uu", id="short-group-beyond-32-bits"),
    pytest.param(b"87cUR{", id="not-a-digit"),
    pytest.param(b"", id="empty"),
])
def test_ascii85_reads_as_the_standard_library_does(data: bytes):
    body = re.sub(rb"\s", b"", data).split(b"~>", 1)[0].removeprefix(b"<~")
    try:
        expected = base64.a85decode(body)
    except ValueError:
        expected = b""
    assert decode_filter("/ASCII85Decode", data, limit=1 << 20) == expected


def test_ascii85_content_of_a_real_pdf_reads_as_the_standard_library_does():
    """reportlab writes page content as ASCII85 over Flate (the dev letters)."""
    data = next((DEV / "docs" / "dev-001").glob("*.pdf")).read_bytes()
    streams = list(re.finditer(rb"/Filter\s*\[\s*/ASCII85Decode[^>]*>>\s*stream\r?\n", data))
    assert streams
    for m in streams:
        raw = data[m.end():data.index(b"endstream", m.end())]
        decoded = decode_filter("/ASCII85Decode", raw, limit=1 << 20)
        assert decoded == base64.a85decode(raw.strip().removesuffix(b"~>"))
        assert zlib.decompress(decoded)


def test_a_damaged_page_tree_still_has_its_streams_bounded():
    data = inflating_pdf(64).replace(b"/Root 1 0 R", b"/Root 99 0 R").replace(b"xref", b"xrex")
    _refused(data)


def test_zero_turns_the_check_off():
    check_pdf_content(inflating_pdf(64), file="x.pdf", settings=Settings(pdf_page_content_mb=0))


def test_every_corpus_pdf_is_within_the_default_limits():
    settings = Settings()
    files = sorted({*CORPUS.rglob("*.pdf"), *DEV.rglob("*.pdf"), *(ROOT / "fixtures" / "poe_ext").rglob("*.pdf"),
                    *(ROOT / "fixtures" / "poe_holdout").rglob("*.pdf")})
    assert len(files) > 100
    for path in files:
        check_pdf_content(path.read_bytes(), file=path.name, settings=settings)


@pytest.mark.skipif("pdf_limits" not in PDF_READER.read_text(encoding="utf-8"),
                    reason="service/ingest/pdf.py does not call check_pdf_content yet")
def test_poecheck_inspect_ends_with_a_typed_error_within_30_s(tmp_path: Path):
    """`poecheck inspect` reads in-process, without the reader's limits: it ran for minutes."""
    path = tmp_path / "inflating.pdf"
    path.write_bytes(inflating_pdf(300))
    started = time.monotonic()
    done = subprocess.run([str(Path(sys.executable).parent / "poecheck"), "inspect", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2 and "content_too_large" in done.stderr, done.stderr
    assert time.monotonic() - started < 30
