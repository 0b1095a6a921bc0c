"""Prometheus /metrics: after queries, the latency histogram has their operation and root
field, the Neo4j histogram the repository functions they ran, and the error counter their
refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from neo4j import Driver
from prometheus_client.parser import text_string_to_metric_families

from schema.settings import Settings
from tests.conftest import API_KEYS, ask, create_key, serve_api


@pytest.fixture(scope="module")
def url(graph: Driver, settings: Settings) -> Iterator[str]:
    """An API of its own, so that every count below is this module's."""
    with serve_api(settings) as api:
        API_KEYS[api] = create_key(graph, settings, "admin", "metrics")
        yield api


def samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = httpx.get(f"{url}/metrics", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_latency_by_operation_and_root_field(url: str) -> None:
    query = 'query ProfileCard { scientist(id: "A1") { __typename } }'
    for _ in range(3):
        assert ask(url, query)["data"] == {"scientist": {"__typename": "NotFound"}}
    found = samples(url)
    labels = {"operation": "ProfileCard", "root_field": "scientist"}
    assert value(found, "talentmap_graphql_request_seconds_count", **labels) == 3
    assert value(found, "talentmap_graphql_request_seconds_sum", **labels) > 0
    assert value(found, "talentmap_graphql_request_seconds_bucket", le="+Inf", **labels) == 3
    # The id lookup with the profile's read is one unit of work per request.
    unit = "scientists_by_id_after_lookup"
    assert value(found, "talentmap_neo4j_query_seconds_count", function=unit) == 3
    assert value(found, "talentmap_neo4j_query_seconds_sum", function=unit) > 0


def test_anonymous_operations_and_several_root_fields(url: str) -> None:
    ask(url, '{ a: scientist(id: "A1") { __typename } __typename }')
    found = samples(url)
    labels = {"operation": "anonymous", "root_field": "__typename+scientist"}
    assert value(found, "talentmap_graphql_request_seconds_count", **labels) == 1


WIDE = (
    'query Wide { scientist(id: "A1") { ... on Scientist { works(first: 500) { totalCount } } } }'
)


def test_errors_by_code(url: str) -> None:
    ask(url, "query Broken { nope }")
    ask(url, WIDE)
    httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, timeout=30)  # no key
    found = samples(url)
    errors = "talentmap_graphql_errors_total"
    assert value(found, errors, operation="Broken", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert value(found, errors, operation="Wide", code="BAD_USER_INPUT") == 1
    assert value(found, errors, operation="", code="UNAUTHENTICATED") == 1
