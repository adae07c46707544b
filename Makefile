# Asukasportaali. `make run` and `make test` are the two set-up commands (see README.md).
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The suite runs on every core (pytest-xdist); PORTAL_TEST_WORKERS=1 runs it in one process.
PORTAL_TEST_WORKERS ?= auto
PYTEST_PARALLEL := $(if $(filter 1,$(PORTAL_TEST_WORKERS)),,-n $(PORTAL_TEST_WORKERS))

.PHONY: install run test lint format check-migrations assets messages clean bench

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	PORTAL_DEBUG=$${PORTAL_DEBUG:-1} $(BIN)/portal run --demo

test: install
	@if [ -x "$${PORTAL_BROWSER:-/usr/bin/chromium}" ] || command -v chromium >/dev/null; then \
	  echo "== browser tests (tests/browser): Chromium found, they run with each database below"; \
	elif [ -n "$$PORTAL_REQUIRE_BROWSER" ]; then \
	  echo "PORTAL_REQUIRE_BROWSER is set but no Chromium was found" >&2; exit 1; \
	else \
	  echo "== browser tests (tests/browser) SKIPPED: no Chromium found (apt-get install chromium)"; \
	fi
	@echo "== tests on SQLite"
	@start=$$(date +%s); \
	env -u PORTAL_TEST_DATABASE_URL $(BIN)/python -m pytest -q $(PYTEST_PARALLEL) || exit 1; \
	echo "== tests on SQLite took $$(( $$(date +%s) - start )) s"
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
	  if $(BIN)/portal db-ping "$$PORTAL_TEST_DATABASE_URL"; then \
	    echo "== tests on PostgreSQL ($$PORTAL_TEST_DATABASE_URL)"; \
	    start=$$(date +%s); \
	    $(BIN)/python -m pytest -q $(PYTEST_PARALLEL) || exit 1; \
	    echo "== tests on PostgreSQL took $$(( $$(date +%s) - start )) s"; \
	  elif [ -n "$$PORTAL_REQUIRE_POSTGRES" ]; then \
	    echo "PostgreSQL is not reachable at $$PORTAL_TEST_DATABASE_URL" >&2; exit 1; \
	  else \
	    echo "== PostgreSQL not reachable at $$PORTAL_TEST_DATABASE_URL: skipped the PostgreSQL run"; \
	  fi; \
	else \
	  echo "== PORTAL_TEST_DATABASE_URL not set: skipped the PostgreSQL run"; \
	fi

lint: install
	$(BIN)/ruff check app migrations tests seeds
	$(BIN)/ruff format --check app migrations tests seeds
	$(BIN)/mypy app
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix app migrations tests seeds
	$(BIN)/ruff format app migrations tests seeds

# The benchmark (bench/README.md): generate the dataset, then the portal against the ceiling.
# BENCH_SCALE=1.0 is ten times Haso; BENCH_URL picks the database (a PostgreSQL one of its own).
BENCH_URL ?= sqlite:///var/bench.db
BENCH_SCALE ?= 1.0
BENCH_ARGS ?=
bench: install
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m bench.generate --url "$(BENCH_URL)" --scale $(BENCH_SCALE)
	$(BIN)/python -m bench.run --url "$(BENCH_URL)" $(BENCH_ARGS)

# alembic check on a fresh database: the migrations produce exactly the models' schema.
check-migrations: install
	@rm -f var/check.db
	PORTAL_DATABASE_URL=sqlite:///var/check.db $(BIN)/alembic upgrade head
	PORTAL_DATABASE_URL=sqlite:///var/check.db $(BIN)/alembic check
	@rm -f var/check.db

# Front-end files from npm, copied into app/static/vendor (committed: running needs no Node.js).
assets:
	npm install --no-audit --no-fund
	mkdir -p app/static/vendor/hds-core
	cp node_modules/hds-core/lib/base.min.css node_modules/hds-core/lib/components/all.min.css \
	   node_modules/hds-core/lib/utils/helpers.min.css node_modules/hds-core/LICENSE app/static/vendor/hds-core/

# Translation catalogues: extract the English msgids and update fi, sv, en.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
