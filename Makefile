# Clocher: `make run` starts a demo on this machine, `make test` runs every check.
# Install steps are stamped (in .venv/ and node_modules/) so reruns are quick.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 0.0.0.0
PORT ?= 8000
PYTEST_ARGS ?=
# make test-calendar: how far ahead the tests' clock moves (more than a year).
CLOCK_SHIFT_DAYS ?= 400
# Commune sites are recorded with the port they answer on (see cms/settings/dev.py).
CLOCHER_SITE_PORT ?= $(PORT)

# uv installs the virtualenv when $(PYTHON) has it (CI bootstraps it: 10 s instead of
# ~140 s); pip otherwise, with the same constraints from pyproject.toml.
PIP_INSTALL := $(if $(shell $(PYTHON) -m uv --version 2>/dev/null),\
	$(PYTHON) -m uv pip install --quiet --python $(PY),\
	$(PY) -m pip install --quiet --disable-pip-version-check)

# npm ci when a lock file exists (reproducible), npm install otherwise.
NPM_LOCK := $(wildcard package-lock.json)
NPM_INSTALL := $(if $(NPM_LOCK),npm ci,npm install) --no-audit --no-fund
STATIC_SOURCES := $(shell find frontend/static -type f 2>/dev/null)

.PHONY: help run test check lint pytest test-sqlite test-calendar services s3 bench-seed

help:
	@echo "make run          install, migrate, seed the demo, start web + worker on :$(PORT)"
	@echo "make test         install dev tools, then check, makemigrations --check, ruff, import layers, pytest"
	@echo "make test-sqlite  pytest on SQLite even when DATABASE_URL is set"
	@echo "make test-calendar  pytest with the clock $(CLOCK_SHIFT_DAYS) days ahead (tests/clock.py)"
	@echo "make services     start PostgreSQL (scripts/postgres.sh; needs root or sudo)"
	@echo "make s3           start an in-memory S3 endpoint (moto) for trying S3 media"
	@echo "make bench-seed   run the seeding benchmark (tests/benchmarks/bench_seed.py)"
	@echo "make bench-api    run the API benchmark (tests/benchmarks/bench_api.py)"
	@echo "make test-interop build GoToSocial once (var/gotosocial/), run the live interop test"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP_INSTALL) -e ".[dev]"
	touch $@ $(VENV)/.installed

# The Etalab commune data (@etalab/decoupage-administratif) comes from npm.
node_modules/.installed: package.json $(NPM_LOCK)
	$(NPM_INSTALL)
	touch $@

var:
	mkdir -p var

var/.collectstatic: $(VENV)/.installed $(STATIC_SOURCES) | var
	$(PY) manage.py collectstatic --noinput --verbosity 0
	touch $@

run: export CLOCHER_SITE_PORT := $(CLOCHER_SITE_PORT)
run: $(VENV)/.installed node_modules/.installed | var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(MAKE) --no-print-directory var/.collectstatic
	HOST=$(HOST) PORT=$(PORT) PYTHON=$(PY) scripts/run-dev.sh

test: check lint pytest

check: $(VENV)/.installed-dev | var
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py makemigrations --check --dry-run

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

pytest: $(VENV)/.installed-dev node_modules/.installed | var
	@echo "pytest on $${DATABASE_URL:-SQLite (DATABASE_URL unset)}"
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-sqlite: $(VENV)/.installed-dev node_modules/.installed | var
	@echo "pytest on SQLite"
	env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)

test-calendar: $(VENV)/.installed-dev node_modules/.installed | var
	@echo "pytest with the clock $(CLOCK_SHIFT_DAYS) days ahead"
	CLOCHER_TEST_CLOCK_SHIFT_DAYS=$(CLOCK_SHIFT_DAYS) $(VENV)/bin/pytest $(PYTEST_ARGS)

services:
	scripts/postgres.sh

s3: $(VENV)/.installed-dev
	PYTHON=$(PY) scripts/s3-server.sh

bench-seed: $(VENV)/.installed-dev node_modules/.installed | var
	PYTHONPATH=. $(PY) tests/benchmarks/bench_seed.py $(ARGS)

# Residents' notifications: one urgent alert to many subscribers, endpoints on loopback
# (docs/notify.md). BENCH_NOTIFY_PUSH / _EMAIL / _SMS set the numbers of subscribers.
.PHONY: bench-notify
bench-notify: $(VENV)/.installed-dev | var
	PYTHONPATH=. $(PY) -m pytest tests/benchmarks/bench_notify.py -p no:cacheprovider -q -s --timeout=0 $(ARGS)

# CPU of an idle worker (production settings, empty queue); docs/benchmarks/worker.md.
.PHONY: bench-worker-idle
bench-worker-idle: $(VENV)/.installed | var
	PYTHONPATH=. $(PY) tests/benchmarks/bench_worker_idle.py $(ARGS)

.PHONY: bench-api
bench-api: $(VENV)/.installed-dev | var
	PYTHONPATH=. $(PY) tests/benchmarks/bench_api.py $(ARGS)

# --- search (search/, scripts/search-server.sh) ---
# Local nodes without Docker (docs/search-node.md); `start` prints the URL to export.
.PHONY: search-server opensearch-server search-stop search-relevance bench-search
search-server:
	scripts/search-server.sh start

opensearch-server:
	scripts/opensearch-server.sh start

search-stop:
	scripts/search-server.sh stop; scripts/opensearch-server.sh stop

# nDCG@10 and MRR of the judged queries (tests/search/relevance/) on each backend
# available: database always, Elasticsearch/OpenSearch when their URL is exported.
# Needs the realistic demo in the database (manage.py seed_demo; `make run` seeds it).
search-relevance: $(VENV)/.installed-dev | var
	$(PY) manage.py search_relevance $(ARGS)

bench-search: $(VENV)/.installed-dev | var
	PYTHONPATH=. $(PY) tests/benchmarks/bench_search.py $(ARGS)

# --- federation (federation/) ---
.PHONY: bench-federation test-federation-e2e test-interop
# (a) sharing (bench_federation_sharing.py), (b) fan-out, (c) inbound; docs/federation.md.
bench-federation: $(VENV)/.installed-dev | var
	PYTHONPATH=. $(PY) tests/benchmarks/bench_federation.py $(ARGS)

# Two live instances (runserver + run_worker each, SQLite) federating on loopback.
test-federation-e2e: $(VENV)/.installed-dev | var
	$(VENV)/bin/pytest tests/federation/e2e -m federation_e2e -p no:cacheprovider $(PYTEST_ARGS)

# A live Clocher instance and a real GoToSocial (built once per machine under var/).
test-interop: $(VENV)/.installed-dev | var
	PYTHON=$(PY) scripts/interop-gotosocial.sh run

# --- resident site (frontend/) ---
.PHONY: bench-frontend
bench-frontend: $(VENV)/.installed-dev node_modules/.installed | var
	PYTHONPATH=. $(PY) tests/benchmarks/bench_frontend.py $(ARGS)

# --- translations: the resident site (frontend/locale/; docs/frontend.md) and the search
# layer's messages (search/locale/, English source) ---
# Needs GNU gettext (xgettext, msgfmt); running and testing do not: the .mo are committed.
.PHONY: messages
messages: $(VENV)/.installed
	cd frontend && DJANGO_SETTINGS_MODULE=cms.settings.test ../$(PY) ../manage.py makemessages \
		-l fr -l en -l de --no-location --no-obsolete
	cd frontend && DJANGO_SETTINGS_MODULE=cms.settings.test ../$(PY) ../manage.py compilemessages
	cd search && DJANGO_SETTINGS_MODULE=cms.settings.test ../$(PY) ../manage.py makemessages \
		-l fr -l de --no-location --no-obsolete
	cd search && DJANGO_SETTINGS_MODULE=cms.settings.test ../$(PY) ../manage.py compilemessages
