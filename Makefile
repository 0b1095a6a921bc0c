# The two commands of the README: `make run` (the demo: Neo4j, sample data, API) and
# `make test` (lint, types, and the test suite against a real Neo4j). Both set up .venv first.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SAMPLE := data/sample/openalex/works.jsonl

.PHONY: install run test lint format schema stop clean bench bench-ingest bench-api bench-text

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/talentmap neo4j start
	$(BIN)/talentmap db migrate
	$(BIN)/talentmap ingest taxonomy
	$(BIN)/talentmap ingest industries
	$(BIN)/talentmap ingest region
	$(BIN)/talentmap ingest openalex $(SAMPLE)
	@echo "Demo: anonymous clients get the viewer role (TALENTMAP_API_ANONYMOUS_ROLE=viewer)."
	@echo "For introductionPaths: $(BIN)/talentmap apikey create --role recruiter --name demo"
	TALENTMAP_API_ANONYMOUS_ROLE=viewer $(BIN)/talentmap serve

# Two test processes (pytest-xdist), each with its own Neo4j, a module's tests in one process;
# one process when NEO4J_URI names a server, as modules wipe the database they use.
PYTEST_PARALLEL := $(if $(NEO4J_URI),,-n 2 --dist loadfile)

test: install lint
	$(BIN)/pytest $(PYTEST_PARALLEL)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/python -c "from api.schema import schema; open('api/schema.graphql', 'w').write(schema.as_str() + '\n')"

stop: install
	$(BIN)/talentmap neo4j stop

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

bench: install
	$(BIN)/python -m bench.run

bench-ingest: install
	$(BIN)/python -m bench.ingest

bench-api: install
	$(BIN)/python -m bench.api

bench-text: install
	$(BIN)/python -m bench.text
