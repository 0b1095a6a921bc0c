"""The peer benchmark's check (bench/peer.py): our API and @neo4j/graphql (bench/peer/, a real
Node process) give the same data for the same ids over the shared sample graph; and the
comparison itself notices a difference."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from neo4j import Driver

from bench.api import sample_ids
from bench.peer import Endpoints, check, start_peer, to_ids, warm
from bench.peer_families import FAMILIES, differences
from schema.settings import Settings
from tests.conftest import API_KEYS, free_port

PROFILE, COOPERATION, SEARCH = FAMILIES


def test_differences_finds_what_differs() -> None:
    ours = {
        "data": {
            "institutionCooperation": {
                "__typename": "InstitutionCooperation",
                "jointWorksCount": 3,
                "byYear": [{"year": 2020, "count": 1}, {"year": 2021, "count": 2}],
            }
        }
    }
    peer = {"data": {"institutionCooperation": dict(ours["data"]["institutionCooperation"])}}
    assert differences(COOPERATION, ours, peer) == []
    peer["data"]["institutionCooperation"]["byYear"] = [{"year": 2021, "count": 3}]
    assert differences(COOPERATION, ours, peer) != []
    assert differences(COOPERATION, ours, {"errors": [{"message": "boom"}]}) == [
        "peer: [{'message': 'boom'}]"
    ]


def test_not_found_on_both_sides_agrees() -> None:
    ours = {"data": {"scientist": {"__typename": "NotFound"}}}
    assert differences(PROFILE, ours, {"data": {"scientists": []}}) == []


@pytest.fixture(scope="module")
def peer_url(graph: Driver, settings: Settings) -> Iterator[str]:
    port = free_port()
    process = start_peer(settings, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_both_apis_give_the_same_data(api_url: str, peer_url: str, settings: Settings) -> None:
    ids = to_ids(sample_ids(settings))
    assert ids.scientists and ids.pairs and ids.names
    ends = Endpoints(api_url, {"Authorization": f"Bearer {API_KEYS[api_url]}"}, 0, peer_url, 0)
    rng = random.Random(20)
    for family in FAMILIES:
        draws = [family.variables(rng, ids) for _ in range(8)]
        warm(settings, family, draws[0][0])
        problems, answers = check(family, ends, draws)
        assert problems == []
        found = [family.from_ours(data) for _, data in answers]
        # Drawn from what exists: every profile found, every pair and name with works or hits.
        assert all(f is not None for f in found), family.name
        if family is not PROFILE:
            assert all(f[0] > 0 for f in found), family.name
