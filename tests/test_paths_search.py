"""The introduction-path search (graph/queries/paths.py) on a graph large enough for paths
of four hops and for hubs: SYNTHETIC works from the seeded bench generator, checked against
networkx shortest paths over a co-author graph built here from the same raw JSON.

The bounds are lowered here (hubs, the target set held in Python) to run the other branches of
the search on the same graph: lengths must not change, only `truncated` may say that
alternatives were left out.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections import defaultdict
from functools import cache
from typing import Any

import networkx as nx
import pytest
from neo4j import Driver

from bench.synthetic import synthetic_works
from graph.driver import connect_async
from graph.queries import paths as repo
from graph.queries.paths import PathKey, PathSearch, TargetKind, introduction_paths
from graph.reader import Reader
from schema.settings import Settings
from tests.conftest import load_works, short_id

WORKS = 1500
SEED = 11


@cache
def works() -> list[dict[str, Any]]:
    return list(synthetic_works(WORKS, SEED))


@cache
def coauthors() -> nx.Graph[str]:
    """People as nodes, a tie per pair who wrote together, `works` its count (every synthetic
    byline is far below the 100-author rule)."""
    g: nx.Graph[str] = nx.Graph()
    for work in works():
        people = sorted({short_id(a["author"]["id"]) for a in work["authorships"]})
        for a, b in itertools.combinations(people, 2):
            shared = g.get_edge_data(a, b, {"works": 0})["works"]
            g.add_edge(a, b, works=shared + 1)
    return g


@cache
def members() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for work in works():
        for a in work["authorships"]:
            for i in a["institutions"]:
                found[short_id(i["id"])].add(short_id(a["author"]["id"]))
    return found


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("synthetic-paths")
    path = tmp / "works.jsonl"
    path.write_text("".join(json.dumps(w) + "\n" for w in works()), encoding="utf-8")
    assert load_works(graph, settings, [path], tmp / "q", batch_size=500).quarantined == 0


def search(settings: Settings, keys: list[PathKey]) -> list[PathSearch]:
    async def go() -> list[PathSearch]:
        driver = connect_async(settings)
        try:
            return await Reader(driver, settings.neo4j_database)(introduction_paths, keys)
        finally:
            await driver.close()

    return asyncio.run(go())


def nodes(path: repo.IntroPath) -> tuple[str, ...]:
    return (path.hops[0].source.id, *(h.target.id for h in path.hops))


def strength(path: tuple[str, ...]) -> tuple[int, int]:
    g = coauthors()
    ties = [g[path[i]][path[i + 1]]["works"] for i in range(len(path) - 1)]
    return min(ties), sum(ties)


def pairs() -> list[tuple[str, str]]:
    """Seeded random pairs, plus two at each distance 1 to 5 from one person."""
    g = coauthors()
    rng = random.Random(SEED)
    people = sorted(g)
    chosen = [(rng.choice(people), rng.choice(people)) for _ in range(12)]
    start = people[len(people) // 2]
    by_distance: dict[int, list[str]] = defaultdict(list)
    for person, d in sorted(nx.single_source_shortest_path_length(g, start).items()):
        by_distance[d].append(person)
    assert {1, 2, 3, 4} <= set(by_distance), "the synthetic graph has four-hop paths"
    for d in (1, 2, 3, 4, 5):
        chosen += [(start, p) for p in by_distance[d][:2]]
    return chosen


def check(answer: PathSearch, a: str, b: str, max_hops: int, exact: bool) -> None:
    """`answer` against networkx: the length always; with `exact`, every shortest path
    counted and the strongest first."""
    g = coauthors()
    want = nx.shortest_path_length(g, a, b) if a != b and nx.has_path(g, a, b) else None
    if want is None or want > max_hops:
        assert (answer.length, answer.paths) == (None, []), (a, b)
        return
    assert answer.length == want, (a, b)
    every = {tuple(p) for p in nx.all_shortest_paths(g, a, b)}
    got = [nodes(p) for p in answer.paths]
    assert got and set(got) <= every
    for path, found in zip(answer.paths, got, strict=True):
        assert (path.weakest, path.total) == strength(found)
        assert [h.shared_works for h in path.hops] == [
            g[found[i]][found[i + 1]]["works"] for i in range(len(found) - 1)
        ]
    if exact:
        assert answer.truncated is False
        assert answer.considered == len(every)
        best = sorted((strength(p) for p in every), reverse=True)[: len(got)]
        assert [strength(p) for p in got] == best


@pytest.mark.usefixtures("loaded")
def test_scientist_paths_match_networkx(settings: Settings) -> None:
    chosen = pairs()
    for max_hops in (4, 2):
        keys = [PathKey(a, TargetKind.SCIENTIST, b, max_hops, 5) for a, b in chosen]
        for (a, b), answer in zip(chosen, search(settings, keys), strict=True):
            check(answer, a, b, max_hops, exact=True)


def institution_cases() -> list[tuple[str, str]]:
    """Seeded (start, institution) pairs."""
    people = sorted(coauthors())
    rng = random.Random(SEED)
    return [(rng.choice(people), key) for key in rng.sample(sorted(members()), 8)]


def nearest(start: str, key: str) -> int | None:
    """networkx's distance from `start` to the nearest member of `key` (within four hops)."""
    dist = nx.single_source_shortest_path_length(coauthors(), start, cutoff=4)
    found = [dist[p] for p in members()[key] - {start} if p in dist]
    return min(found) if found else None


@pytest.mark.usefixtures("loaded")
def test_hubs_left_out_keep_the_length(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hubs (the bidirectional search for institution and region targets) skipped once the rest
    of a level met the other side: the length is still networkx's."""
    g = coauthors()
    degrees = sorted(d for _, d in g.degree())
    monkeypatch.setattr(repo, "HUB_DEGREE", degrees[len(degrees) * 3 // 4])
    cases = institution_cases()
    answers = search(settings, [PathKey(a, TargetKind.INSTITUTION, k, 4, 3) for a, k in cases])
    for (start, key), answer in zip(cases, answers, strict=True):
        assert answer.length == nearest(start, key), (start, key)
    assert any(a.truncated for a in answers), "some search met the other side before its hubs"


@pytest.mark.usefixtures("loaded")
def test_institution_targets_match_networkx(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The distance to the nearest member (the start excepted), the target set held in Python
    and, with MAX_TARGETS lowered, checked in Cypher level by level."""
    g = coauthors()
    cases = institution_cases()
    keys = [PathKey(a, TargetKind.INSTITUTION, key, 4, 3) for a, key in cases]
    held = search(settings, keys)
    monkeypatch.setattr(repo, "MAX_TARGETS", 2)
    checked = search(settings, keys)
    lengths = set()
    for (start, key), one, other in zip(cases, held, checked, strict=True):
        want = nearest(start, key)
        lengths.add(want)
        for answer in (one, other):
            assert answer.length == want, (start, key)
            for path in answer.paths:
                route = nodes(path)
                assert route[0] == start and route[-1] in members()[key]
                assert all(g.has_edge(route[i], route[i + 1]) for i in range(len(route) - 1))
        assert [(p.weakest, p.total) for p in one.paths] == [
            (p.weakest, p.total) for p in other.paths
        ]
    assert len(lengths) >= 2
