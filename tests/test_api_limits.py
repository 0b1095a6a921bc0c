"""Limits: depth, tokens, aliases, cost and `first`, each refused before any Cypher runs
(checked through the API's own Neo4j timing metrics), and the per-query Neo4j timeout turning
into a clean error, over real HTTP and through the Reader."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
import strawberry
from graphql import parse, validate
from neo4j import Driver
from prometheus_client.parser import text_string_to_metric_families

from api.limits import cost_rule
from graph.driver import connect_async
from graph.errors import QueryTimeoutError
from graph.reader import Reader, Tx, fetch
from schema.settings import Settings
from tests.conftest import API_KEYS, ask, create_key, serve_api

# Counts to 2 billion to find nothing: seconds of work for Neo4j, whatever the graph holds.
SLOW = "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n"
# Transactions that are not a query's: key lookups, and the webhook deliverer's polling.
AUTH_FUNCTIONS = {
    "api_keys_by_hash",
    "touch_api_key",
    "pending_deliveries",
    "claim_delivery",
    "finish_delivery",
}


def cypher_runs(url: str) -> int:
    """Neo4j transactions the API ran for queries (key lookups and webhook polling aside), from
    its /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=30).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != "talentmap_neo4j_query_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith("_count") and sample.labels["function"] not in AUTH_FUNCTIONS:
                total += sample.value
    return int(total)


def refused(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ask, assert the answer is a refusal with no Cypher run for it; the one error."""
    ask(url, "{ __typename }")  # warm the key cache: the lookup below must not count
    before = cypher_runs(url)
    body = ask(url, query, variables)
    assert body["data"] is None, body
    assert cypher_runs(url) == before
    (error,) = body["errors"]
    return dict(error)


PROFILE = '{ scientist(id: "A1") { ... on Scientist { works(first: 5) { totalCount } } } }'


@pytest.fixture(scope="module")
def tight_url(graph: Driver, settings: Settings) -> Iterator[str]:
    tight = settings.model_copy(
        update={"api_max_depth": 3, "api_max_aliases": 3, "api_max_tokens": 60, "api_max_cost": 150}
    )
    with serve_api(tight) as url:
        API_KEYS[url] = create_key(graph, settings, "admin", "limits")
        yield url


def test_depth(tight_url: str) -> None:
    deep = '{ scientist(id: "A1") { ... on Scientist { works { edges { node { id } } } } } }'
    error = refused(tight_url, deep)
    assert "exceeds maximum operation depth of 3" in error["message"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    shallow = ask(
        tight_url, '{ scientist(id: "A1") { ... on Scientist { works { totalCount } } } }'
    )
    assert "errors" not in shallow


def test_aliases(tight_url: str) -> None:
    four = "{ " + " ".join(f"a{i}: __typename" for i in range(4)) + " }"
    error = refused(tight_url, four)
    assert error["message"] == "4 aliases found. Allowed: 3"
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    three = "{ " + " ".join(f"a{i}: __typename" for i in range(3)) + " }"
    assert ask(tight_url, three)["data"] == {f"a{i}": "Query" for i in range(3)}


def test_tokens(tight_url: str) -> None:
    many = "{ " + " ".join(["__typename"] * 70) + " }"
    error = refused(tight_url, many)
    assert "Document contains more than 60 tokens" in error["message"]
    few = "{ " + " ".join(["__typename"] * 50) + " }"
    assert ask(tight_url, few)["data"] == {"__typename": "Query"}


COSTLY = """
query Costly($n: Int) {
  a: scientist(id: "A1") { ... on Scientist { works(first: $n) { totalCount } } }
  b: scientist(id: "A2") { ... on Scientist { works(first: $n) { totalCount } } }
}
"""


def test_cost_budget(tight_url: str) -> None:
    # Two lookups (1 each), each with a page of 100 works: 2 * (1 + 100).
    error = refused(tight_url, COSTLY, {"n": 100})
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "cost": 202, "budget": 150}
    assert error["message"].startswith("Costly would cost 202, above the budget of 150")
    # Without `first`, the default page of 20: 2 * (1 + 20) fits.
    assert "errors" not in ask(tight_url, COSTLY)


@pytest.mark.parametrize(
    ("first", "variables"),
    [("1000000", None), ("-1", None), ("$n", {"n": -5}), ("$n", {"n": 101})],
)
def test_first_out_of_range(api_url: str, first: str, variables: dict[str, Any] | None) -> None:
    declare = "($n: Int)" if variables else ""
    query = (
        f'query {declare} {{ scientist(id: "A1") {{ ... on Scientist '
        f"{{ works(first: {first}) {{ totalCount }} }} }} }}"
    )
    value = variables["n"] if variables else int(first)
    error = refused(api_url, query, variables)
    assert error["message"] == f"first must be between 0 and 100, got {value}"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_map_takes_pages_of_500(api_url: str) -> None:
    """talentMap's `first` goes to 500 (the map's points in one request), no further."""
    query = "query ($n: Int) { talentMap(first: $n) { __typename } }"
    assert "errors" not in ask(api_url, query, {"n": 500})
    error = refused(api_url, query, {"n": 501})
    assert error["message"] == "first must be between 0 and 500, got 501"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_default_limits_let_ordinary_queries_through(api_url: str) -> None:
    assert ask(api_url, PROFILE) == {"data": {"scientist": {}}}


async def slow_scientists(tx: Tx, ids: Sequence[str]) -> list[None]:
    await fetch(tx, SLOW)
    return [None for _ in ids]


def test_query_timeout_over_http(
    graph: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A scientist the id lookup finds, whose profile read is then slow.
    graph.execute_query("MERGE (:Scientist {id: 'A5023888391'})", database_=settings.neo4j_database)
    monkeypatch.setattr("api.queries.entities.scientists_by_id", slow_scientists)
    with serve_api(settings.model_copy(update={"api_query_timeout": 0.5})) as url:
        key = create_key(graph, settings, "viewer", "timeout")
        started = time.monotonic()
        body = ask(url, '{ scientist(id: "A5023888391") { __typename } }', key=key)
        elapsed = time.monotonic() - started
    (error,) = body["errors"]
    assert error["message"] == "the query took longer than 0.5 s and was stopped"
    assert error["extensions"] == {"code": "TIMEOUT"}
    assert elapsed < 8  # Neo4j checks timeouts every 2 s by default


def test_reader_timeout(settings: Settings) -> None:
    async def run() -> None:
        driver = connect_async(settings)
        try:
            reader = Reader(driver, settings.neo4j_database, timeout=0.5)
            await reader(slow_scientists, ["A1"])
        finally:
            await driver.close()

    with pytest.raises(QueryTimeoutError) as caught:
        asyncio.run(run())
    assert caught.value.seconds == 0.5


# The cost rule on a toy schema, where lists nest as deep as the rule must handle.


@strawberry.type
class Item:
    id: int = 0

    @strawberry.field
    def children(self, first: int | None = None) -> list[Item]:
        return []

    @strawberry.field
    def tags(self) -> list[str]:
        return []


@strawberry.type
class ToyQuery:
    @strawberry.field
    def items(self, first: int | None = None) -> list[Item]:
        return []

    @strawberry.field
    def paths(self, first: int = 5) -> list[Item]:
        return []

    @strawberry.field
    def item(self) -> Item:
        return Item()


TOY = strawberry.Schema(query=ToyQuery)


def cost(query: str, variables: dict[str, Any] | None = None) -> int:
    """The cost the rule computes (a budget of 0 refuses everything and says the cost)."""
    errors = validate(TOY._schema, parse(query), [cost_rule(0, variables or {})])
    (error,) = errors
    assert error.extensions is not None
    return int(error.extensions["cost"])


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ("{ items(first: 10) { children(first: 20) { id } } }", None, 10 + 10 * 20),
        ("{ items { children { tags } } }", None, 20 + 20 * 20),  # default page size
        ("{ paths { children(first: 3) { id } } }", None, 5 + 5 * 3),  # the field's default
        (
            "query ($a: Int, $b: Int = 7) { items(first: $a) { children(first: $b) { id } } }",
            {"a": 4},
            4 + 4 * 7,
        ),
        (
            "{ items(first: 10) { ...F } } "
            "fragment F on Item { children(first: 10) { children(first: 10) { id } } }",
            None,
            10 + 100 + 1000,
        ),
        ("{ item { id } again: item { children(first: 2) { id } } }", None, 1 + 1 + 2),
        ("{ items(first: 0) { children(first: 100) { id } } }", None, 1),
    ],
)
def test_cost_rule(query: str, variables: dict[str, Any] | None, expected: int) -> None:
    assert cost(query, variables) == expected
