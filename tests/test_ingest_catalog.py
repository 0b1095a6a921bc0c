"""OpenAlex catalog records (sources, funders, topics, domains, fields, subfields; publishers
and concepts read but not stored) in the real Neo4j. Expected values are computed here from
the raw JSON, without the code under test."""

from __future__ import annotations

import copy
import json
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graph.unit_of_work import Writer
from ingest.jobs import JobReport, run_job
from ingest.openalex.entities import SOURCES, detect_entity
from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy
from schema.settings import Settings
from tests.conftest import OPENALEX_SAMPLE, SAMPLE_WORKS, fresh, load_works, rows, scalar, snapshot

DATA = OPENALEX_SAMPLE
STORED = ("domains", "fields", "subfields", "topics", "sources", "funders")
NOT_STORED = ("publishers", "concepts")
ENTITIES = STORED + NOT_STORED
LABEL = {
    "domains": "Domain",
    "fields": "Field",
    "subfields": "Subfield",
    "topics": "Topic",
    "sources": "Source",
    "funders": "Funder",
}


# --- the raw JSON, read without the code under test --------------------------------------------


def path_of(entity: str) -> Path:
    return DATA / f"{entity}.jsonl"


@cache
def raw(entity: str) -> tuple[dict[str, Any], ...]:
    with path_of(entity).open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def key(url: str) -> str:
    """`S3880285` from an entity URL; `subfields/1100` from a taxonomy URL."""
    parent, _, last = url.rstrip("/").rpartition("/")
    level = parent.rpartition("/")[2]
    return f"{level}/{last}" if level in ("domains", "fields", "subfields") else last


def by_id(entity: str) -> dict[str, dict[str, Any]]:
    return {key(r["id"]): r for r in raw(entity)}


def taxonomy_ids(level: str) -> set[str]:
    """Every node of a taxonomy level the files name: their own records, and the levels above
    named in the records of lower levels."""
    singular = level[:-1]
    found = set(by_id(level))
    for entity in ("fields", "subfields", "topics"):
        for record in raw(entity):
            if isinstance(record.get(singular), dict):
                found.add(key(record[singular]["id"]))
    return found


def parent_of(record: dict[str, Any], level: str) -> str:
    return key(record[level]["id"])


# --- helpers -----------------------------------------------------------------------------------


def load(
    graph: Driver,
    settings: Settings,
    entity: str,
    paths: list[Path],
    tmp: Path,
    batch_size: int = 50,
) -> JobReport:
    return run_job(
        Writer(graph, settings.neo4j_database),
        SOURCES[entity],
        paths,
        quarantine_dir=tmp / "quarantine",
        batch_size=batch_size,
    )


def load_all(
    graph: Driver, settings: Settings, tmp: Path, order: tuple[str, ...] = ENTITIES
) -> dict[str, JobReport]:
    return {e: load(graph, settings, e, [path_of(e)], tmp / e) for e in order}


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def node(graph: Driver, settings: Settings, label: str, node_id: str) -> dict[str, Any]:
    found = rows(
        graph, settings, f"MATCH (n:{label} {{id: $id}}) RETURN properties(n) AS p", id=node_id
    )
    assert found, f"no {label} {node_id}"
    return dict(found[0]["p"])


def parents(graph: Driver, settings: Settings, label: str) -> dict[str, list[str]]:
    found = rows(
        graph,
        settings,
        f"MATCH (n:{label}) OPTIONAL MATCH (n)-[:PART_OF]->(p) "
        "RETURN n.id AS id, collect(p.id) AS parents",
    )
    return {r["id"]: sorted(r["parents"]) for r in found}


def owned_state(graph: Driver, settings: Settings) -> list[str]:
    """The nodes records own (not the placeholders created for the levels above a record),
    with their properties and PART_OF edges, as sorted JSON strings."""
    found = rows(
        graph,
        settings,
        "MATCH (n) WHERE n.openalex_digest IS NOT NULL OPTIONAL MATCH (n)-[:PART_OF]->(p) "
        "RETURN labels(n) AS labels, properties(n) AS props, collect(p.id) AS parents",
    )
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in found)


def catalog_state(graph: Driver, settings: Settings) -> list[str]:
    """The catalog nodes with their properties and PART_OF edges, as sorted JSON strings."""
    found = rows(
        graph,
        settings,
        "MATCH (n) WHERE n:Source OR n:Funder OR n:Topic OR n:Subfield OR n:Field OR n:Domain "
        "OPTIONAL MATCH (n)-[:PART_OF]->(p) "
        "RETURN labels(n) AS labels, properties(n) AS props, collect(p.id) AS parents",
    )
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in found)


# --- the files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ENTITIES)
def test_detect_entity_of_each_file(entity: str) -> None:
    assert detect_entity(path_of(entity)) == entity


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every catalog file, once, into an empty graph (children before parents: the harder
    order)."""
    fresh(graph, settings)
    tmp = tmp_path_factory.mktemp("catalog")
    reports = {}
    for entity in ("topics", "subfields", "fields", "domains", "sources", "funders", *NOT_STORED):
        started = time.monotonic()
        reports[entity] = load(graph, settings, entity, [path_of(entity)], tmp)
        print(
            f"\n{entity}: {reports[entity].written} of {reports[entity].read} records in "
            f"{time.monotonic() - started:.2f}s"
        )
    return reports


def test_counts_match_the_raw_json(
    loaded: dict[str, JobReport], graph: Driver, settings: Settings
) -> None:
    for entity in ENTITIES:
        report = loaded[entity]
        assert (report.read, report.quarantined) == (len(raw(entity)), 0), entity
        assert report.written == len(raw(entity)), entity
    for entity in STORED:
        label = LABEL[entity]
        owned = scalar(
            graph,
            settings,
            f"MATCH (n:{label}) WHERE n.openalex_digest IS NOT NULL RETURN count(n)",
        )
        assert owned == len(by_id(entity)), entity
    for level in ("domains", "fields", "subfields"):
        assert scalar(graph, settings, f"MATCH (n:{LABEL[level]}) RETURN count(n)") == len(
            taxonomy_ids(level)
        )
    assert scalar(graph, settings, "MATCH (n:Topic) RETURN count(n)") == len(by_id("topics"))
    assert scalar(graph, settings, "MATCH (n:Source) RETURN count(n)") == len(by_id("sources"))
    assert scalar(graph, settings, "MATCH (n:Funder) RETURN count(n)") == len(by_id("funders"))


def test_publishers_and_concepts_store_nothing(
    loaded: dict[str, JobReport], graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    before = snapshot(graph, settings)
    for entity in NOT_STORED:
        report = load(graph, settings, entity, [path_of(entity)], tmp_path)
        assert (report.read, report.quarantined) == (len(raw(entity)), 0)
    assert snapshot(graph, settings) == before
    ids = sorted(by_id("publishers")) + sorted(by_id("concepts"))
    assert scalar(graph, settings, "MATCH (n) WHERE n.id IN $ids RETURN count(n)", ids=ids) == 0


def test_source_values_match_the_raw_json(
    loaded: dict[str, JobReport], graph: Driver, settings: Settings
) -> None:
    sources = by_id("sources")
    with_issn = [k for k, r in sources.items() if r.get("issn_l")]
    hosted = [k for k, r in sources.items() if (r.get("host_organization") or "").count("/P")]
    repositories = [k for k, r in sources.items() if (r.get("host_organization") or "").count("/I")]
    legacy = [
        k for k, r in sources.items() if r.get("publisher") and not r.get("host_organization")
    ]
    assert with_issn and hosted and repositories and legacy
    for source_id in sorted({*with_issn[:3], *hosted[:3], *repositories[:2], *legacy[:2]}):
        record, props = sources[source_id], node(graph, settings, "Source", source_id)
        stats = record["summary_stats"]
        assert props["name"] == record["display_name"]
        assert props.get("issn_l") == record["issn_l"]
        assert props.get("issns") == (record["issn"] or None)
        assert props["works_count"] == record["works_count"]
        assert props["cited_by_count"] == record["cited_by_count"]
        assert props.get("h_index") == stats.get("h_index")
        assert props.get("country_code") == record["country_code"]
        assert props.get("homepage_url") == record["homepage_url"]
        assert props["is_oa"] == record["is_oa"]
        assert props["type"] == record["type"]
        assert props["publisher"] == (record["host_organization_name"] or record["publisher"])
        host = key(record["host_organization"]) if record.get("host_organization") else None
        assert props.get("publisher_id") == (host if host and host[0] == "P" else None)
        assert props.get("host_institution_id") == (host if host and host[0] == "I" else None)
        assert props["updated_at"].startswith(record["updated_date"])
        assert props["source_id"] == record["id"]
    science = node(graph, settings, "Source", "S3880285")
    assert science["publisher_id"] == "P4310315823"
    assert science["publisher"] == "American Association for the Advancement of Science"
    assert "Science online" in science["alternative_names"]
    assert science["topic_ids"][0] == key(sources["S3880285"]["topics"][0]["id"])


def test_funder_values_match_the_raw_json(
    loaded: dict[str, JobReport], graph: Driver, settings: Settings
) -> None:
    for funder_id, record in by_id("funders").items():
        props = node(graph, settings, "Funder", funder_id)
        ror = record["ids"].get("ror")
        assert props["name"] == record["display_name"]
        assert props["country_code"] == record["country_code"]
        assert props.get("ror_id") == (key(ror) if ror else None)
        assert props["grants_count"] == record["grants_count"]
        assert props["works_count"] == record["works_count"]
        assert props.get("description") == record["description"]
        assert props.get("homepage_url") == record["homepage_url"]
        assert props["h_index"] == record["summary_stats"]["h_index"]
        assert props["alternative_names"] == record["alternate_titles"]
        institution = [key(r["id"]) for r in record["roles"] if r["role"] == "institution"]
        assert props.get("institution_id") == (institution[0] if institution else None)
    nih = node(graph, settings, "Funder", "F4320332161")
    assert (nih["ror_id"], nih["country_code"]) == ("01cwqze88", "US")


def test_taxonomy_parents_and_values_match_the_raw_json(
    loaded: dict[str, JobReport], graph: Driver, settings: Settings
) -> None:
    expected = {
        "Field": {k: [parent_of(r, "domain")] for k, r in by_id("fields").items()},
        "Subfield": {k: [parent_of(r, "field")] for k, r in by_id("subfields").items()},
        "Topic": {k: [parent_of(r, "subfield")] for k, r in by_id("topics").items()},
    }
    for label, wanted in expected.items():
        found = parents(graph, settings, label)
        assert {k: found[k] for k in wanted} == wanted, label
    assert all(p == [] for p in parents(graph, settings, "Domain").values())

    subfield = by_id("subfields")["subfields/1100"]
    props = node(graph, settings, "Subfield", "subfields/1100")
    assert props["name"] == subfield["display_name"]
    assert props["field_id"] == "fields/11"
    assert props["description"] == subfield["description"]
    assert props["alternative_names"] == subfield["display_name_alternatives"]
    assert props["wikidata_id"] == key(subfield["ids"]["wikidata"])
    assert props["works_count"] == subfield["works_count"]

    topic = by_id("topics")["T11636"]
    props = node(graph, settings, "Topic", "T11636")
    assert props["keywords"] == topic["keywords"]
    assert props["subfield_id"] == "subfields/2718"
    assert props["wikipedia_url"] == topic["ids"]["wikipedia"]
    assert props["cited_by_count"] == topic["cited_by_count"]
    chain = rows(
        graph,
        settings,
        "MATCH (:Topic {id: 'T11636'})-[:PART_OF]->(s:Subfield)-[:PART_OF]->(f:Field)"
        "-[:PART_OF]->(d:Domain) RETURN s.id AS s, f.id AS f, d.id AS d",
    )
    assert chain == [{"s": "subfields/2718", "f": "fields/27", "d": "domains/4"}]


def test_a_second_run_changes_nothing(
    loaded: dict[str, JobReport], graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    before = snapshot(graph, settings)
    again = load_all(graph, settings, tmp_path)
    assert all(r.quarantined == 0 for r in again.values())
    assert snapshot(graph, settings) == before


# --- order, age and works ----------------------------------------------------------------------


def test_any_file_order_gives_the_same_graph(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    load_all(graph, settings, tmp_path / "a", ("domains", "fields", "subfields", "topics"))
    parents_first = snapshot(graph, settings)
    fresh(graph, settings)
    load_all(graph, settings, tmp_path / "b", ("topics", "subfields", "fields", "domains"))
    assert snapshot(graph, settings) == parents_first


def older_copy(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The record as an earlier API version could have had it: a year older, other values."""
    older = copy.deepcopy(record)
    older.update(changes)
    older["updated_date"] = "2022-01-01T00:00:00"
    return older


def test_an_older_record_does_not_overwrite_a_newer_one(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    science = by_id("sources")["S3880285"]
    nih = by_id("funders")["F4320332161"]
    subfield = by_id("subfields")["subfields/1100"]
    cases = {
        "sources": (
            science,
            older_copy(science, display_name="Science (old)", works_count=1, issn_l=None),
        ),
        "funders": (nih, older_copy(nih, country_code="CA", description="old")),
        "subfields": (
            subfield,
            older_copy(
                subfield,
                display_name="Old name",
                field={"id": "https://openalex.org/fields/12", "display_name": "Arts"},
            ),
        ),
    }
    newer = {e: write_jsonl(tmp_path / f"{e}-new.jsonl", [n]) for e, (n, _) in cases.items()}
    older = {e: write_jsonl(tmp_path / f"{e}-old.jsonl", [o]) for e, (_, o) in cases.items()}
    both = {e: write_jsonl(tmp_path / f"{e}-both.jsonl", [n, o]) for e, (n, o) in cases.items()}

    fresh(graph, settings)
    for entity in cases:
        load(graph, settings, entity, [newer[entity]], tmp_path / "q0")
    newest_only = snapshot(graph, settings)
    assert node(graph, settings, "Source", "S3880285")["name"] == "Science"

    newest_owned = owned_state(graph, settings)

    for entity in cases:  # arrives late: ignored, and nothing else changes either
        report = load(graph, settings, entity, [older[entity]], tmp_path / "q1")
        assert (report.read, report.quarantined) == (1, 0)
    assert snapshot(graph, settings) == newest_only
    assert parents(graph, settings, "Subfield")["subfields/1100"] == ["fields/11"]

    for batches in (
        [[older[e]] for e in cases] + [[newer[e]] for e in cases],  # old first, then new
        [[both[e]] for e in cases],  # both in one batch
    ):
        fresh(graph, settings)
        for files in batches:
            load(graph, settings, files[0].name.split("-")[0], files, tmp_path / "q2")
        # The records' nodes end the same; the placeholder levels the older record named first
        # stay, as works leave theirs (they are only created when missing).
        assert owned_state(graph, settings) == newest_owned

    # and the older one alone is stored as it is, moved to its own parent
    fresh(graph, settings)
    load(graph, settings, "subfields", [older["subfields"]], tmp_path / "q3")
    assert node(graph, settings, "Subfield", "subfields/1100")["name"] == "Old name"
    assert parents(graph, settings, "Subfield")["subfields/1100"] == ["fields/12"]


def test_records_of_the_same_date_converge_whatever_the_order(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    record = by_id("funders")["F4320321597"]
    twin = {**record, "description": "the same date, other content"}
    first = write_jsonl(tmp_path / "a.jsonl", [record])
    second = write_jsonl(tmp_path / "b.jsonl", [twin])
    states = []
    for order in ([first, second], [second, first]):
        fresh(graph, settings)
        for path in order:
            load(graph, settings, "funders", [path], tmp_path)
        states.append(snapshot(graph, settings))
    assert states[0] == states[1]


def test_a_record_overrides_what_works_said_in_either_order(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    catalog = ("domains", "fields", "subfields", "topics", "sources", "funders")
    fresh(graph, settings)
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "w1", derive=False)
    seen_in_works = {
        r["id"]: r["p"]
        for r in rows(graph, settings, "MATCH (n:Source) RETURN n.id AS id, properties(n) AS p")
    }
    load_all(graph, settings, tmp_path / "c1", catalog)
    works_first = catalog_state(graph, settings)

    fresh(graph, settings)
    load_all(graph, settings, tmp_path / "c2", catalog)
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "w2", derive=False)
    assert catalog_state(graph, settings) == works_first

    sources = by_id("sources")
    overlap = sorted(set(seen_in_works) & set(sources))
    assert len(overlap) >= 5, overlap
    for source_id in overlap:  # the record's view, not the work's
        props = node(graph, settings, "Source", source_id)
        assert props["updated_at"].startswith(sources[source_id]["updated_date"])
        assert props["works_count"] == sources[source_id]["works_count"]
        assert props["openalex_digest"]
        assert "openalex_digest" not in seen_in_works[source_id]
    linked = scalar(
        graph,
        settings,
        "MATCH (:Work)-[:PUBLISHED_IN]->(s:Source) WHERE s.id IN $ids RETURN count(DISTINCT s)",
        ids=overlap,
    )
    assert linked == len(overlap)


def test_the_taxonomy_csv_and_records_in_either_order(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    levels = ("domains", "fields", "subfields", "topics")
    writer = Writer(graph, settings.neo4j_database)
    fresh(graph, settings)
    csv_alone = load_taxonomy(writer, DEFAULT_TAXONOMY_PATH)
    assert csv_alone.topics == scalar(graph, settings, "MATCH (n:Topic) RETURN count(n)")
    load_all(graph, settings, tmp_path / "a", levels)
    csv_first = snapshot(graph, settings)

    fresh(graph, settings)
    load_all(graph, settings, tmp_path / "b", levels)
    load_taxonomy(writer, DEFAULT_TAXONOMY_PATH)
    assert snapshot(graph, settings) == csv_first
    # the records' values on the nodes they own, the CSV's on the others
    subfield = node(graph, settings, "Subfield", "subfields/1100")
    assert subfield["description"] == by_id("subfields")["subfields/1100"]["description"]
    csv_only = scalar(
        graph,
        settings,
        "MATCH (t:Topic) WHERE t.openalex_digest IS NULL AND t.keywords IS NOT NULL "
        "RETURN count(t)",
    )
    assert csv_only == csv_alone.topics - len(raw("topics"))


# --- bad and drifting records ------------------------------------------------------------------


def test_bad_lines_are_quarantined_and_the_rest_load(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    good = list(raw("funders"))
    lines: list[Any] = [
        good[0],
        '{"id": "https://openalex.org/F1", "display_name": ',  # cut short
        {"display_name": "no id"},
        {"id": "https://openalex.org/S3880285", "display_name": "a source in the funders"},
        {"id": "https://openalex.org/F2"},  # no name
        *good[1:],
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", lines)
    report = load(graph, settings, "funders", [path], tmp_path)
    assert [p.position for p in report.problems] == [2, 3, 4, 5]
    assert "not valid JSON" in report.problems[0].message
    assert "no string 'id'" in report.problems[1].message
    assert "not a funder id" in report.problems[2].message
    assert "no display_name" in report.problems[3].message
    assert report.quarantine_file is not None and report.quarantine_file.is_file()
    assert len(report.quarantine_file.read_text().splitlines()) == 4
    assert report.written == len(good)
    assert scalar(graph, settings, "MATCH (n:Funder) RETURN count(n)") == len(good)


def test_drift_missing_keys_nulls_and_extra_keys(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    source = {
        "id": "https://openalex.org/S1",
        "display_name": "A Drifting Journal",
        "issn": None,
        "summary_stats": None,
        "country_code": "not a country",
        "host_organization": "https://openalex.org/W1",  # not a publisher or institution
        "topics": [None, {"id": "nonsense"}, {"id": "https://openalex.org/T11636"}],
        "is_oa": "yes",
        "works_count": -3,
        "a_key_from_2030": {"anything": [1, 2]},
        "updated_date": "2026-01-02",
    }
    subfield = {
        "id": "https://openalex.org/subfields/9999",
        "display_name": "Orphan",
        "field": None,
        "display_name_alternatives": None,
        "ids": None,
    }
    for entity, record in (("sources", source), ("subfields", subfield)):
        report = load(
            graph, settings, entity, [write_jsonl(tmp_path / f"{entity}.jsonl", [record])], tmp_path
        )
        assert (report.written, report.quarantined) == (1, 0)
    props = node(graph, settings, "Source", "S1")
    assert props["name"] == "A Drifting Journal"
    assert props["topic_ids"] == ["T11636"]
    assert props["updated_at"] == "2026-01-02T00:00:00"
    for absent in ("issns", "country_code", "publisher_id", "is_oa", "works_count", "h_index"):
        assert absent not in props
    assert node(graph, settings, "Subfield", "subfields/9999")["name"] == "Orphan"
    assert parents(graph, settings, "Subfield")["subfields/9999"] == []


# --- the command line --------------------------------------------------------------------------


def test_the_command_loads_every_shared_openalex_file(graph: Driver, settings: Settings) -> None:
    from talentmap.cli import app

    fresh(graph, settings)
    files = [
        path_of(e) for e in ("works", "authors", "institutions", *ENTITIES) if path_of(e).is_file()
    ]
    started = time.monotonic()
    result = CliRunner().invoke(app, ["ingest", "openalex", *map(str, files)])
    print(f"\nall {len(files)} files through the CLI in {time.monotonic() - started:.1f}s")
    print(result.output)
    assert result.exit_code == 0, result.output
    for entity in STORED:
        n = len(raw(entity))
        assert f"openalex-{entity}: read {n:,}, written {n:,}, quarantined 0" in result.output
    for entity in NOT_STORED:
        n = len(raw(entity))
        assert f"openalex-{entity}: read {n:,}, checked {n:,}, quarantined 0" in result.output
    assert "unusable" not in result.output
