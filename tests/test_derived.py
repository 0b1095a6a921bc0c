"""Derived ties against numbers computed independently from the raw sample JSON."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from schema.settings import Settings
from tests.conftest import SAMPLE_WORKS, load_works, most_prolific, sample_works, short_id
from tests.conftest import rows as query


@pytest.fixture(scope="module", autouse=True)
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path_factory.mktemp("q"), batch_size=50)


def authors_of(work: dict[str, Any]) -> set[str]:
    return {
        short_id(a["author"]["id"])
        for a in work["authorships"]
        if (a.get("author") or {}).get("id")
    }


def institutions_of(work: dict[str, Any]) -> set[str]:
    return {
        short_id(i.get("ror") or i["id"])
        for a in work["authorships"]
        if (a.get("author") or {}).get("id")
        for i in a["institutions"]
    }


def best_connected() -> str:
    """From the raw JSON: the author with the most distinct co-authors (ties: smallest id)."""
    partners: dict[str, set[str]] = defaultdict(set)
    for work in sample_works():
        people = authors_of(work)
        for person in people:
            partners[person] |= people - {person}
    return max(sorted(partners), key=lambda p: len(partners[p]))


def test_coauthors_of_the_best_connected_author(graph: Driver, settings: Settings) -> None:
    author = best_connected()
    shared: Counter[str] = Counter()
    years: dict[str, list[int]] = defaultdict(list)
    for work in sample_works():
        people = authors_of(work)
        if author in people and len(work["authorships"]) <= settings.max_authors_for_ties:
            for other in people - {author}:
                shared[other] += 1
                if work.get("publication_year"):
                    years[other].append(work["publication_year"])
    rows = query(
        graph,
        settings,
        "MATCH (:Scientist {id: $id})-[r:COAUTHORED]-(c:Scientist) "
        "RETURN c.id AS id, r.works AS works, r.first_year AS first, r.last_year AS last",
        id=author,
    )
    assert len(shared) >= 3
    assert {r["id"]: r["works"] for r in rows} == dict(shared)
    for r in rows:
        assert (r["first"], r["last"]) == (min(years[r["id"]]), max(years[r["id"]]))


def test_each_coauthor_pair_is_stored_once(graph: Driver, settings: Settings) -> None:
    pairs: set[tuple[str, str]] = set()
    for work in sample_works():
        if len(work["authorships"]) <= settings.max_authors_for_ties:
            people = sorted(authors_of(work))
            pairs.update((a, b) for i, a in enumerate(people) for b in people[i + 1 :])
    rows = query(
        graph,
        settings,
        "MATCH (a:Scientist)-[:COAUTHORED]->(b:Scientist) RETURN a.id AS a, b.id AS b",
    )
    assert {(r["a"], r["b"]) for r in rows} == pairs


def test_joint_works_of_the_busiest_institution_pair(graph: Driver, settings: Settings) -> None:
    joint: Counter[tuple[str, str]] = Counter()
    by_year: dict[tuple[str, str], Counter[int | None]] = defaultdict(Counter)
    for work in sample_works():
        insts = sorted(institutions_of(work))
        for i, a in enumerate(insts):
            for b in insts[i + 1 :]:
                joint[(a, b)] += 1
                by_year[(a, b)][work.get("publication_year")] += 1
    (a, b), works = joint.most_common(1)[0]
    assert works >= 2
    rows = query(
        graph,
        settings,
        "MATCH (x:Institution {id: $a})-[r:COLLABORATES]-(y:Institution {id: $b}) "
        "RETURN r.works AS works, r.years AS years, r.year_counts AS counts",
        a=a,
        b=b,
    )
    assert len(rows) == 1
    assert rows[0]["works"] == works
    assert dict(zip(rows[0]["years"], rows[0]["counts"], strict=True)) == dict(by_year[(a, b)])
    total = query(graph, settings, "MATCH ()-[r:COLLABORATES]->() RETURN count(r) AS n")
    assert total[0]["n"] == len(joint)


def test_expertise_counts_works_per_topic(graph: Driver, settings: Settings) -> None:
    author = short_id(most_prolific()[0])
    works: Counter[str] = Counter()
    score: Counter[str] = Counter()
    for work in sample_works():
        if author in authors_of(work):
            for topic in {t["id"]: t for t in work.get("topics") or []}.values():
                works[short_id(topic["id"])] += 1
                score[short_id(topic["id"])] += topic["score"]
    rows = query(
        graph,
        settings,
        "MATCH (:Scientist {id: $id})-[r:EXPERT_IN]->(t:Topic) "
        "RETURN t.id AS id, r.works AS works, r.score AS score",
        id=author,
    )
    assert {r["id"]: r["works"] for r in rows} == dict(works)
    for r in rows:
        assert r["score"] == pytest.approx(score[r["id"]])


def test_citations_inside_the_sample(graph: Driver, settings: Settings) -> None:
    works = sample_works()
    ids = {short_id(w["id"]) for w in works}
    inside = {
        (short_id(w["id"]), short_id(r))
        for w in works
        for r in w.get("referenced_works") or []
        if short_id(r) in ids
    }
    assert inside, "the sample is a citation neighbourhood"
    rows = query(
        graph,
        settings,
        "MATCH (a:Work)-[:CITES]->(b:Work) WHERE b.stub IS NULL RETURN a.id AS a, b.id AS b",
    )
    assert {(r["a"], r["b"]) for r in rows} == inside
    outside = {short_id(r) for w in works for r in w.get("referenced_works") or []} - ids
    stubs = query(graph, settings, "MATCH (w:Work {stub: true}) RETURN count(w) AS n")
    assert stubs[0]["n"] == len(outside)


def test_topic_hierarchy_from_works(graph: Driver, settings: Settings) -> None:
    raw = sample_works()[0]["topics"][0]
    rows = query(
        graph,
        settings,
        "MATCH (t:Topic {id: $id})-[:PART_OF]->(s:Subfield)-[:PART_OF]->(f:Field)"
        "-[:PART_OF]->(d:Domain) RETURN t.name AS t, s.id AS s, f.id AS f, d.name AS d",
        id=short_id(raw["id"]),
    )
    assert rows == [
        {
            "t": raw["display_name"],
            "s": "subfields/" + short_id(raw["subfield"]["id"]),
            "f": "fields/" + short_id(raw["field"]["id"]),
            "d": raw["domain"]["display_name"],
        }
    ]


def test_no_marks_left(graph: Driver, settings: Settings) -> None:
    rows = query(graph, settings, "MATCH (n) WHERE n.needs_derive IS NOT NULL RETURN count(n) AS n")
    assert rows[0]["n"] == 0


def test_dropping_an_author_updates_derived_ties(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import json

    work = next(w for w in sample_works() if len(authors_of(w)) == 2)
    author, other = sorted(authors_of(work))
    shared_before = query(
        graph,
        settings,
        "MATCH (:Scientist {id: $a})-[r:COAUTHORED]-(:Scientist {id: $b}) RETURN r.works AS n",
        a=author,
        b=other,
    )[0]["n"]
    newer = {
        **work,
        "authorships": [
            a
            for a in work["authorships"]
            if short_id((a.get("author") or {}).get("id", "")) != other
        ],
    }
    path = tmp_path / "newer.jsonl"
    path.write_text(json.dumps(newer) + "\n", encoding="utf-8")
    load_works(graph, settings, [path], tmp_path / "q")
    after = query(
        graph,
        settings,
        "MATCH (:Scientist {id: $a})-[r:COAUTHORED]-(:Scientist {id: $b}) RETURN r.works AS n",
        a=author,
        b=other,
    )
    assert [r["n"] for r in after] == ([shared_before - 1] if shared_before > 1 else [])
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "q")  # restore for other tests


def test_dropping_an_institution_updates_collaborations(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    import json

    def joint_works(a: str, b: str) -> list[int]:
        return [
            r["n"]
            for r in query(
                graph,
                settings,
                "MATCH (:Institution {id: $a})-[r:COLLABORATES]-(:Institution {id: $b}) "
                "RETURN r.works AS n",
                a=a,
                b=b,
            )
        ]

    work = next(w for w in sample_works() if len(institutions_of(w)) == 2)
    kept, dropped = sorted(institutions_of(work))
    joint = sum(1 for w in sample_works() if {kept, dropped} <= institutions_of(w))
    assert joint_works(kept, dropped) == [joint]
    newer = json.loads(json.dumps(work))
    for authorship in newer["authorships"]:
        authorship["institutions"] = [
            i for i in authorship["institutions"] if short_id(i.get("ror") or i["id"]) != dropped
        ]
    path = tmp_path / "newer.jsonl"
    path.write_text(json.dumps(newer) + "\n", encoding="utf-8")
    load_works(graph, settings, [path], tmp_path / "q")
    assert joint_works(kept, dropped) == ([joint - 1] if joint > 1 else [])
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "q")  # restore for other tests
    assert joint_works(kept, dropped) == [joint]
