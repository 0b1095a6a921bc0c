"""The questions of the peer benchmark (bench/peer.py), each as our API's document and the
peer's (@neo4j/graphql, bench/peer/), with the variables both take and what both answers must
agree on: `same_answer` turns each API's data into one comparable shape.

Pure: no I/O, so the comparison itself has unit tests (tests/test_bench_peer.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.queries.search import lucene_query

Variables = dict[str, Any]


@dataclass(frozen=True)
class Ids:
    """Ids to draw request variables from: scientists with co-authors, institution pairs
    that share works, and scientists' names."""

    scientists: list[str]
    pairs: list[tuple[str, str]]
    names: list[str]


@dataclass(frozen=True)
class PeerFamily:
    name: str
    ours: str
    peer: str
    # Variables for our document and for the peer's, from one draw.
    variables: Callable[[random.Random, Ids], tuple[Variables, Variables]]
    # Each answer's data in the shape both must agree on (None: not found).
    from_ours: Callable[[dict[str, Any]], Any]
    from_peer: Callable[[dict[str, Any]], Any]


OURS_PROFILE = """query ($id: ID!) { scientist(id: $id) { __typename ... on Scientist {
  name
  works(first: 10) { totalCount edges { node { id title publicationYear } } }
  coauthors(first: 10) { totalCount edges { sharedWorks node { id name } } } } } }"""
PEER_PROFILE = """query ($id: ID!) { scientists(where: {id: {eq: $id}}) {
  name
  worksConnection(first: 10, sort: [{node: {publicationYear: DESC}},
      {node: {publicationDate: DESC}}, {node: {id: ASC}}]) {
    totalCount edges { node { id title publicationYear } } }
  coauthorsConnection(first: 10, sort: [{edge: {works: DESC}}, {node: {id: ASC}}]) {
    totalCount edges { properties { works } node { id name } } } } }"""
OURS_COOPERATION = """query ($a: ID!, $b: ID!) { institutionCooperation(a: $a, b: $b) {
  __typename ... on InstitutionCooperation { jointWorksCount byYear { year count } } } }"""
PEER_COOPERATION = """query ($a: ID!, $b: ID!) { institutionCooperation(a: $a, b: $b) {
  jointWorksCount byYear { year count } } }"""
OURS_SEARCH = """query ($q: String!) { searchScientists(query: $q, first: 20) { __typename
  ... on ScientistSearchConnection { totalCount edges { node { id name } } } } }"""
PEER_SEARCH = """query ($q: String!) { searchScientistsCount(query: $q)
  searchScientists(query: $q, first: 20) { id name } }"""


def _works(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(w["id"], w["title"], w["publicationYear"]) for w in items]


def profile_from_ours(data: dict[str, Any]) -> Any:
    s = data["scientist"]
    if s["__typename"] != "Scientist":
        return None
    coauthors = [
        (e["node"]["id"], e["node"]["name"], e["sharedWorks"]) for e in s["coauthors"]["edges"]
    ]
    return {
        "name": s["name"],
        "works": (s["works"]["totalCount"], _works([e["node"] for e in s["works"]["edges"]])),
        "coauthors": (s["coauthors"]["totalCount"], coauthors),
    }


def profile_from_peer(data: dict[str, Any]) -> Any:
    if not data["scientists"]:
        return None
    s = data["scientists"][0]
    works, coauthors = s["worksConnection"], s["coauthorsConnection"]
    return {
        "name": s["name"],
        "works": (works["totalCount"], _works([e["node"] for e in works["edges"]])),
        "coauthors": (
            coauthors["totalCount"],
            [
                (e["node"]["id"], e["node"]["name"], e["properties"]["works"])
                for e in coauthors["edges"]
            ],
        ),
    }


def _by_year(items: list[dict[str, int]]) -> list[tuple[int, int]]:
    return [(y["year"], y["count"]) for y in items]


def cooperation_from_ours(data: dict[str, Any]) -> Any:
    c = data["institutionCooperation"]
    if c["__typename"] != "InstitutionCooperation":
        return None
    return (c["jointWorksCount"], _by_year(c["byYear"]))


def cooperation_from_peer(data: dict[str, Any]) -> Any:
    c = data["institutionCooperation"]
    return (c["jointWorksCount"], _by_year(c["byYear"]))


def search_from_ours(data: dict[str, Any]) -> Any:
    s = data["searchScientists"]
    return (s["totalCount"], [(e["node"]["id"], e["node"]["name"]) for e in s["edges"]])


def search_from_peer(data: dict[str, Any]) -> Any:
    return (data["searchScientistsCount"], [(s["id"], s["name"]) for s in data["searchScientists"]])


def _profile_vars(rng: random.Random, ids: Ids) -> tuple[Variables, Variables]:
    v = {"id": rng.choice(ids.scientists)}
    return v, v


def _pair_vars(rng: random.Random, ids: Ids) -> tuple[Variables, Variables]:
    a, b = rng.choice(ids.pairs)
    return {"a": a, "b": b}, {"a": a, "b": b}


def _search_vars(rng: random.Random, ids: Ids) -> tuple[Variables, Variables]:
    """The peer has no Lucene escaping of its own: it gets the query text ours builds."""
    name = rng.choice(ids.names)
    return {"q": name}, {"q": lucene_query(name, pinyin=True)}


FAMILIES = [
    PeerFamily(
        "scientist profile",
        OURS_PROFILE,
        PEER_PROFILE,
        _profile_vars,
        profile_from_ours,
        profile_from_peer,
    ),
    PeerFamily(
        "institution cooperation",
        OURS_COOPERATION,
        PEER_COOPERATION,
        _pair_vars,
        cooperation_from_ours,
        cooperation_from_peer,
    ),
    PeerFamily(
        "name search",
        OURS_SEARCH,
        PEER_SEARCH,
        _search_vars,
        search_from_ours,
        search_from_peer,
    ),
]


def differences(family: PeerFamily, ours: dict[str, Any], peer: dict[str, Any]) -> list[str]:
    """What differs between the two answers (GraphQL responses): [] when they agree."""
    problems = [
        f"{side}: {r['errors']}" for side, r in (("ours", ours), ("peer", peer)) if r.get("errors")
    ]
    if problems:
        return problems
    a, b = family.from_ours(ours["data"]), family.from_peer(peer["data"])
    return [] if a == b else [f"ours {a!r} != peer {b!r}"]
