# Frontdoor: `make run` sets everything up and starts the app; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run setup install test test-fast lint format bench clean demo-big messages

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

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

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

demo-big: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_city --requests 1000000

messages: install
	cd frontdoor && ../$(BIN)/python ../manage.py makemessages -l es --no-obsolete && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
