# Two commands do all set-up: `make demo` runs the product, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: suite demo test install install-dev lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What the product needs to run (make demo). Reinstalled only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The development tools on top (make test): linters, type checker, pytest, the browser driver.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	DEBUG=1 $(BIN)/qms migrate --no-input
	DEBUG=1 $(BIN)/qms demo-data
	@echo "Serving QMS on http://$(HOST)/  (Ctrl+C to stop)"
	DEBUG=1 $(BIN)/qms runserver $(HOST)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	DEBUG=1 QMS_DATA_DIR=$$(mktemp -d) $(BIN)/qms makemigrations --check --dry-run

# One test process per core (pytest-xdist), each with its own test database; a test file stays
# on one process, so its fixtures and browser share it.
test: lint suite

# The test suite alone (CI lints once, then runs it on SQLite and on PostgreSQL). PYTEST_ARGS
# adds to pytest's arguments (CI's PostgreSQL run leaves out the browser tests).
suite: install-dev
	$(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
