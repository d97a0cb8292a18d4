# The three things people do with this repository. Each installs what it needs first.
#   make serve    build the site from the committed measurements and serve it on http://127.0.0.1:8000
#   make test     run the whole test suite (real Docker, real chromium)
#   make measure  build, run and measure every variant; ONLY='hello-world/scratch-*' for a subset
#   make lint     ruff (lint and format check) and mypy
#   make bench    benchmark the webserver per C library and allocator (scripts/bench.py)
export NO_MKDOCS_2_WARNING := 1
ONLY ?=
MEASURE_ARGS ?=
BENCH_ARGS ?=

.PHONY: serve build test lint measure bench

serve:
	scripts/setup.sh docs
	.venv/bin/mkdocs serve --strict

build:
	scripts/setup.sh docs
	.venv/bin/mkdocs build --strict

test:
	scripts/setup.sh test
	.venv/bin/python -m pytest

lint:
	scripts/setup.sh lint
	.venv/bin/ruff check
	.venv/bin/ruff format --check
	.venv/bin/mypy

measure:
	scripts/setup.sh measure
	.venv/bin/python scripts/measure.py $(if $(ONLY),--only '$(ONLY)') $(MEASURE_ARGS)

bench:
	scripts/setup.sh bench
	.venv/bin/python scripts/bench.py $(BENCH_ARGS)
