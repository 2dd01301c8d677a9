# Circles: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-postgres test-sqlite lint bench venv venv-test browser-deps clean translations

$(BIN)/circles: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(BIN)/circles
	$(BIN)/pip install -q -e '.[test,detoxify]'
	touch $@

venv: $(BIN)/circles
venv-test: $(VENV)/.test-installed

# `make run PORT=8080 HOST=0.0.0.0` to serve elsewhere than 127.0.0.1:8000.
HOST ?= 127.0.0.1
PORT ?= 8000

run: venv
	$(BIN)/circles migrate
	$(BIN)/circles demo
	$(BIN)/circles serve --host $(HOST) --port $(PORT)

browser-deps:
	scripts/ensure-browser.sh

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The whole suite on PostgreSQL (a throwaway cluster unless CIRCLES_DATABASE_URL names
# a PostgreSQL server), then again on the SQLite default.
test: venv-test browser-deps lint
	scripts/with-postgres.sh $(MAKE) --no-print-directory test-postgres test-sqlite

test-postgres:
	CIRCLES_TEST_BACKEND=postgres $(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-sqlite:
	CIRCLES_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# Every interface string (forum/**.py and the templates, per babel.cfg) into
# forum/locale/messages.pot, then each language's messages.po brought up to date: new
# strings appear there untranslated, strings no longer used are kept as obsolete (#~).
# The app reads every .po of a language, merged (forum/i18n.py); no compile step.
TRANSLATED := es

translations: venv
	$(BIN)/pybabel extract -F babel.cfg --sort-by-file --project Circles -o forum/locale/messages.pot .
	for locale in $(TRANSLATED); do \
	  if [ -f forum/locale/$$locale/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i forum/locale/messages.pot -d forum/locale -D messages -l $$locale --no-fuzzy-matching; \
	  else \
	    $(BIN)/pybabel init -i forum/locale/messages.pot -d forum/locale -D messages -l $$locale; \
	  fi; \
	done

bench: venv-test
	scripts/with-postgres.sh $(BIN)/python bench/run_all.py $(ARGS)

clean:
	rm -rf $(VENV) circles.db circles.db-wal circles.db-shm
