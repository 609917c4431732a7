"""Shared test helpers: the fixtures folder, a Settings object that touches only tmp_path, the two
databases every store test runs on (the embedded SQLite and a real PostgreSQL server started here), and how
`make test` shares the suite between two xdist workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DATABASES = [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql")]
#: The longest modules (wall seconds, serial run on a loaded machine), handed out first when the suite runs on
#: several workers so that they finish together; every other module follows in collection order.
LONGEST_FIRST = (
    "tests/evaluate/test_eval_held_out.py",  # 258 (one group per corpus: 140, 57, 46, 15)
    "tests/ingest/test_corpus.py",  # 181 files through inspect, most of them OCR'd
    "tests/web/test_self_check_browser.py",  # 114
    "tests/bench/test_bench_smoke.py",  # 110
    "tests/store/test_migrations.py",  # 94
    "tests/ingest/test_ocr.py",  # 92
    "tests/fuzz/test_fuzz.py",  # 66
    "tests/web/test_pages.py",  # 55
    "tests/batch/test_batch_queue.py",  # 48
    "tests/web/test_reviewer_decisions.py",  # 46
)
#: Session fixtures computed once per worker: the tests that use one are kept on one worker.
SHARED_ACROSS_MODULES = ("expected_backlog",)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup`: tests that share an expensive session fixture form one group, and the
    longest modules come first (the order in which the scheduler hands out modules and groups)."""
    if config.getoption("dist", "no") != "loadgroup":
        return
    for item in items:
        shared = [name for name in SHARED_ACROSS_MODULES if name in item.fixturenames]
        if shared and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(shared[0]))

    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadgroup`, but a test without an xdist_group mark goes with its module (not alone), so the
    module-scoped fixtures (live servers, browsers, Dask clusters, evaluated corpora) are built once."""
    if config.getoption("dist") != "loadgroup":
        return None
    # xdist is imported only when it schedules (plain `pytest` runs without it)
    from xdist.scheduler import LoadGroupScheduling

    class ModuleOrGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            group = super()._split_scope(nodeid)
            return group if group != nodeid else nodeid.split("::", 1)[0]

    return ModuleOrGroupScheduling(config, log)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default settings with the data folder in tmp_path and two OCR workers."""
    return Settings(data_dir=tmp_path, ocr_workers=2)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the whole run (scripts/setup.sh installs Debian's `postgresql`)."""
    from pgserver import PgServer, find_bin

    bindir = find_bin()
    if bindir is None:
        pytest.fail("PostgreSQL's initdb is not installed: run `make setup` (Debian package postgresql)")
    server = PgServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture(params=DATABASES)
def database_url(request) -> str | None:
    """None (the embedded SQLite store in data_dir) or the URL of a new, empty PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database()
    yield url
    from service.store.sessions import dispose

    dispose(Settings(database_url=url))
    server.drop_database(url)

