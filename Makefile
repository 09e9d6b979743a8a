# Two commands for a newcomer: `make shell` (try the bot) and `make test` (lint, types, tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: shell test lint pytest serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

shell: $(STAMP)
	$(BIN)/rolecall shell

serve: $(STAMP)
	$(BIN)/rolecall serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

pytest: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(ARGS)

test: lint pytest

bench: $(STAMP)
	$(BIN)/python -m bench.ack_latency

clean:
	rm -rf $(VENV) build *.egg-info
