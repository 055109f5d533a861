# Two commands: `make run` (install what is missing, migrate, seed, start everything) and
# `make test` (install what is missing, run the whole suite on SQLite and PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := redis-server postgresql chromium chromium-driver fonts-dejavu-core fonts-liberation2 \
  tesseract-ocr tesseract-ocr-vie poppler-utils
STAMP := $(VENV)/.installed

.PHONY: run test deps system-deps venv lint bench clean lock

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

# Every Python package comes from requirements.lock: exact versions with their hashes, so a new
# release of a library cannot change a deployment or break CI. `make lock` re-resolves it.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --require-hashes --no-deps -r requirements.lock
	@$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (after changing a dependency there, or to
# take a library's new release: `make lock UPGRADE=--upgrade-package=flask`). Needs the
# package index; review the diff, run `make test`, commit both files.
lock:
	@test -x $(VENV)/lock/bin/pip-compile || ($(PYTHON) -m venv $(VENV)/lock && $(VENV)/lock/bin/pip install -q pip-tools)
	@CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --extra test --all-build-deps --no-emit-index-url $(UPGRADE) \
	  -o requirements.lock pyproject.toml

lint: deps
	@$(BIN)/ruff check app worker tests config.py bench
	@$(BIN)/ruff format --check --quiet app worker tests config.py bench
	@$(BIN)/bandit -c pyproject.toml -q -r app worker bench migrations config.py

bench: deps
	@$(BIN)/python bench/complete_task.py

clean:
	rm -rf var .pytest_cache node_modules static/vendor
