# The two commands: `make run` serves the shop, `make test` runs every test.
# Both work on a fresh machine (Python 3.11, root): they install what they need.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
# The app's instance folder (SQLite file, outbox, secret key), as shop/__init__.py finds it.
INSTANCE := $(or $(SHOP_INSTANCE_PATH),instance)
VNU_VERSION := 26.9.27
VNU_DIR := .cache/vnu
export VNU_JAR := $(CURDIR)/$(VNU_DIR)/node_modules/vnu-jar/build/dist/vnu.jar
export FLASK_APP := wsgi

.PHONY: run test install install-dev translations lint test-system-deps extract-messages clean

# On a laptop `make run` is development, with the demo data; with SHOP_ENV=production the demo
# accounts (and their published password) are never made. The app and every `flask shop …`
# command read the secret key from the instance folder themselves when SECRET_KEY is unset.
run: export SHOP_ENV ?= development
run: install translations $(INSTANCE)/secret_key
	$(BIN)/flask db upgrade
	$(if $(filter production,$(SHOP_ENV)),@echo "SHOP_ENV=production: no demo data",$(BIN)/flask shop seed-demo)
	@echo "Serving http://$(HOST):$(PORT)"
	exec $(BIN)/gunicorn --bind "$(HOST):$(PORT)" --workers $(WORKERS) --no-control-socket --access-logfile - wsgi:app

test: install-dev translations test-system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadgroup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogs are build output (not committed); compiling takes well under a second.
translations: install
	$(BIN)/pybabel -q compile -d translations

# After changing user-facing strings: extract them, then translate the new entries in vi.
extract-messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --sort-output --no-wrap \
		-o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete --no-fuzzy-matching

# A random key made once per checkout, so sessions survive restarts of `make run`.
$(INSTANCE)/secret_key:
	mkdir -p $(INSTANCE)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@

# What the tests run against besides Python: Debian's Chromium, PostgreSQL and Redis servers,
# Java for the Nu HTML validator (from npm), Pango and a Vietnamese-capable font for WeasyPrint's
# invoice PDFs (Chromium usually brings both). apt-get runs only when something is missing.
test-system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@[ -f "$(VNU_JAR)" ] || (mkdir -p $(VNU_DIR) && cd $(VNU_DIR) && \
		npm install --no-save --no-audit --no-fund --silent vnu-jar@$(VNU_VERSION))

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
