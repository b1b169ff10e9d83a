# Frontdoor: `make run` sets everything up and starts the app; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run setup install test test-fast lint format bench clean demo-big messages chromium

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_city --if-empty

run: setup
	@scripts/run.sh

test: install chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# Browser tests drive Debian's chromium (never Playwright's download). CI runs as root on
# Debian and installs it here; elsewhere install it yourself or point CHROMIUM at one.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The browser tests need chromium at $(CHROMIUM): run 'sudo apt-get install chromium'" \
	      "or set CHROMIUM=/path/to/chromium." >&2; \
	    exit 1; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/run.py

# Open311 API under load (issue #5): 1M requests in PostgreSQL, gunicorn, wrk. See docs/benchmarks.md.
.PHONY: bench-open311
bench-open311: install
	$(BIN)/python bench/open311.py prepare
	$(BIN)/python bench/open311.py run

# Staff queue pages, supervisor view and search against the 1M-request database (issue #3).
.PHONY: bench-staff
bench-staff: install
	$(BIN)/python bench/staff.py

demo-big: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_city --requests 1000000

messages: install
	cd frontdoor && ../$(BIN)/python ../manage.py makemessages -l es --no-obsolete && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
