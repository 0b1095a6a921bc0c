"""Loading OpenAlex works into the real Neo4j, checked against counts taken from the raw JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from ingest.errors import InvalidInputError
from ingest.openalex.works import parse_work
from schema.settings import Settings
from tests.conftest import SAMPLE_WORKS, fulltext, load_works, sample_works, short_id, snapshot


def load(graph: Driver, settings: Settings, paths: list[Path], tmp: Path, **kw: Any) -> Any:
    return load_works(graph, settings, paths, tmp / "quarantine", **kw)


def count(graph: Driver, settings: Settings, query: str, **params: Any) -> int:
    records, _, _ = graph.execute_query(query, params, database_=settings.neo4j_database)
    return int(records[0][0])


def expected_counts() -> dict[str, int]:
    works = sample_works()
    authors: set[str] = set()
    institutions: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for work in works:
        for authorship in work.get("authorships") or []:
            author = authorship.get("author") or {}
            if not author.get("id"):
                continue
            authors.add(author["id"])
            pairs.add((author["id"], work["id"]))
            for inst in authorship.get("institutions") or []:
                # one node per real institution: the ROR id when there is one
                institutions.add(inst.get("ror") or inst["id"])
    return {
        "works": len({w["id"] for w in works}),
        "scientists": len(authors),
        "institutions": len(institutions),
        "authored": len(pairs),
    }


def test_sample_counts_match_raw_json(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    report = load(graph, settings, [SAMPLE_WORKS], tmp_path)
    want = expected_counts()
    assert report.written == want["works"] == 340
    real_works = "MATCH (w:Work) WHERE w.stub IS NULL RETURN count(w)"
    assert count(graph, settings, real_works) == want["works"]
    assert count(graph, settings, "MATCH (s:Scientist) RETURN count(s)") == want["scientists"]
    assert count(graph, settings, "MATCH (i:Institution) RETURN count(i)") == want["institutions"]
    assert count(graph, settings, "MATCH ()-[r:AUTHORED]->() RETURN count(r)") == want["authored"]


def test_properties_come_through(graph: Driver, settings: Settings) -> None:
    raw = sample_works()[0]
    records, _, _ = graph.execute_query(
        "MATCH (w:Work {id: $id}) RETURN properties(w) AS p",
        id=short_id(raw["id"]),
        database_=settings.neo4j_database,
    )
    props = records[0]["p"]
    assert props["title"] == raw["display_name"]
    assert props["publication_year"] == raw["publication_year"]
    assert props["cited_by_count"] == raw["cited_by_count"]
    first = raw["authorships"][0]
    records, _, _ = graph.execute_query(
        "MATCH (s:Scientist {id: $sid})-[a:AUTHORED]->(w:Work {id: $wid}) "
        "RETURN s.name AS name, s.orcid AS orcid, a.position AS position, "
        "a.raw_affiliation AS raw",
        sid=short_id(first["author"]["id"]),
        wid=short_id(raw["id"]),
        database_=settings.neo4j_database,
    )
    assert records[0]["name"] == first["author"]["display_name"]
    assert records[0]["orcid"] == short_id(first["author"]["orcid"])
    assert records[0]["position"] == 0
    assert records[0]["raw"] == first["raw_affiliation_strings"]


def test_affiliation_years_span_the_works(graph: Driver, settings: Settings) -> None:
    spans: dict[tuple[str, str], list[int]] = {}
    for work in sample_works():
        for authorship in work["authorships"]:
            author = (authorship.get("author") or {}).get("id")
            if not author or work.get("publication_year") is None:
                continue
            for inst in authorship["institutions"]:
                key = (short_id(author), short_id(inst.get("ror") or inst["id"]))
                spans.setdefault(key, []).append(work["publication_year"])
    records, _, _ = graph.execute_query(
        "MATCH (s:Scientist)-[r:AFFILIATED_WITH]->(i:Institution) "
        "RETURN s.id AS s, i.id AS i, r.start_year AS start, r.end_year AS end",
        database_=settings.neo4j_database,
    )
    got = {(r["s"], r["i"]): (r["start"], r["end"]) for r in records}
    assert got == {key: (min(years), max(years)) for key, years in spans.items()}


def test_second_run_changes_nothing(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(graph, settings)
    load(graph, settings, [SAMPLE_WORKS], tmp_path, batch_size=500)
    assert snapshot(graph, settings) == before


def test_unchanged_records_are_not_rewritten(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    # The same file again: every record is skipped, so no work is marked for the derived step.
    load(graph, settings, [SAMPLE_WORKS], tmp_path, derive=False)
    marked = count(graph, settings, "MATCH (w:Work {needs_derive: true}) RETURN count(w)")
    assert marked == 0
    # One record changed (same id, another title): only that work is written and marked.
    raw = sample_works()[3]
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps({**raw, "title": "A retitled work"}) + "\n", encoding="utf-8")
    load(graph, settings, [SAMPLE_WORKS, changed], tmp_path, derive=False)
    marked_ids = [
        r["id"]
        for r in graph.execute_query(
            "MATCH (w:Work {needs_derive: true}) RETURN w.id AS id",
            database_=settings.neo4j_database,
        ).records
    ]
    assert marked_ids == [short_id(raw["id"])]
    # The original record again restores the title (its digest differs from the stored one).
    load(graph, settings, [SAMPLE_WORKS], tmp_path)
    title = graph.execute_query(
        "MATCH (w:Work {id: $id}) RETURN w.title AS t",
        id=short_id(raw["id"]),
        database_=settings.neo4j_database,
    ).records[0]["t"]
    assert title == raw["title"]


def test_newer_record_replaces_authors(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    def ids(work: dict[str, Any]) -> list[str | None]:
        return [(a.get("author") or {}).get("id") for a in work["authorships"]]

    raw = next(
        w
        for w in sample_works()
        if len(w["authorships"]) >= 3 and ids(w)[-1] and ids(w).count(ids(w)[-1]) == 1
    )
    dropped = raw["authorships"][-1]["author"]["id"]
    newer = {**raw, "authorships": raw["authorships"][:-1], "cited_by_count": 123456}
    path = tmp_path / "newer.jsonl"
    path.write_text(json.dumps(newer) + "\n", encoding="utf-8")
    load(graph, settings, [path], tmp_path)
    wid = short_id(raw["id"])
    authors, _, _ = graph.execute_query(
        "MATCH (s:Scientist)-[:AUTHORED]->(:Work {id: $id}) RETURN s.id AS id",
        id=wid,
        database_=settings.neo4j_database,
    )
    got = {r["id"] for r in authors}
    assert short_id(dropped) not in got
    assert len(got) == len({i for i in ids(newer) if i})
    cited = count(graph, settings, "MATCH (w:Work {id: $id}) RETURN w.cited_by_count", id=wid)
    assert cited == 123456
    # the original record restores the original graph
    load(graph, settings, [SAMPLE_WORKS], tmp_path)
    assert short_id(dropped) in {
        r["id"]
        for r in graph.execute_query(
            "MATCH (s:Scientist)-[:AUTHORED]->(:Work {id: $id}) RETURN s.id AS id",
            id=wid,
            database_=settings.neo4j_database,
        ).records
    }


def test_bad_lines_are_quarantined_and_the_rest_loads(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    good = SAMPLE_WORKS.read_text(encoding="utf-8").splitlines()[:2]
    fresh = {**json.loads(good[0]), "id": "https://openalex.org/W1", "authorships": []}
    lines = [json.dumps(fresh), good[1], "{not json", '{"id": "https://openalex.org/A12"}']
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = snapshot(graph, settings)

    # --strict: nothing is written
    with pytest.raises(InvalidInputError) as caught:
        load(graph, settings, [path], tmp_path / "strict", strict=True)
    message = str(caught.value)
    assert f"{path}:3: not valid JSON" in message
    assert f"{path}:4:" in message and "A12" in message
    assert snapshot(graph, settings) == before

    # default: the bad records are quarantined, the job goes on
    report = load(graph, settings, [path], tmp_path)
    assert (report.read, report.written, report.quarantined) == (4, 2, 2)
    assert count(graph, settings, "MATCH (w:Work {id: 'W1'}) RETURN count(w)") == 1
    assert report.quarantine_file is not None
    entries = [
        json.loads(x) for x in report.quarantine_file.read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["file"], e["line"]) for e in entries] == [(str(path), 3), (str(path), 4)]
    assert entries[0]["raw"] == "{not json"
    assert "not valid JSON" in entries[0]["error"]


def test_gzip_input(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "works.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(SAMPLE_WORKS.read_text(encoding="utf-8"))
    report = load(graph, settings, [path], tmp_path)
    assert report.written == 340


def test_hanzi_author_is_found_by_pinyin(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    raw = sample_works()[1]
    author = {"id": "https://openalex.org/A999999001", "display_name": "张伟", "orcid": None}
    record = {
        **raw,
        "id": "https://openalex.org/W999999001",
        "authorships": [{**raw["authorships"][0], "author": author}],
    }
    path = tmp_path / "hanzi.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    load(graph, settings, [path], tmp_path)
    namesakes = {
        a["author"]["id"]
        for w in sample_works()
        for a in w["authorships"]
        if sorted(((a.get("author") or {}).get("display_name") or "").lower().split())
        == ["wei", "zhang"]
    }
    for text in ("Wei Zhang", "zhang wei", "张伟"):
        hits = fulltext(graph, settings, "scientist_names", text)
        # the sample has its own Wei Zhangs: ours must rank with them, above everyone else
        best = [h["id"] for h in hits[: len(namesakes) + 1]]
        assert "A999999001" in best, text


def test_unlinked_strings_are_read_per_string_where_the_record_says_it() -> None:
    """`affiliations` tells which raw strings name an institution; older records (no
    `affiliations`) only tell whether the authorship has any."""
    work = sample_works()[0]
    base = next(a for a in work["authorships"] if (a.get("author") or {}).get("id"))
    inst = {"id": "https://openalex.org/I27837315", "display_name": "University of Michigan"}

    def unlinked(**authorship: Any) -> tuple[str, ...]:
        record = {**work, "authorships": [{**base, **authorship}]}
        return parse_work(record).authorships[0].unlinked_affiliation

    per_string: dict[str, Any] = {
        "institutions": [inst],
        "raw_affiliation_strings": ["Univ. of Michigan", "Tsinghua University, Beijing"],
        "affiliations": [
            {"raw_affiliation_string": "Univ. of Michigan", "institution_ids": [inst["id"]]},
            {"raw_affiliation_string": "Tsinghua University, Beijing", "institution_ids": []},
        ],
    }
    assert unlinked(**per_string) == ("Tsinghua University, Beijing",)
    # A string linked to an institution the authorship does not list is linked to nothing.
    elsewhere = {
        "institutions": [],
        "raw_affiliation_strings": ["Univ. of Michigan"],
        "affiliations": [
            {"raw_affiliation_string": "Univ. of Michigan", "institution_ids": [inst["id"]]}
        ],
    }
    assert unlinked(**elsewhere) == ("Univ. of Michigan",)
    old = {"raw_affiliation_strings": ["Univ. of Michigan"], "affiliations": None}
    assert unlinked(**old, institutions=[inst]) == ()
    assert unlinked(**old, institutions=[]) == ("Univ. of Michigan",)
