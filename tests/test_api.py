"""The GraphQL slice over real HTTP against the real graph, checked against the raw JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ask as ask_api
from tests.conftest import most_prolific, short_id

SCIENTIST = """
query ($id: ID!, $first: Int, $after: String) {
  scientist(id: $id) {
    __typename
    ... on Scientist {
      id name orcid
      works(first: $first, after: $after) {
        totalCount
        edges { cursor node { id title publicationYear } }
        pageInfo { hasNextPage endCursor }
      }
    }
    ... on NotFound { id message }
    ... on InvalidId { id message }
  }
}
"""


def ask(url: str, variables: dict[str, Any], query: str = SCIENTIST) -> dict[str, Any]:
    return ask_api(url, query, variables)


def test_scientist_name_and_works_count(api_url: str) -> None:
    author_url, name, work_ids = most_prolific()
    assert len(work_ids) > 2  # the sample has authors with several works
    for given in (author_url, short_id(author_url)):
        data = ask(api_url, {"id": given})["data"]["scientist"]
        assert data["__typename"] == "Scientist"
        assert data["name"] == name
        assert data["works"]["totalCount"] == len(work_ids)


def test_works_pages_walk_every_work_once(api_url: str) -> None:
    author_url, _, work_ids = most_prolific()
    seen: list[str] = []
    after = None
    years: list[int] = []
    while True:
        works = ask(api_url, {"id": author_url, "first": 2, "after": after})["data"]["scientist"][
            "works"
        ]
        seen.extend(edge["node"]["id"] for edge in works["edges"])
        years.extend(edge["node"]["publicationYear"] or 0 for edge in works["edges"])
        if not works["pageInfo"]["hasNextPage"]:
            break
        after = works["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(work_ids)
    assert years == sorted(years, reverse=True)  # newest first


def test_unknown_and_malformed_ids(api_url: str) -> None:
    missing = ask(api_url, {"id": "A1"})["data"]["scientist"]
    assert missing == {"__typename": "NotFound", "id": "A1", "message": missing["message"]}
    bad = ask(api_url, {"id": "W2741809807"})["data"]["scientist"]
    assert bad["__typename"] == "InvalidId"
    assert "W2741809807" in bad["message"]


def test_page_size_and_cursor_errors_are_shown(api_url: str) -> None:
    author_url, _, _ = most_prolific()
    body = ask(api_url, {"id": author_url, "first": 1000})
    assert body["errors"][0]["message"] == "first must be between 0 and 100, got 1000"
    body = ask(api_url, {"id": author_url, "after": "garbage"})
    assert "invalid cursor" in body["errors"][0]["message"]


def test_health_and_graphiql(api_url: str) -> None:
    assert httpx.get(f"{api_url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{api_url}/readyz").json() == {"status": "ready"}
    page = httpx.get(f"{api_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_sdl_matches_checked_in_file() -> None:
    from api.schema import schema

    checked_in = Path(__file__).resolve().parent.parent / "api" / "schema.graphql"
    assert checked_in.read_text(encoding="utf-8") == schema.as_str() + "\n", (
        "api/schema.graphql is stale: run `make schema`"
    )
