# Painway: `make run` serves the app with demo data; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# Development runs with DEBUG on unless the environment says otherwise (the settings default is off).
DEV_ENV := DEBUG=$${DEBUG:-true}
MANAGE := $(DEV_ENV) $(BIN)/python manage.py

.PHONY: run test lint format install install-dev static migrate seed bench screenshots clean backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed scripts/build_static.mjs
	npm run --silent build
	touch $@

static: static/vendor/.built

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: install static seed
	@echo ""
	@echo "Painway is starting on http://127.0.0.1:8000 (Ctrl-C stops the web server, worker, beat and MESH sandbox)."
	@echo "Demo sign-ins (password painway-demo): spa, clinician, physio, lead, commissioner, gp, admin"
	@echo ""
	$(DEV_ENV) $(BIN)/honcho start -f Procfile.dev

test: install-dev static
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || echo "NOTE: no Chromium at $${CHROMIUM_PATH:-/usr/bin/chromium}: the browser journeys in tests/e2e will be SKIPPED (apt-get install chromium)."
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# The README's screenshots, rewritten on purpose (a test run writes them to a temporary folder).
screenshots: install-dev static
	PAINWAY_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e/test_journeys.py

# Backups (README "Backups"): the database and uploaded/generated files in one archive under var/backups/.
backup: install
	$(MANAGE) backup

restore: install
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=var/backups/painway-<time>.tar" && exit 2)
	$(MANAGE) restore "$(FILE)"

lint: install-dev
	$(BIN)/ruff check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# make bench N=1000000: generate N referrals into the configured database (DATABASE_URL), then
# time every page and report on them (README, "Performance"). BENCH_ARGS=--reuse measures again.
N ?= 10000
bench: migrate
	$(MANAGE) bench --referrals $(N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor var
