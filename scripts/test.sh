#!/usr/bin/env bash
# The whole suite: unit, service (SQLite + PostgreSQL), worker/fault, HTTP end-to-end, browser.
# Every server a test needs (PostgreSQL, Redis, simulators, the app) is started by the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check app worker tests bench config.py || exit 1
.venv/bin/ruff format --check --quiet app worker tests bench config.py || exit 1
.venv/bin/bandit -c pyproject.toml -q -r app worker bench migrations config.py || exit 1
# Test files spread over one pytest process per core (pytest-xdist, at most 4; each starts its
# own PostgreSQL, Redis, simulators and browser); a file's tests stay together in one process,
# so its module fixtures are set up once. PYTEST_WORKERS=0 runs everything in this process.
workers=${PYTEST_WORKERS:-$(nproc)}
[ "$workers" -gt 4 ] && workers=4
.venv/bin/pytest -q -p no:cacheprovider -n "$workers" --dist loadfile "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: treated as a failure" >&2
  exit 1
fi
exit "$rc"
