# Atiende: `make run` serves the app on SQLite (with demo data when brand new), `make test`
# runs the whole suite.
SHELL := /bin/bash
PYVER := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The interpreter .python-version names (or 3.12), found on PATH or under pyenv.
FIND_PYTHON = for v in $(PYVER) 3.12; do \
	  for c in "python$$v" "$$(pyenv root 2>/dev/null)/versions/$$v"*/bin/python "$$HOME/.pyenv/versions/$$v"*/bin/python; do \
	    if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo "$$c"; exit 0; fi; \
	  done; \
	done; exit 1

.PHONY: run test lint bench install install-dev migrate messages clean

$(VENV)/.ok:
	@py=$$($(FIND_PYTHON)) || { echo "Python $(PYVER) (or 3.12) is needed: install it, e.g. 'pyenv install $(PYVER)'." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV) && $(PY) -m pip install -q -U pip
	@touch $@

$(VENV)/.installed: $(VENV)/.ok pyproject.toml
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(VENV)/bin/atiende run --demo --host $(HOST) --port $(PORT)

test: install-dev
	$(MAKE) --no-print-directory lint
	@scripts/ensure-chromium
	@scripts/ensure-dovecot
	$(VENV)/bin/pytest -n 2 --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

bench: install-dev
	$(PY) bench/run.py $(BENCH_ARGS)

# Refresh locale/es from the source; translate the new entries, then commit the .po and .mo.
messages: install-dev
	mkdir -p locale
	$(VENV)/bin/atiende manage makemessages -l es --no-location --no-wrap --ignore=.venv --ignore=tests --ignore=bench --ignore=var -v 0
	$(VENV)/bin/atiende manage compilemessages --ignore=.venv -v 0

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
