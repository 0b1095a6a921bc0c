"""The bulk first load (`talentmap import openalex`) against the incremental Bolt path: the
same sample, with a few broken lines, through both, each followed by the derived step; the
whole graph compared (bookkeeping aside: the ties the import computes in SQL, the teams,
flows and evaluation the derived step adds after it), the same lines quarantined for the same
reasons, and the bulk-loaded graph accepted by the Bolt path as its own (the same file again
changes nothing).

The bulk side needs a server of its own (the import replaces a stopped server's store): a
second Neo4j in a temporary TALENTMAP_HOME, as test_server.py starts one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph import server
from graph.driver import connect
from graph.unit_of_work import Writer
from ingest.bulk.load import BulkImportError, BulkReport, import_openalex
from ingest.derived.step import derive
from ingest.jobs import run_job
from ingest.openalex.entities import WORKS
from schema.settings import Settings
from tests.conftest import SAMPLE_WORKS, free_port, load_works, snapshot

# Unusable lines beside the sample: what both paths must quarantine, line by line.
BROKEN = [
    "{not json",
    json.dumps({"display_name": "a work without an id"}),
    "",
    json.dumps([1, 2]),
    json.dumps({"id": "https://openalex.org/not-a-work-id", "display_name": "bad id"}),
]


# Co-authors are counted on works of at most this many authorships: below the sample's
# largest author lists (31), so both paths' filter is compared.
MAX_AUTHORS = 10


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    broken = tmp_path_factory.mktemp("broken") / "broken.jsonl"
    broken.write_text("\n".join(BROKEN) + "\n", encoding="utf-8")
    return [SAMPLE_WORKS, broken]


@pytest.fixture(scope="module")
def through_bolt(
    graph: Driver, settings: Settings, inputs: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, tuple[list[str], list[str]]]:
    """The Bolt path's graph (the session's server), after the derived step."""
    limited = settings.model_copy(update={"max_authors_for_ties": MAX_AUTHORS})
    report = load_works(graph, limited, inputs, tmp_path_factory.mktemp("quarantine"))
    return report, snapshot(graph, settings)


@pytest.fixture(scope="module")
def bulk(
    tmp_path_factory: pytest.TempPathFactory, inputs: list[Path]
) -> Iterator[tuple[Settings, BulkReport]]:
    """A second server, never started before, bulk-loaded with the same inputs, then the
    derived step."""
    home = tmp_path_factory.mktemp("bulk-home")
    settings = Settings(
        home=home,
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",
        neo4j_password=None,
        max_authors_for_ties=MAX_AUTHORS,
    )
    try:
        report = import_openalex(settings, inputs)
        with connect(settings) as driver:
            derive(
                Writer(driver, settings.neo4j_database), max_authors=settings.max_authors_for_ties
            )
        yield settings, report
    finally:
        server.stop(settings)


def test_the_bulk_load_writes_the_graph_the_bolt_path_writes(
    through_bolt: tuple[Any, tuple[list[str], list[str]]],
    bulk: tuple[Settings, BulkReport],
) -> None:
    settings, report = bulk
    with connect(settings) as driver:
        nodes, relationships = snapshot(driver, settings)
    bolt_nodes, bolt_relationships = through_bolt[1]
    # Every property of every node and relationship, derived ones included.
    assert len(nodes) == len(bolt_nodes)
    assert sorted(set(nodes) ^ set(bolt_nodes))[:5] == []
    assert nodes == bolt_nodes
    assert sorted(set(relationships) ^ set(bolt_relationships))[:5] == []
    assert relationships == bolt_relationships
    # Lines as JSON lines count them (str.splitlines would also split at U+2028 in a title).
    text = SAMPLE_WORKS.read_text(encoding="utf-8")
    sample = [line for line in text.split("\n") if line.strip()]
    assert report.written == len(sample)
    # One authorship per person named on a work (with an id and a name), as the mapping keeps.
    assert report.authorships == sum(
        len({_author(a) for a in json.loads(line)["authorships"]} - {None}) for line in sample
    )


def _author(authorship: dict[str, Any]) -> str | None:
    author = authorship.get("author") or {}
    named = author.get("display_name") or authorship.get("raw_author_name")
    return author.get("id") if author.get("id") and named else None


def test_bad_records_are_quarantined_as_the_bolt_path_does(
    through_bolt: tuple[Any, tuple[list[str], list[str]]],
    bulk: tuple[Settings, BulkReport],
    inputs: list[Path],
) -> None:
    _, report = bulk
    bolt_report = through_bolt[0]
    assert [str(p) for p in report.problems] == [str(p) for p in bolt_report.problems]
    # Every non-blank broken line, by its line number, with the reason.
    assert [(p.path, p.position) for p in report.problems] == [
        (inputs[1], number) for number, line in enumerate(BROKEN, start=1) if line
    ]
    assert "not valid JSON" in report.problems[0].message
    assert report.quarantine_file is not None
    kept = [json.loads(line) for line in report.quarantine_file.read_text().splitlines()]
    assert [entry["raw"] for entry in kept] == [line for line in BROKEN if line]
    assert all(entry["file"] == str(inputs[1]) and entry["error"] for entry in kept)


def test_the_bolt_path_takes_the_imported_graph_as_its_own(
    bulk: tuple[Settings, BulkReport], inputs: list[Path], tmp_path: Path
) -> None:
    settings, _ = bulk
    with connect(settings) as driver:
        before = snapshot(driver, settings)
        run_job(
            Writer(driver, settings.neo4j_database),
            WORKS,
            inputs,
            quarantine_dir=tmp_path,
            batch_size=500,
        )
        assert snapshot(driver, settings) == before
    # A second bulk load into the now filled database is refused, nothing touched.
    with pytest.raises(BulkImportError, match="not empty"):
        import_openalex(settings, inputs)
