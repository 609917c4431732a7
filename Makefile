# Quick start: `make run` (set up + serve on embedded defaults), `make test` (set up + every test).
.PHONY: setup run test bench lint

setup:
	bash scripts/setup.sh

run: setup
	.venv/bin/poecheck serve

test: setup
	OMP_THREAD_LIMIT=1 .venv/bin/pytest -q

bench: setup
	OMP_THREAD_LIMIT=1 .venv/bin/python -m bench

lint: setup
	.venv/bin/python -m ruff check models checks service tests
