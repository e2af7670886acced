# provarchive: two commands for a fresh machine with Python 3.10+.
#   make site   build the example archive into public/
#   make test   run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test test-deep lint golden bench import-score clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Browser-test tools from npm (axe-core, the Nu HTML checker); no install scripts run,
# so nothing downloads a browser or a Java runtime. Without npm those tests skip.
BROWSER_TOOLS := tests/browser/node_modules/.package-lock.json
$(BROWSER_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; else echo "npm not found: the axe and HTML-checker tests will skip"; fi

site: $(STAMP)
	$(BIN)/provarchive build .

test: $(STAMP) $(BROWSER_TOOLS)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/python -m pytest

# The property tests with new random examples, many more of them (10,000 for the parsers,
# 200 runs of 20 steps for the incremental state machine): slow, to look for bugs.
test-deep: $(STAMP) $(BROWSER_TOOLS)
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest -x tests

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

# Regenerate the golden pages after an intended change; review them with git diff.
golden: $(STAMP)
	PROVARCHIVE_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py

# Benchmark on synthetic archives of 1,000, 5,000 and 20,000 articles; Pelican is installed
# beside it for comparison, and Hugo is used when it is on PATH (apt-get install hugo).
# BENCH_ARGS=--scale adds 100,000-article rows (time per stage, memory of the process tree,
# output and index size; many minutes, about 3 GB of output).
bench: $(STAMP)
	test -x bench/.venv/bin/pelican || ($(PYTHON) -m venv bench/.venv && bench/.venv/bin/pip install --quiet pelican markdown) || true
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Field accuracy of the importer on the real pages of ../shared/importer-real/ (beside the
# checkout in the development workplace only; third-party pages, never copied here).
IMPORT_REAL := ../shared/importer-real
import-score: $(STAMP)
	@if [ -f $(IMPORT_REAL)/score.py ]; then $(PYTHON) $(IMPORT_REAL)/score.py --pa $(BIN)/provarchive $(SCORE_ARGS); else echo "$(IMPORT_REAL)/ is absent: no real pages to score against"; fi

clean:
	rm -rf public .provarchive-cache .pytest_cache .ruff_cache
