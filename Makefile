# Storekeeper — see README.md. Everything runs from a virtualenv in .venv, made on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the API on SQLite (./storekeeper.db) with a demo workspace; prints an admin key
run: $(STAMP)
	$(BIN)/storekeeper serve --demo

## test: the whole suite on SQLite, then on PostgreSQL (a throwaway server if one is installed)
test: $(STAMP)
	PYTHON=$(BIN)/python scripts/test $(ARGS)

## bench: a real server under load, against the database's and HTTP's own limits (docs/performance.md)
##        make bench ARGS=--quick   (100,000 items, under 3 minutes);  ARGS="--postgres URL" for PostgreSQL
##        bench.wrk (W1 by wrk, open loop, issue 23) needs Debian's wrk: installed here when root
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
	  || echo "bench.wrk needs wrk: apt-get install wrk"
	$(BIN)/python -m bench $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache storekeeper.db storekeeper.db-wal storekeeper.db-shm
