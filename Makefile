# Two commands: `make run` (install what is missing, migrate, seed, start everything) and
# `make test` (install what is missing, run the whole suite on SQLite and PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := redis-server postgresql chromium chromium-driver fonts-dejavu-core fonts-liberation2 \
  tesseract-ocr tesseract-ocr-vie poppler-utils
STAMP := $(VENV)/.installed

.PHONY: run test deps system-deps venv lint bench clean

run: deps
	@scripts/run.sh

test: deps
	@scripts/test.sh

ASSETS := static/vendor/.built

deps: system-deps $(STAMP) $(ASSETS)

$(ASSETS): package.json package-lock.json scripts/build-assets.sh $(wildcard static/src/modeler/*)
	@scripts/build-assets.sh
	@touch $(ASSETS)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip
	@$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

lint: deps
	@$(BIN)/ruff check app worker tests config.py bench
	@$(BIN)/ruff format --check --quiet app worker tests config.py bench
	@$(BIN)/bandit -c pyproject.toml -q -r app worker bench migrations config.py

bench: deps
	@$(BIN)/python bench/complete_task.py

clean:
	rm -rf var .pytest_cache node_modules static/vendor
