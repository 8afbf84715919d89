# Two commands set everything up on a fresh Debian machine with Python 3.11:
#   make run   - install, migrate, load the demo data if the database is empty, serve :5000 and
#                run the exam worker beside the web server
#   make test  - install with the test extras and system packages, then run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test security install install-test catalogs system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed catalogs
install-test: $(VENV)/.installed-test catalogs

# Compiled catalogs are build products: never committed, always made from the .po files.
catalogs: | $(BIN)/python
	$(BIN)/pybabel -q compile -d lms/translations
	@if [ -d simulations/locale ]; then $(BIN)/pybabel -q compile -d simulations/locale -D drills; fi

# The worker (`lms worker`) hands in exams at their deadline, closes registration on time and sends
# certificate reminders and queued e-mail; it runs in the background and is stopped whenever the web
# server ends (Ctrl-C, an error, a kill).
run: install
	$(BIN)/lms db upgrade
	$(BIN)/lms reference-data
	$(BIN)/lms demo --if-empty
	$(BIN)/lms demo-accounts
	@echo "Serving http://$(HOST):$(PORT) with the exam worker beside it  (Ctrl-C stops both)"
	$(BIN)/lms worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --worker-class gthread --threads 4 --bind $(HOST):$(PORT) --access-logfile - 'lms:create_app()'

system-deps:
	bash .ci/install-system-deps
	bash .ci/ensure-redis

test: system-deps install-test
	$(BIN)/python -m pytest -v

# Probes a throwaway instance served by gunicorn on 127.0.0.1 (bandit, sqlmap, headers, CSRF,
# sessions, spreadsheet bombs, deep JSON); prints one CHECK line per check, fails on any FAIL.
security: install-test
	$(BIN)/python .ci/security_probe.py

bench: install-test
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build
