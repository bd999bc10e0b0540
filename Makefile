# Safer Learning: `make run` installs and starts the demo site; `make test` installs and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test frontend browser ralph lint clean

run: install
	$(BIN)/lms demo
	@echo "Safer Learning is at http://$(HOST):$(PORT)/ (stop it with Ctrl+C)"
	@echo "Emails it sends (confirmation and password links) are written to $${LMS_INSTANCE_PATH:-instance}/mail/, one file each"
	@echo "Reminders and other notices are sent by the worker (lms worker), started beside the site and stopped with it"
	export LMS_SESSION_COOKIE_SECURE=false LMS_REMEMBER_COOKIE_SECURE=false LMS_SITE_URL=http://$(HOST):$(PORT) LMS_MAIL_BACKEND=file LMS_CONTACT_EMAIL=$${LMS_CONTACT_EMAIL:-help@saferlearning.example}; \
		$(BIN)/lms worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap exit INT TERM; \
		$(BIN)/lms run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check lms authoring tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed frontend

install-test: $(VENV)/.installed-test frontend browser ralph

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

frontend: lms/static/dist/app.css

lms/static/dist/app.css: package.json package-lock.json lms/static/src/app.scss
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build:css

# Real peers the tests start: Debian's Chromium for browser tests, nginx in front of two app servers,
# PgBouncer (transaction pooling) in front of PostgreSQL, Redis for the job queue's tests (they start their own server),
# poppler's pdftoppm to render the quarterly report's PDF to an image.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx-light)
	@command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer || (apt-get update -qq && apt-get install -y -qq pgbouncer)
	@command -v redis-server >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server)
	@command -v pdftoppm >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq poppler-utils)

# Ralph, a real xAPI LRS (PyPI ralph-malph), in a venv of its own: its `cli` extra pins click<8.2.1, ours is newer.
# Its `lrs` extra leaves out `requests`, which its API imports. tests/lms/xapi/xapi_ralph.py starts it.
RALPH := build/peers/ralph
ralph: $(RALPH)/.installed

$(RALPH)/.installed:
	test -x $(RALPH)/bin/python || $(PYTHON) -m venv $(RALPH)
	$(RALPH)/bin/python -m pip install --quiet 'ralph-malph[cli,lrs]==5.1.0' 'requests>=2.32,<3'
	touch $@

lint:
	$(BIN)/ruff check lms authoring tests bench

clean:
	rm -rf $(VENV) node_modules lms/static/dist build
