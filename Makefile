# The two commands of the README: `make run` (the demo: Neo4j, sample data, API and the page) and
# `make test` (lint, types, and the test suite against a real Neo4j). Both set up .venv first,
# and build the page (web/, Node 20.19+) when web/ or the API's schema changed.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAMPLE := data/sample/openalex/works.jsonl
# The 108 Author records: affiliation histories with years, where talentFlows finds moves.
AUTHORS_SAMPLE := data/sample/openalex/authors.jsonl
ROR_DUMPS := data/sample/ror/ror_v2_records.json.gz data/sample/ror/ror_v1_legacy_records.json.gz
# The demo's names-only records: the Suzhou entries (1,242) and the world's 2023 files of 14
# venues (20,311 entries). The whole sequence took 263 s from an empty TALENTMAP_HOME on a
# quiet machine (the records step 171 s; see the README). 36 of the world's entries name no
# authors and are quarantined, which the records step reports with exit code 2 and `make run`
# accepts. `make run CSMETRICS=$(CSMETRICS_SUZHOU)` loads the region's records alone.
CSMETRICS_SUZHOU := data/sample/records/csmetrics/suzhou
CSMETRICS_WORLD := data/sample/records/csmetrics/world-2023
CSMETRICS ?= $(CSMETRICS_SUZHOU) $(CSMETRICS_WORLD)
WEB_STAMP := web/node_modules/.installed-stamp
WEB_SOURCES := $(shell find web/src web/scripts -path web/src/gql -prune -o -type f -print 2>/dev/null) \
	web/index.html web/vite.config.ts web/codegen.ts web/tsconfig.json api/schema.graphql

.PHONY: install web run test lint format schema stop clean bench bench-ingest bench-api bench-text bench-web bench-peer bench-demo peer

# uv (pinned) installs the pinned dependencies in a fraction of pip's time (measured on a fresh
# HOME at load ~25: 47 s against pip's 269 s; user CPU 4.6 s against 44 s). It trusts the
# system's certificate store (--system-certs: a network whose proxy signs with a local CA);
# where uv cannot install, pip does.
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --system-certs --python $(BIN)/python -e '.[dev]' \
	  || $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The page: `npm ci` when the lock file changed, then codegen, tsc and vite (npm run build).
$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_STAMP)

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build

web: web/dist/index.html

# The peer of the API benchmark (bench/peer/: @neo4j/graphql on Node 20, its own lock file);
# tests/test_bench_peer.py starts it too.
PEER_STAMP := bench/peer/node_modules/.installed-stamp
$(PEER_STAMP): bench/peer/package-lock.json
	cd bench/peer && npm ci --no-audit --no-fund
	touch $(PEER_STAMP)

peer: $(PEER_STAMP)

run: install web
	$(BIN)/talentmap neo4j start
	$(BIN)/talentmap db migrate
	$(BIN)/talentmap ingest taxonomy
	$(BIN)/talentmap ingest industries
	$(BIN)/talentmap ingest ror $(ROR_DUMPS)
	$(BIN)/talentmap ingest region
	$(BIN)/talentmap ingest openalex $(SAMPLE)
	$(BIN)/talentmap ingest openalex $(AUTHORS_SAMPLE)
	$(BIN)/talentmap ingest records $(CSMETRICS) --format csmetrics || [ $$? -eq 2 ]
	@echo "Demo: anonymous clients get the viewer role (TALENTMAP_API_ANONYMOUS_ROLE=viewer)."
	@echo "For introductionPaths: $(BIN)/talentmap apikey create --role recruiter --name demo"
	TALENTMAP_API_ANONYMOUS_ROLE=viewer $(BIN)/talentmap serve

# Two test processes (pytest-xdist), each with its own Neo4j, a module's tests in one process;
# one process when NEO4J_URI names a server, as modules wipe the database they use.
PYTEST_PARALLEL := $(if $(NEO4J_URI),,-n 2 --dist loadfile)

# Lint, the page's build and the peer's packages run side by side (each waits for what it
# needs; the setup used one core of two before), then the tests.
test:
	$(MAKE) --no-print-directory --output-sync=target -j3 lint web peer
	$(BIN)/pytest $(PYTEST_PARALLEL)

# Python: ruff and mypy; the page: ESLint (web/eslint.config.js; tsc runs in its build).
lint: install $(WEB_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd web && npm run lint

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/python -c "from api.schema import schema; open('api/schema.graphql', 'w').write(schema.as_str() + '\n')"

stop: install
	$(BIN)/talentmap neo4j stop

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache web/node_modules web/dist web/src/gql bench/peer/node_modules

bench: install
	$(BIN)/python -m bench.run

bench-ingest: install
	$(BIN)/python -m bench.ingest

bench-api: install
	$(BIN)/python -m bench.api

# Ours beside @neo4j/graphql and the bare Cypher; the load generator is wrk (apt-get install wrk).
bench-peer: install peer
	$(BIN)/python -m bench.peer $(BENCH_PEER_ARGS)

bench-text: install
	$(BIN)/python -m bench.text

bench-web: install web
	$(BIN)/python -m bench.web

# `make run` from an empty TALENTMAP_HOME to a serving API, each step timed (issue 16: < 5 min).
bench-demo: install web
	$(BIN)/python -m bench.demo
