"""OpenAlex Author records in the real Neo4j. Expected values are computed here from the raw
JSON (json module), without the code under test."""

from __future__ import annotations

import copy
import json
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.jobs import JobReport, run_job
from ingest.openalex.authors import OPENALEX_AUTHORS, parse_author
from schema.settings import Settings
from tests.conftest import SAMPLE_WORKS, fresh, load_works, rows, sample_works, scalar, snapshot

AUTHORS = Path(__file__).resolve().parents[1] / "data" / "sample" / "openalex" / "authors.jsonl"

LARIVIERE = "A5068542997"  # in the authors file and among the sample works' authors


# --- the raw JSON, read without the code under test --------------------------------------------


def short(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@cache
def _records() -> tuple[str, ...]:
    with AUTHORS.open(encoding="utf-8") as handle:
        return tuple(line for line in handle if line.strip())


def author_records() -> list[dict[str, Any]]:
    """Fresh copies, so a test may edit them."""
    return [json.loads(line) for line in _records()]


def raw_author(key: str) -> dict[str, Any]:
    return next(r for r in author_records() if short(r["id"]) == key)


def expected_affiliations(record: dict[str, Any]) -> dict[str, list[int]]:
    """Institution key (ROR id, else OpenAlex id) -> sorted distinct years."""
    found: dict[str, set[int]] = {}
    for affiliation in record.get("affiliations") or []:
        institution = affiliation["institution"]
        key = short(institution["ror"]) if institution.get("ror") else short(institution["id"])
        found.setdefault(key, set()).update(affiliation["years"])
    return {key: sorted(years) for key, years in found.items()}


def overlap() -> list[str]:
    """Authors both in the authors file and among the sample works' authors."""
    in_works = {
        short(a["author"]["id"])
        for work in sample_works()
        for a in work["authorships"]
        if (a.get("author") or {}).get("id")
    }
    return sorted({short(r["id"]) for r in author_records()} & in_works)


# --- helpers -----------------------------------------------------------------------------------


def load(
    graph: Driver, settings: Settings, paths: list[Path], tmp: Path, batch_size: int = 16
) -> JobReport:
    return run_job(
        Writer(graph, settings.neo4j_database),
        OPENALEX_AUTHORS,
        paths,
        quarantine_dir=tmp / "quarantine",
        batch_size=batch_size,
    )


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def scientist(graph: Driver, settings: Settings, key: str) -> dict[str, Any]:
    found = rows(graph, settings, "MATCH (n:Scientist {id: $id}) RETURN properties(n) AS p", id=key)
    assert found, f"no Scientist {key}"
    return dict(found[0]["p"])


def affiliations(
    graph: Driver, settings: Settings, key: str, source: str = "openalex_author"
) -> dict[str, dict[str, Any]]:
    found = rows(
        graph,
        settings,
        "MATCH (:Scientist {id: $id})-[r:AFFILIATED_WITH {source: $source}]->(i:Institution) "
        "RETURN i.id AS institution, properties(r) AS props",
        id=key,
        source=source,
    )
    return {r["institution"]: dict(r["props"]) for r in found}


@pytest.fixture
def loaded(graph: Driver, settings: Settings, tmp_path: Path) -> JobReport:
    """The authors file alone, in batches of 16, into an empty graph."""
    fresh(graph, settings)
    started = time.monotonic()
    report = load(graph, settings, [AUTHORS], tmp_path)
    print(f"\n{report.written} authors loaded in {time.monotonic() - started:.2f}s")
    return report


# --- the full file -----------------------------------------------------------------------------


def test_counts_and_orcids_match_the_raw_json(
    loaded: JobReport, graph: Driver, settings: Settings
) -> None:
    records = author_records()
    assert (loaded.read, loaded.written, loaded.quarantined) == (len(records), len(records), 0)
    assert scalar(graph, settings, "MATCH (n:Scientist) RETURN count(n)") == len(records)
    assert scalar(
        graph, settings, "MATCH (n:Scientist {authority: 'openalex'}) RETURN count(n)"
    ) == len(records)
    stored = {
        r["id"]: r["orcid"]
        for r in rows(graph, settings, "MATCH (n:Scientist) RETURN n.id AS id, n.orcid AS orcid")
    }
    assert stored == {short(r["id"]): short(r["orcid"]) if r["orcid"] else None for r in records}
    with_orcid = sum(1 for r in records if r["orcid"])
    assert 0 < with_orcid < len(records)  # the sample has both
    assert (
        scalar(graph, settings, "MATCH (n:Scientist) WHERE n.orcid IS NOT NULL RETURN count(n)")
        == with_orcid
    )

    # one AFFILIATED_WITH per (person, institution), one Institution node per key
    edges = {(short(r["id"]), key) for r in records for key in expected_affiliations(r)}
    assert scalar(
        graph,
        settings,
        "MATCH (:Scientist)-[r:AFFILIATED_WITH {source: 'openalex_author'}]->(:Institution) "
        "RETURN count(r)",
    ) == len(edges)
    assert scalar(graph, settings, "MATCH (n:Institution) RETURN count(n)") == len(
        {key for _, key in edges}
    )
    # created institutions carry the record's minimal view: name and both ids
    nameless = scalar(
        graph,
        settings,
        "MATCH (n:Institution) WHERE n.name IS NULL OR n.openalex_id IS NULL RETURN count(n)",
    )
    assert nameless == 0


def test_statistics_and_affiliations_of_several_authors(
    loaded: JobReport, graph: Driver, settings: Settings
) -> None:
    records = author_records()
    most_affiliations = max(records, key=lambda r: (len(expected_affiliations(r)), r["id"]))
    without_orcid = next(r for r in records if not r["orcid"] and r.get("affiliations"))
    highest_h = max(records, key=lambda r: (r["summary_stats"]["h_index"], r["id"]))
    old_format = next(r for r in records if "last_known_institution" in r)
    chosen = [most_affiliations, without_orcid, highest_h, old_format, raw_author(LARIVIERE)]
    chosen += records[::27]
    for record in chosen:
        key = short(record["id"])
        stored = scientist(graph, settings, key)
        stats = record["summary_stats"]
        assert stored["name"] == record["display_name"]
        assert stored["h_index"] == stats["h_index"], key
        assert stored["i10_index"] == stats["i10_index"], key
        assert stored["two_year_mean_citedness"] == pytest.approx(stats["2yr_mean_citedness"])
        assert stored["works_count"] == record["works_count"]
        assert stored["cited_by_count"] == record["cited_by_count"]
        assert stored["source_id"] == record["id"]
        assert stored["updated_at"].startswith(record["updated_date"])
        alternatives = [
            n
            for n in dict.fromkeys(record["display_name_alternatives"])
            if n != record["display_name"]
        ]
        assert stored.get("alternative_names", []) == alternatives
        assert stored["names"][0] == record["display_name"]
        topics = [short(t["id"]) for t in record.get("topics") or []]
        assert stored.get("topic_ids", []) == topics
        last = record.get("last_known_institutions")
        if last is None:
            last = [record["last_known_institution"]]
        assert stored.get("last_known_institution_ids", []) == [
            short(i["ror"]) if i.get("ror") else short(i["id"]) for i in last
        ]

        expected = expected_affiliations(record)
        edges = affiliations(graph, settings, key)
        assert set(edges) == set(expected), key
        for institution, years in expected.items():
            edge = edges[institution]
            assert edge["years"] == years
            assert (edge["start_year"], edge["end_year"]) == (min(years), max(years))
            assert edge["confidence"] == 1.0
    assert len(most_affiliations["affiliations"]) >= 10
    old = scientist(graph, settings, short(old_format["id"]))
    assert "orcid" not in old and old["last_known_institution_ids"] == [
        short(old_format["last_known_institution"]["ror"])
    ]


def test_a_second_run_changes_nothing(
    loaded: JobReport, graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    before = snapshot(graph, settings)
    report = load(graph, settings, [AUTHORS], tmp_path / "again", batch_size=50)
    assert (report.written, report.quarantined) == (len(author_records()), 0)
    assert snapshot(graph, settings) == before


# --- load order --------------------------------------------------------------------------------


def scientist_state(
    graph: Driver, settings: Settings, keys: list[str]
) -> dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
    """What the author records own: the node's values and their affiliation edges. The
    evaluation's values (`eval_*`) are the derived step's, computed from the works loaded
    (ingest/derived/evaluation.py), and so is the mark that the moves are due (`flows_dirty`,
    set by an Author record's load and cleared by the derived step that follows a works load),
    so they are not part of it."""
    return {
        key: (
            {
                k: v
                for k, v in scientist(graph, settings, key).items()
                if not k.startswith("eval_") and k != "flows_dirty"
            },
            affiliations(graph, settings, key),
        )
        for key in keys
    }


def test_works_then_authors_equals_authors_then_works(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    both = overlap()
    assert len(both) >= 5, both

    fresh(graph, settings)
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "q1")
    institutions_before = {
        r["id"]: r["p"]
        for r in rows(
            graph, settings, "MATCH (n:Institution) RETURN n.id AS id, properties(n) AS p"
        )
    }
    derived_before = {
        key: affiliations(graph, settings, key, "openalex_authorship") for key in both
    }
    assert any(derived_before.values())
    load(graph, settings, [AUTHORS], tmp_path / "q2")
    works_first = scientist_state(graph, settings, both)
    # the authors' load neither changes an existing institution nor derived affiliations
    institutions_after = {
        r["id"]: r["p"]
        for r in rows(
            graph, settings, "MATCH (n:Institution) RETURN n.id AS id, properties(n) AS p"
        )
    }
    assert {k: institutions_after[k] for k in institutions_before} == institutions_before
    assert {
        key: affiliations(graph, settings, key, "openalex_authorship") for key in both
    } == derived_before

    fresh(graph, settings)
    load(graph, settings, [AUTHORS], tmp_path / "q3")
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "q4")
    authors_first = scientist_state(graph, settings, both)
    assert {
        key: affiliations(graph, settings, key, "openalex_authorship") for key in both
    } == derived_before

    assert authors_first == works_first
    for key in both:  # and it is the author record's view, not a work's
        record = raw_author(key)
        props, edges = authors_first[key]
        assert props["authority"] == "openalex"
        assert props["name"] == record["display_name"]
        assert props["h_index"] == record["summary_stats"]["h_index"]
        assert props["updated_at"].startswith(record["updated_date"])
        assert "needs_derive" not in props
        assert {i: e["years"] for i, e in edges.items()} == expected_affiliations(record)


# --- newer and older records -------------------------------------------------------------------


def variants() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(older, newer, same date as newer) versions of one author: the newer one has a higher
    h-index, drops an institution and adds a year to another."""
    base = raw_author(LARIVIERE)
    dropped = short(base["affiliations"][0]["institution"]["ror"])
    assert dropped == "002rjbv21"  # also among the sample works' affiliations of this author
    older = copy.deepcopy(base)
    older["updated_date"] = "2024-01-01T00:00:00.000000"
    older["display_name"] = "V. Larivière (old)"
    older["summary_stats"]["h_index"] = 3
    newer = copy.deepcopy(base)
    newer["updated_date"] = "2026-01-01T00:00:00.000000"
    newer["summary_stats"]["h_index"] = base["summary_stats"]["h_index"] + 5
    newer["affiliations"] = base["affiliations"][1:]
    newer["affiliations"][0]["years"] = [2026, *newer["affiliations"][0]["years"]]
    twin = copy.deepcopy(newer)
    twin["summary_stats"]["i10_index"] = 1
    return older, newer, twin


def test_an_older_record_does_not_overwrite_a_newer_one(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    older, newer, _ = variants()
    old_file = write_jsonl(tmp_path / "older.jsonl", [older])
    new_file = write_jsonl(tmp_path / "newer.jsonl", [newer])
    dropped = "002rjbv21"

    fresh(graph, settings)
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "q0")
    derived = affiliations(graph, settings, LARIVIERE, "openalex_authorship")
    assert dropped in derived  # an edge of another source to the institution the newer drops
    load(graph, settings, [old_file], tmp_path / "q1")
    assert scientist(graph, settings, LARIVIERE)["name"] == older["display_name"]
    assert set(affiliations(graph, settings, LARIVIERE)) == set(expected_affiliations(older))
    load(graph, settings, [new_file], tmp_path / "q2")
    newer_state = scientist_state(graph, settings, [LARIVIERE])[LARIVIERE]
    load(graph, settings, [old_file], tmp_path / "q3")  # arrives late: ignored
    assert scientist_state(graph, settings, [LARIVIERE])[LARIVIERE] == newer_state

    props, edges = newer_state
    assert props["h_index"] == newer["summary_stats"]["h_index"]
    assert props["name"] == newer["display_name"]
    assert props["updated_at"] == "2026-01-01T00:00:00"
    expected = expected_affiliations(newer)
    assert dropped not in edges and dropped in expected_affiliations(older)
    assert {i: e["years"] for i, e in edges.items()} == expected
    assert max(max(y) for y in expected.values()) == 2026
    # the authorship-derived edges are untouched, the dropped institution's included
    assert affiliations(graph, settings, LARIVIERE, "openalex_authorship") == derived

    # the other order, and one file holding both, without works (the author record alone owns
    # the node and its edges of this source): the same node
    for order in ([new_file, old_file], [write_jsonl(tmp_path / "both.jsonl", [newer, older])]):
        fresh(graph, settings)
        load(graph, settings, order, tmp_path / "q5")
        assert scientist_state(graph, settings, [LARIVIERE])[LARIVIERE] == newer_state


def test_records_of_the_same_date_converge_whatever_the_order(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    _, newer, twin = variants()
    first = write_jsonl(tmp_path / "a.jsonl", [newer])
    second = write_jsonl(tmp_path / "b.jsonl", [twin])
    states = []
    for order in ([first, second], [second, first]):
        fresh(graph, settings)
        load(graph, settings, order, tmp_path / "q")
        states.append(scientist_state(graph, settings, [LARIVIERE]))
    assert states[0] == states[1]


# --- drift and bad input -----------------------------------------------------------------------


def test_drift_without_ror_summary_stats_or_orcid(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    record = raw_author(LARIVIERE)
    record["id"] = "https://openalex.org/A9000000001"
    record["orcid"] = None
    record["ids"] = {"openalex": record["id"]}
    del record["summary_stats"]
    unkeyed = record["affiliations"][0]["institution"]
    unkeyed["ror"] = None
    record["last_known_institutions"] = None
    record["last_known_institution"] = dict(unkeyed)
    record["display_name"] = "张伟"
    record["display_name_alternatives"] = ["张伟", "Wei Zhang", " Wei Zhang "]
    fresh(graph, settings)
    report = load(graph, settings, [write_jsonl(tmp_path / "drift.jsonl", [record])], tmp_path)
    assert (report.written, report.quarantined) == (1, 0)

    stored = scientist(graph, settings, "A9000000001")
    for absent in ("orcid", "h_index", "i10_index", "two_year_mean_citedness"):
        assert absent not in stored
    assert stored["works_count"] == record["works_count"]
    assert stored["alternative_names"] == ["Wei Zhang"]
    assert stored["name_pinyin"] == ["Zhang Wei"]
    openalex_key = short(unkeyed["id"])
    assert stored["last_known_institution_ids"] == [openalex_key]
    edges = affiliations(graph, settings, "A9000000001")
    assert set(edges) == set(expected_affiliations(record))
    assert edges[openalex_key]["years"] == sorted(record["affiliations"][0]["years"])
    node = rows(
        graph,
        settings,
        "MATCH (n:Institution {id: $id}) RETURN properties(n) AS p",
        id=openalex_key,
    )[0]["p"]
    assert node["openalex_id"] == openalex_key and "ror_id" not in node
    assert node["name"] == unkeyed["display_name"]


def test_bad_lines_are_quarantined_and_the_rest_load(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    records = author_records()
    no_id = copy.deepcopy(records[2])
    del no_id["id"]
    work_id = copy.deepcopy(records[3])
    work_id["id"] = "https://openalex.org/W2741809807"
    lines: list[Any] = [
        records[0],
        '{"id": "https://openalex.org/A1", ',
        no_id,
        work_id,
        records[1],
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", lines)
    fresh(graph, settings)
    report = load(graph, settings, [path], tmp_path)
    assert (report.read, report.written, report.quarantined) == (5, 2, 3)
    assert [p.position for p in report.problems] == [2, 3, 4]
    assert "not valid JSON" in report.problems[0].message
    assert "no string 'id'" in report.problems[1].message
    assert "work id" in report.problems[2].message
    assert report.quarantine_file is not None
    quarantined = [json.loads(x) for x in report.quarantine_file.read_text().splitlines()]
    assert [q["line"] for q in quarantined] == [2, 3, 4]
    loaded_ids = rows(graph, settings, "MATCH (n:Scientist) RETURN n.id AS id ORDER BY id")
    assert [r["id"] for r in loaded_ids] == sorted(short(r["id"]) for r in records[:2])


def test_parse_rejects_a_record_without_a_name() -> None:
    record = author_records()[0]
    record["display_name"] = " "
    record["display_name_alternatives"] = []
    with pytest.raises(Exception, match="no display_name"):
        parse_author(record)
