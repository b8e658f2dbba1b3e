# One entry point for people, CI and the schedule: each target sets up what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: run test lint ui docs seeds bench bench-10m lock clean

# The virtual environment is rebuilt whenever the lock file changes.
$(INSTALLED): requirements.lock pyproject.toml expectations/web_assets.lock.json
	# Python's own venv first; where a distribution ships Python without it, virtualenv.
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { $(PYTHON) -m pip install --quiet --user virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	# The project's own packages (cmo_cio, orchestration, report, expectations, synthetic).
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# Data Docs' scripts and styles: locked npm tarballs, integrity-checked, kept in the venv.
	$(BIN)/python -m expectations.web_assets
	touch $(INSTALLED)

## run: refresh the warehouse headless (build, check, publish, report)
run: $(INSTALLED)
	@[ "$${CMO_CIO_ENGINE:-duckdb}" != spark ] || bash scripts/ensure_java.sh
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/warehouse/dagster_home} $(BIN)/python -m orchestration

## test: lint, then every test (dbt build included)
test: lint
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_java.sh
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# sqlfluff's dbt templater opens a database: give it a throwaway one.
	CMO_CIO_BUILD_DB=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models macros tests/dbt

## ui: the Dagster UI with the daily schedule running
ui: $(INSTALLED)
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/warehouse/dagster_home} \
	  $(BIN)/python -m orchestration.ui

## docs: the dbt docs on 127.0.0.1 (URL printed; CMO_CIO_DOCS_PORT picks the port), each
## public mart named as BI users query it in the serving database
docs: $(INSTALLED)
	$(BIN)/python -m orchestration.docs

## seeds: rewrite the synthetic raw exports from the codebook and targets
seeds: $(INSTALLED)
	$(BIN)/python -m synthetic.generate

## bench: the whole refresh at the 2011 size, 200k and 1M interviews per study, beside
## the same work written by hand in DuckDB (time, peak RSS of the process tree, rows/s)
BENCH_RESPONDENTS ?= 0 200000 1000000
BENCH_REPEAT ?= 1
bench: $(INSTALLED)
	$(BIN)/python -m bench.refresh --respondents $(BENCH_RESPONDENTS) --repeat $(BENCH_REPEAT)

## bench-10m: the refresh and the hand-written pass at 10 million interviews per study
bench-10m: $(INSTALLED)
	$(BIN)/python -m bench.refresh --respondents 10000000 --no-warm-up --only handwritten refresh

lock:
	rm -rf /tmp/cmo-cio-lock && $(PYTHON) -m venv /tmp/cmo-cio-lock
	/tmp/cmo-cio-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned from requirements.in with Python 3.11 (make lock). Do not edit by hand."; \
	  /tmp/cmo-cio-lock/bin/pip freeze; } > requirements.lock

clean:
	rm -rf warehouse target logs test-output
