# chainpos — `make demo` runs the product, `make test` runs the whole suite.
# Every target installs what it needs first; `make help` lists them.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
.DEFAULT_GOAL := help

.PHONY: help venv system demo test test-fast lint format bench lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml scripts/setup-python.sh
	scripts/setup-python.sh
	@touch $@

venv: $(VENV)/.installed ## Create .venv with the locked dependencies

system: venv ## Install what the tests run against (PostgreSQL 15, PC/SC, emulator, Chromium)
	scripts/setup-system.sh
	scripts/devices/setup.sh
	scripts/setup-browser.sh

demo: venv ## Run HQ, two stores and a till each on loopback with demo data (Ctrl-C stops)
	$(BIN)/chainpos demo

test: venv system ## Run the whole suite: unit, integration (SQLite + PostgreSQL), e2e, devices
	$(BIN)/pytest

test-fast: venv ## Unit tests only
	$(BIN)/pytest tests/unit

lint: venv ## ruff, mypy and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check chainpos hq_server store_server pos_terminal retail loyalty devices tests
	$(BIN)/mypy
	$(BIN)/lint-imports

format: venv ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format chainpos hq_server store_server pos_terminal retail loyalty devices tests

bench: venv system ## Run the benchmarks and write docs/benchmarks.md
	$(BIN)/python -m tests.benchmarks.run

lock: venv ## Re-pin requirements.lock from the current .venv
	{ head -3 requirements.lock; $(BIN)/pip freeze --exclude-editable | grep -v '^pyscard=='; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean: ## Remove the virtual environments and demo data
	rm -rf $(VENV) .venv-emupos .venv-vicc var
