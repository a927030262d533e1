# Two commands on a fresh machine: `make run` and `make test`. Everything else is optional.
# The distribution's Python 3.11 where it has one that can make a virtual environment, else the
# first python3.11 (or python3) on the PATH. Debian's and Ubuntu's are built with profile-guided
# and link-time optimisation, which a plain build from source (pyenv's, say, which comes first on
# the PATH here) is not: measured here, pure-Python work took a quarter less time on Debian's
# build, and 8 of 10 pages 5-24% less under wrk on PostgreSQL (SQLite: mixed, 7 of 10 faster;
# bench/results/2026-12-04-amd-thirteenth/interpreter-ab/).
PYTHON ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null \
	&& echo /usr/bin/python3.11 || command -v python3.11 || command -v python3)
# Worked out once, not at each use.
PYTHON := $(PYTHON)
VENV := .venv
BIN := $(VENV)/bin
# Another interpreter, or other requirements, install anew.
INSTALLED := $(VENV)/.installed-$(shell (cat requirements.txt requirements-dev.txt; echo $(PYTHON)) | cksum | cut -d' ' -f1)
PORT ?= 5000
FLASK := $(BIN)/flask --app app

.PHONY: run test test-fast lint format chromium pdf-libs clean-db screenshots bench wrk translations catalogues

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "No python3.11 (nor python3) on the PATH"; exit 1; }
	@# A working environment is removed only for one that the interpreter can make.
	@if [ "$$(cat $(VENV)/.interpreter 2>/dev/null)" != "$(PYTHON)" ]; then \
		$(PYTHON) -c 'import ensurepip, venv' || { \
		echo "$(PYTHON) cannot make a virtual environment (Debian: apt-get install python3.11-venv)"; \
		exit 1; }; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && echo "$(PYTHON)" > $(VENV)/.interpreter; fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# A random key kept in instance/ (never committed), so that sessions survive a restart.
instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	@chmod 600 $@

run: $(INSTALLED) instance/secret_key pdf-libs catalogues
	@export SECRET_KEY=$$(cat instance/secret_key); \
	$(FLASK) db upgrade && \
	$(FLASK) demo load --if-empty && \
	echo "Twinning on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)" && \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The whole suite, browser tests included. TEST_DATABASE_URL=postgresql+psycopg://... runs it
# against PostgreSQL instead of a temporary SQLite file.
test: $(INSTALLED) chromium pdf-libs catalogues
	$(BIN)/pytest

# Everything but the browser, for a quick loop while coding.
test-fast: $(INSTALLED) pdf-libs catalogues
	$(BIN)/pytest -m "not browser"

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
	  fi; }

# WeasyPrint draws the PDF report with Pango; DejaVu covers Slovenian and Cyrillic.
pdf-libs:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset \
	  && fc-list 2>/dev/null | grep -qi dejavu || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Pango and DejaVu fonts for PDF reports..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fontconfig >/dev/null; \
	  else \
	    echo "PDF reports need Pango, HarfBuzz and DejaVu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; \
	  fi; }

# The interface's languages (crm/translations/): the .po catalogues are the source, committed;
# the compiled .mo files are built here, so a fresh clone speaks every language after `make`.
LANGUAGES := sl ru kk
CATALOGUES := $(foreach lang,$(LANGUAGES),crm/translations/$(lang)/LC_MESSAGES/messages.mo)
catalogues: $(CATALOGUES)
crm/translations/%/LC_MESSAGES/messages.mo: crm/translations/%/LC_MESSAGES/messages.po $(INSTALLED)
	@$(BIN)/pybabel compile --statistics -d crm/translations -l $* 2>&1 | grep -v "^compiling"; true
	@test -f $@

# After changing text in the code: extract it, merge it into each catalogue (new strings arrive
# untranslated; tests/i18n fails until a translator fills them in), then compile.
translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project=Twinning \
	  --copyright-holder="the Twinning authors" --msgid-bugs-address="" \
	  -k lazy_gettext -k _l -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
	  -o crm/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --no-wrap \
	  -i crm/translations/messages.pot -d crm/translations
	$(MAKE) --no-print-directory catalogues

# Regenerate docs/screenshots/ from the browser tests.
screenshots: $(INSTALLED) chromium
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/browser -k screenshot

# Start again from an empty development database (the demo data loads on the next `make run`).
clean-db:
	rm -f instance/twinning.sqlite3 instance/twinning.sqlite3-wal instance/twinning.sqlite3-shm

# The benchmark (bench/): a synthetic register of SCALE=small (1,000 pairings) or large (100,000),
# the app under gunicorn with 2 workers, measured with wrk on SQLite and, when BENCH_DATABASE_URL
# is set, on PostgreSQL too. Results go to bench/results/. BENCH_ARGS passes more options, such
# as --duration 1 or --reuse (keep a data set of the right size instead of generating it again).
SCALE ?= small
bench: $(INSTALLED) wrk pdf-libs catalogues
	$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)
	@if [ -n "$(BENCH_DATABASE_URL)" ]; then \
	  $(BIN)/python -m bench.run --scale $(SCALE) --database-url "$(BENCH_DATABASE_URL)" $(BENCH_ARGS); \
	fi

# The load tool, from Debian's packages.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's wrk for the benchmark..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "The benchmark needs wrk: sudo apt-get install wrk"; exit 1; \
	  fi; }
