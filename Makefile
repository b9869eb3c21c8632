# Badger: `make demo` to try it, `make test` to check it, `make bench` to measure it.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# torch is pinned to the CPU build in pyproject.toml. The filter drops this machine's pip-config noise.
PIP := $(BIN)/pip install --disable-pip-version-check -q
QUIET := 2>&1 | { grep -v "^WARNING: Location" || true; }

.PHONY: demo test lint types unit bench install install-dev clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

.stamp-install: pyproject.toml | $(BIN)/python
	$(PIP) -e . $(QUIET)
	$(BIN)/badger --help > /dev/null
	touch $@

.stamp-dev: .stamp-install
	$(PIP) -e '.[dev]' $(QUIET)
	touch $@

install: .stamp-install
install-dev: .stamp-dev

demo: .stamp-install
	$(BIN)/badger demo

lint: .stamp-dev
	$(BIN)/ruff check .

types: .stamp-dev
	$(BIN)/mypy core knowledge skills jobs bot

# The console's browser tests drive Debian's chromium; they fail (never skip) without it, so install it here.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2; exit 1; fi; }

unit: .stamp-dev chromium
	$(BIN)/python -m pytest

test: lint types unit

bench: .stamp-dev
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .stamp-* .badger .mypy_cache .ruff_cache .pytest_cache
