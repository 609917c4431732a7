"""Every benchmark on tiny inputs (bench.inputs.SMOKE: one repetition), so none can rot.

Structure and sanity only (figures present, positive, ratios computed); speed is never asserted here.
"""
from __future__ import annotations

import pytest

from bench.inputs import SMOKE
from bench.report import markdown
from bench.suite import module_names, run_suite

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def results() -> dict:
    return run_suite(SMOKE)


def positive(*values: float) -> bool:
    return all(isinstance(v, int | float) and v > 0 for v in values)


def test_every_module_ran_without_error(results):
    assert set(results["benchmarks"]) == set(module_names())
    failed = {name: r["error"] for name, r in results["benchmarks"].items() if "error" in r}
    assert failed == {}


def test_machine_is_recorded(results):
    m = results["machine"]
    assert m["cores"] >= 1 and m["cpu"] and m["python"].count(".") == 2
    assert m["tesseract"][0].isdigit()


def test_ingestion_figures_and_ratios(results):
    text = results["benchmarks"]["text_bench"]
    assert set(text["text_extraction"]) == {f"{n}p" for n in SMOKE.text_pages}
    for row in text["text_extraction"].values():
        assert positive(row["poecheck_ms_per_page"], row["pypdfium2_ms_per_page"], row["pypdf_ms_per_page"])
        assert row["ratio_vs_pypdfium2"] == pytest.approx(row["poecheck_ms_per_page"] / row["pypdfium2_ms_per_page"],
                                                          rel=0.05)
        assert positive(row["poecheck_text_ms_per_page"], row["text_ratio_vs_pypdfium2"],
                        row["poecheck_no_ink_ms_per_page"], row["no_ink_ratio_vs_pypdfium2"])
    # the first page of the first letter has no signature label; its second page is where it is signed
    assert [text["text_extraction"][f"{n}p"]["signature_label_pages"] for n in SMOKE.text_pages] == [0, 1]
    assert text["msg"]["attachments"] == 3 and text["msg"]["parts"] > 3
    ocr = results["benchmarks"]["ocr_bench"]
    assert set(ocr["ocr"]) == {f"{n}p" for n in SMOKE.scan_pages}
    for row in ocr["ocr"].values():
        assert positive(row["poecheck_ms_per_page"], row["tesseract_ms_per_page"], row["ratio"])
    assert ocr["ocr_agreement"]["agreement"] >= 0.99  # the resident engine reads the CLI's words


def test_checks_and_cli_figures(results):
    checks = results["benchmarks"]["checks_bench"]
    assert all(positive(checks[f"{n}p"]["ms_per_document"]) for n in SMOKE.text_pages)
    cli = results["benchmarks"]["cli_bench"]
    assert positive(cli["check_1p_text_s"], cli["python_startup_s"], cli["check_imports_s"])
    assert cli["python_startup_s"] < cli["check_1p_text_s"]


def test_service_answered_every_request(results):
    service = results["benchmarks"]["service_bench"]
    for key, count in (("text_1p", SMOKE.http_requests), ("ocr_1p", SMOKE.http_ocr_requests)):
        assert service[key]["ok"] == service[key]["requests"] == count
        assert positive(service[key]["requests_per_s"], service[key]["p50_ms"])
        assert service[key]["p99_ms"] >= service[key]["p50_ms"]


def test_batch_runs_agree_and_reuse_finds_every_copy(results):
    batch = results["benchmarks"]["batch_bench"]
    runs = [batch[k] for k in ("one_worker", "two_workers", "dask_2_workers")]
    assert {(r["claims"], r["documents"]) for r in runs} == {(SMOKE.backlog_claims, SMOKE.backlog_claims)}
    assert positive(batch["speedup_2_vs_1"], batch["speedup_dask_vs_1"])
    assert batch["reuse"]["found"] == batch["reuse"]["planted_duplicates"] > 0
    assert batch["reuse"]["false_matches"] == 0


def test_payout_and_memory_figures(results):
    payout = results["benchmarks"]["payout_bench"]
    assert payout["tenants"] == SMOKE.usage_tenants and payout["rows"] >= 8 * 12 * SMOKE.usage_tenants
    assert positive(payout["rows_per_s"], payout["peak_mb"], payout["total_dollars"])
    memory = results["benchmarks"]["memory_bench"]
    assert memory["scan_pages"] == max(SMOKE.scan_pages)
    assert positive(memory["worker_peak_mb"], memory["tesseract_peak_mb"])


def test_markdown_table_has_a_row_per_figure(results):
    table = markdown(results)
    for label in ("Text extraction, 1-page PDF", "OCR, 1-page scan", "Checks after ingestion",
                  "`poecheck check`", "Service over HTTP", "Batch,", "Dask", "Payout", "Worker peak RSS",
                  "(signature labels on 1 of 2 pages)"):
        assert label in table
    assert "None" not in table


def test_scale_out_figures_and_ratios(results):
    so = results["benchmarks"]["scaleout_bench"]
    for key in ("dask_1_worker", "dask_2_workers"):
        assert so[key]["done"] == so[key]["jobs"] and positive(so[key]["jobs_per_s"])
    for key in ("replicas_1", "replicas_2"):
        assert so[key]["ok"] == so[key]["requests"] and positive(so[key]["requests_per_s"])
    assert positive(so["async_scans_ratio_2_vs_1"], so["replicas_ratio_2_vs_1"])
    assert "2 Dask workers" in markdown(results) and "2 API replicas" in markdown(results)
