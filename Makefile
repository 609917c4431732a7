# Quick start: `make run` (set up, migrate the embedded store, serve on embedded defaults), `make test` (set up + every test).
.PHONY: setup run test bench lint fuzz load

setup:
	bash scripts/setup.sh

run: setup
	.venv/bin/poecheck db upgrade
	.venv/bin/poecheck serve

# Two xdist workers (the machine's 2 cores); tests/conftest.py keeps each module (and each evaluated corpus) on one
# worker and hands out the longest first.
TEST_WORKERS ?= 2
test: setup
	OMP_THREAD_LIMIT=1 .venv/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

bench: setup
	OMP_THREAD_LIMIT=1 .venv/bin/python -m bench

# Fuzz the ingestion entry points with fresh random seeds for FUZZ_SECONDS each; failing inputs go to build/fuzz.
FUZZ_SECONDS ?= 600
fuzz: setup
	POECHECK_FUZZ_SECONDS=$(FUZZ_SECONDS) POECHECK_FUZZ_FINDINGS=build/fuzz OMP_THREAD_LIMIT=1 \
		.venv/bin/pytest -q -x -p no:cacheprovider tests/fuzz/test_fuzz.py

# Load test: 50 clients upload text and scanned POE to a live `poecheck serve` for 2 minutes -> bench/load_results.json.
load: setup
	OMP_THREAD_LIMIT=1 .venv/bin/python -m bench.load --clients 50 --seconds 120

lint: setup
	.venv/bin/python -m ruff check models checks service tests bench
