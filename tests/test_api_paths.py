"""introductionPaths over real HTTP against the loaded sample, checked against a co-author graph
built here from the raw works.jsonl (works with at most 100 authors, as the derived ties) and
a breadth-first search written here, not the code under test."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

import networkx as nx

from tests.conftest import ask, short_id
from tests.test_api_chain import (
    country_of,
    institution_key,
    institutions_of,
    ror_records,
    works,
)

MAX_AUTHORS = 100


PATHS = """
query ($from: ID!, $to: ID!, $maxHops: Int, $first: Int) {
  introductionPaths(from: $from, to: $to, maxHops: $maxHops, first: $first) {
    __typename
    ... on IntroductionPaths {
      targetKind targetId length pathsConsidered truncated
      paths {
        weakestTie totalSharedWorks
        hops {
          source { id } target { id } sharedWorks firstYear lastYear
          works { id publicationYear }
        }
      }
    }
    ... on NotFound { id message }
    ... on InvalidId { id message }
    ... on InvalidRange { argument message }
  }
}
"""


# --- the raw co-author graph -------------------------------------------------------------------


def authors(work: dict[str, Any]) -> set[str]:
    return {short_id(a["author"]["id"]) for a in work["authorships"] if a["author"].get("id")}


@cache
def ties() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(a, b) with a < b -> the works both authored, within the max-authors rule."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for work in works():
        if len(work["authorships"]) > MAX_AUTHORS:
            continue
        people = sorted(authors(work))
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                found[(a, b)].append(work)
    return found


def weight(a: str, b: str) -> int:
    return len(ties()[(min(a, b), max(a, b))])


@cache
def neighbours() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for a, b in ties():
        found[a].add(b)
        found[b].add(a)
    return found


def distances(source: str) -> dict[str, int]:
    seen = {source: 0}
    frontier = [source]
    while frontier:
        nxt = []
        for node in frontier:
            for n in neighbours()[node]:
                if n not in seen:
                    seen[n] = seen[node] + 1
                    nxt.append(n)
        frontier = nxt
    return seen


def shortest_paths(source: str, targets: set[str]) -> list[list[str]]:
    """Every shortest path from source to the nearest targets (source itself excluded)."""
    dist = distances(source)
    reachable = [dist[t] for t in targets if t in dist and t != source]
    if not reachable:
        return []
    length = min(reachable)
    ends = [t for t in targets if dist.get(t) == length and t != source]
    paths: list[list[str]] = []

    def back(node: str, path: list[str]) -> None:
        if node == source:
            paths.append(path[::-1])
            return
        for n in neighbours()[node]:
            if dist.get(n) == dist[node] - 1:
                back(n, [*path, n])

    for end in ends:
        back(end, [end])
    return paths


def strength(path: list[str]) -> tuple[int, int]:
    hops = [weight(path[i], path[i + 1]) for i in range(len(path) - 1)]
    return min(hops), sum(hops)


def affiliated(institution: str) -> set[str]:
    return {
        short_id(a["author"]["id"])
        for w in works()
        for a in w["authorships"]
        if a["author"].get("id")
        and institution in {institution_key(i) for i in a.get("institutions") or []}
    }


# --- the graph -----------------------------------------------------------------------------------


def paths(api_url: str, source: str, to: str, max_hops: int = 3, first: int = 20) -> Any:
    body = ask(api_url, PATHS, {"from": source, "to": to, "maxHops": max_hops, "first": first})
    assert "errors" not in body, body
    return body["data"]["introductionPaths"]


@cache
def source() -> str:
    """The author who reaches the most people (ties: more at 3 hops, then at 2, then the
    smallest id): the sample's co-author graph is many small pieces."""

    def reach(author: str) -> tuple[int, int, int, str]:
        found = list(distances(author).values())
        return (len(found), found.count(3), found.count(2), "~" + author)

    best = max(sorted(neighbours()), key=reach)
    return best


def check_paths(answer: Any, start: str, targets: set[str]) -> None:
    """The answer's paths are the raw shortest paths to `targets`, strongest first."""
    want = shortest_paths(start, targets)
    assert answer["__typename"] == "IntroductionPaths"
    assert want, "the raw graph reaches the target"
    length = len(want[0]) - 1
    assert answer["length"] == length
    assert answer["pathsConsidered"] == len(want)
    assert answer["truncated"] is False
    got = answer["paths"]
    assert 1 <= len(got) <= 20
    strengths = sorted((strength(p) for p in want), reverse=True)
    assert [(p["weakestTie"], p["totalSharedWorks"]) for p in got] == strengths[: len(got)]
    raw_paths = {tuple(p) for p in want}
    for path in got:
        hops = path["hops"]
        assert len(hops) == length
        nodes = [hops[0]["source"]["id"]] + [h["target"]["id"] for h in hops]
        assert nodes[0] == start and nodes[-1] in targets
        assert tuple(nodes) in raw_paths
        for hop in hops:
            a, b = hop["source"]["id"], hop["target"]["id"]
            shared = ties()[(min(a, b), max(a, b))]
            assert hop["sharedWorks"] == len(shared)
            years = [w["publication_year"] for w in shared]
            assert (hop["firstYear"], hop["lastYear"]) == (min(years), max(years))
            both = {
                short_id(w["id"]): w["publication_year"] for w in works() if {a, b} <= authors(w)
            }
            evidence = hop["works"]
            assert len(evidence) == min(5, len(both))
            assert all(both[w["id"]] == w["publicationYear"] for w in evidence)
            evidence_years = [w["publicationYear"] for w in evidence]
            assert evidence_years == sorted(evidence_years, reverse=True)
        assert path["weakestTie"] == min(h["sharedWorks"] for h in hops)


# --- tests -------------------------------------------------------------------------------------


def test_one_hop_equals_the_raw_shared_works(api_url: str) -> None:
    start = source()
    best = max(neighbours()[start], key=lambda n: (weight(start, n), n))
    answer = paths(api_url, start, best, max_hops=1)
    check_paths(answer, start, {best})
    assert answer["targetKind"] == "scientist" and answer["targetId"] == best
    [path] = answer["paths"]
    assert path["hops"][0]["sharedWorks"] == weight(start, best) >= 1
    # the OpenAlex URL form names the same people
    url = paths(api_url, f"https://openalex.org/{start}", f"https://openalex.org/{best}")
    assert url["paths"] == answer["paths"]


def test_longer_paths_are_shortest_real_and_strongest_first(api_url: str) -> None:
    for length in (2, 3):
        # the pair at this distance with the most shortest paths makes the ranking matter
        pairs = [
            (a, b)
            for a in sorted(neighbours())
            for b, d in sorted(distances(a).items())
            if d == length
        ]
        assert pairs, length
        start, target = max(pairs, key=lambda p: (len(shortest_paths(p[0], {p[1]})), p))
        check_paths(paths(api_url, start, target, max_hops=4), start, {target})
        # out of reach within fewer hops
        short = paths(api_url, start, target, max_hops=length - 1)
        assert short["length"] is None and short["paths"] == []


def test_institution_and_region_targets(api_url: str) -> None:
    start = source()
    dist = distances(start)
    # an institution whose nearest affiliated scientist is two hops away
    candidates = sorted({k for w in works() for k in institutions_of(w) if k in ror_records()})
    nearest = {
        key: min((dist.get(p, 99) for p in affiliated(key) - {start}), default=99)
        for key in candidates
    }
    reached = [key for key in candidates if nearest[key] < 99]
    assert reached
    chosen = max(reached, key=lambda k: (nearest[k], k))
    answer = paths(api_url, start, chosen)
    assert answer["targetKind"] == "institution" and answer["targetId"] == chosen
    check_paths(answer, start, affiliated(chosen) - {start})
    ror_url = paths(api_url, start, f"https://ror.org/{chosen}")
    assert ror_url["paths"] == answer["paths"]

    # a country: anyone affiliated with an institution ROR places there
    country = country_of(chosen)
    assert country is not None
    people = {p for key in candidates if country_of(key) == country for p in affiliated(key)}
    answer = paths(api_url, start, country)
    assert answer["targetKind"] == "region" and answer["targetId"] == country
    check_paths(answer, start, people - {start})


def test_failures_are_typed(api_url: str) -> None:
    start = source()
    for max_hops in (0, 5, -1):
        answer = paths(api_url, start, start, max_hops=max_hops)
        assert answer["__typename"] == "InvalidRange" and answer["argument"] == "maxHops"
    for first in (0, 21):
        answer = paths(api_url, start, start, first=first)
        assert answer["__typename"] == "InvalidRange" and answer["argument"] == "first"
    assert paths(api_url, "not an id", start)["__typename"] == "InvalidId"
    assert paths(api_url, start, "not an id!")["__typename"] == "InvalidId"
    assert paths(api_url, "A1", start)["__typename"] == "NotFound"
    assert paths(api_url, start, "A1")["__typename"] == "NotFound"
    assert paths(api_url, start, "XX")["__typename"] == "NotFound"
    itself = paths(api_url, start, start)
    assert itself["length"] is None and itself["paths"] == []


def test_strong_ties_rank_first(api_url: str) -> None:
    """The (scientist, institution) pair whose shortest paths differ most in strength: the
    answer orders them by weakest hop, then total, and `first: 1` keeps the strongest."""
    institutions = sorted({k for w in works() for k in institutions_of(w)})
    people = {k: affiliated(k) for k in institutions}
    best: tuple[int, int, str, str] | None = None
    for start in sorted(neighbours()):
        for key in institutions:
            found = shortest_paths(start, people[key] - {start})
            kinds = len({strength(p) for p in found})
            if kinds > 1 and (best is None or (kinds, len(found)) > best[:2]):
                best = (kinds, len(found), start, key)
    assert best is not None, "the sample has paths of different strengths"
    _, _, start, key = best
    answer = paths(api_url, start, key)
    check_paths(answer, start, people[key] - {start})
    strongest = max(strength(p) for p in shortest_paths(start, people[key] - {start}))
    [top] = paths(api_url, start, key, first=1)["paths"]
    assert (top["weakestTie"], top["totalSharedWorks"]) == strongest


# --- networkx, independently -----------------------------------------------------------------


@cache
def coauthor_graph() -> nx.Graph[str]:
    """The raw co-author graph as networkx sees it (the same max-authors rule)."""
    g: nx.Graph[str] = nx.Graph()
    for a, b in ties():
        g.add_edge(a, b)
    return g


def test_lengths_match_networkx(api_url: str) -> None:
    """Pairs at every distance the sample has, each asked with maxHops at, above and below
    that distance, and pairs in different components: length and path count are networkx's."""
    g = coauthor_graph()
    components = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    cases: list[tuple[str, str]] = []
    for component in components:
        lengths = dict(nx.all_pairs_shortest_path_length(g.subgraph(component)))
        for d in (1, 2, 3):
            at = sorted((a, b) for a in lengths for b, k in lengths[a].items() if k == d)
            if at and not any(nx.shortest_path_length(g, *c) == d for c in cases):
                cases += [at[0], at[-1]]
    assert {nx.shortest_path_length(g, a, b) for a, b in cases} == {1, 2, 3}
    cases += [(min(components[0]), min(components[1])), (max(components[2]), max(components[0]))]
    for a, b in cases:
        want = nx.shortest_path_length(g, a, b) if nx.has_path(g, a, b) else None
        for max_hops in (1, 2, 3, 4):
            answer = paths(api_url, a, b, max_hops=max_hops)
            if want is None or want > max_hops:
                assert (answer["length"], answer["paths"]) == (None, []), (a, b, max_hops)
                continue
            assert answer["length"] == want, (a, b, max_hops)
            every = {tuple(p) for p in nx.all_shortest_paths(g, a, b)}
            assert answer["pathsConsidered"] == len(every)
            for path in answer["paths"]:
                nodes = [path["hops"][0]["source"]["id"]] + [
                    h["target"]["id"] for h in path["hops"]
                ]
                assert tuple(nodes) in every


def test_institution_lengths_match_networkx(api_url: str) -> None:
    """To an institution: networkx's distance to the nearest affiliated person (the start
    excepted), for (start, institution) pairs at each distance, within and beyond maxHops."""
    g = coauthor_graph()
    institutions = sorted({k for w in works() for k in institutions_of(w) if k})
    people = {key: affiliated(key) for key in institutions}
    cases: dict[int | None, tuple[str, str]] = {}
    for start in sorted(g):
        dist = nx.single_source_shortest_path_length(g, start)
        for key in institutions:
            found = [dist[p] for p in people[key] - {start} if p in dist]
            cases.setdefault(min(found) if found else None, (start, key))
    assert set(cases) == {1, 2, 3, None}
    for want, (start, key) in sorted(cases.items(), key=lambda c: c[0] or 99):
        for max_hops in (1, 2, 3, 4):
            answer = paths(api_url, start, key, max_hops=max_hops)
            expected = want if want is not None and want <= max_hops else None
            assert answer["length"] == expected, (start, key, max_hops)
            assert bool(answer["paths"]) == (expected is not None)
