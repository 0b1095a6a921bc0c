"""autocomplete over real HTTP on the loaded sample (plus one author written in hanzi and the
curated industries); expected entities come from the raw JSON and data/industries.yaml."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import yaml
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
from schema.settings import Settings
from tests.conftest import (
    SAMPLE_WORKS,
    ask,
    load_works,
    most_prolific,
    rows,
    sample_works,
    short_id,
)

AUTOCOMPLETE = """
query ($q: String!, $types: [EntityType!], $first: Int, $after: String) {
  autocomplete(query: $q, types: $types, first: $first, after: $after) {
    __typename
    ... on SuggestionConnection {
      totalCount
      edges {
        cursor
        node {
          type id label detail
          entity {
            __typename
            ... on Scientist { id name }
            ... on Institution { id name }
            ... on Topic { id name }
            ... on Team { id name }
            ... on Industry { id nameEn }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
    ... on InvalidRange { argument message }
  }
}
"""
HANZI_AUTHOR = "A999999001"


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("autocomplete")
    raw = sample_works()[1]
    author = {"id": f"https://openalex.org/{HANZI_AUTHOR}", "display_name": "张伟", "orcid": None}
    record = {
        **raw,
        "id": "https://openalex.org/W999999001",
        "authorships": [{**raw["authorships"][0], "author": author}],
    }
    hanzi = tmp / "hanzi.jsonl"
    hanzi.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    load_works(graph, settings, [SAMPLE_WORKS, hanzi], tmp, batch_size=500)
    load_industries(Writer(graph, settings.neo4j_database), DEFAULT_INDUSTRIES_PATH)


def suggest(url: str, q: str, **variables: Any) -> dict[str, Any]:
    body = ask(url, AUTOCOMPLETE, {"q": q, **variables})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["autocomplete"]
    return result


def nodes(url: str, q: str, **variables: Any) -> list[dict[str, Any]]:
    result = suggest(url, q, **variables)
    assert result["__typename"] == "SuggestionConnection", result
    return [e["node"] for e in result["edges"]]


@pytest.mark.usefixtures("loaded")
def test_scientist_by_name_prefix_with_detail(api_url: str) -> None:
    author, name, _ = most_prolific()
    words = name.split()
    assert len(words) >= 2
    prefix = " ".join([*words[:-1], words[-1][:3]])
    found = nodes(api_url, prefix, types=["SCIENTIST"], first=50)
    hit = next(n for n in found if n["id"] == short_id(author))
    assert hit["type"] == "SCIENTIST"
    assert hit["label"] == name
    assert hit["entity"] == {"__typename": "Scientist", "id": short_id(author), "name": name}
    # the detail names one of the author's institutions of their latest year
    latest: dict[str, int] = {}
    for work in sample_works():
        for a in work["authorships"]:
            if (a.get("author") or {}).get("id") == author:
                for inst in a.get("institutions") or []:
                    year = work["publication_year"]
                    latest[inst["display_name"]] = max(latest.get(inst["display_name"], 0), year)
    if latest:
        newest = max(latest.values())
        assert any(hit["detail"].startswith(n) for n, y in latest.items() if y == newest), hit
    # the full name is an exact match: ranked before every other suggestion
    first = nodes(api_url, name, first=1)[0]
    assert first["label"].lower() == name.lower()


@pytest.mark.usefixtures("loaded")
def test_hanzi_and_pinyin_in_either_order(api_url: str) -> None:
    for text in ("张伟", "张", "Zhang Wei", "Wei Zhang", "zhang w", "Wei Zh"):
        ids = [n["id"] for n in nodes(api_url, text, types=["SCIENTIST"], first=50)]
        assert HANZI_AUTHOR in ids, text
    # the name in hanzi is an exact match: first
    assert nodes(api_url, "张伟", first=1)[0]["id"] == HANZI_AUTHOR


@pytest.mark.usefixtures("loaded")
def test_types_are_respected(api_url: str) -> None:
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for work in sample_works():
        for a in work["authorships"]:
            if (a.get("author") or {}).get("id"):
                for inst in a.get("institutions") or []:
                    key = short_id(inst.get("ror") or inst["id"])
                    counts[key] += 1
                    names[key] = inst["display_name"]
    top = counts.most_common(1)[0][0]
    found = nodes(api_url, names[top], types=["INSTITUTION"], first=10)
    assert {n["type"] for n in found} == {"INSTITUTION"}
    assert found[0]["label"].lower() == names[top].lower()
    assert top.lower() in {n["id"].lower() for n in found}

    primary = sample_works()[0]["primary_topic"]
    word = primary["display_name"].split()[0]
    topics = nodes(api_url, word, types=["TOPIC"], first=50)
    assert {n["type"] for n in topics} == {"TOPIC"}
    assert short_id(primary["id"]) in {n["id"] for n in topics}
    hit = next(n for n in topics if n["id"] == short_id(primary["id"]))
    assert (
        hit["detail"]
        == f"{primary['subfield']['display_name']}, {primary['field']['display_name']}"
    )

    with DEFAULT_INDUSTRIES_PATH.open(encoding="utf-8") as handle:
        industry = yaml.safe_load(handle)["industries"][0]
    # an exact name first, before topics with more works; a prefix, with types=[INDUSTRY]
    cases = [
        (industry["name_en"], ["INDUSTRY", "TOPIC"]),
        (industry["name_zh"], ["INDUSTRY", "TOPIC"]),
        (industry["name_en"][:4].lower(), ["INDUSTRY"]),
    ]
    for text, types in cases:
        found = nodes(api_url, text, types=types)
        assert found[0] == {
            "type": "INDUSTRY",
            "id": industry["id"],
            "label": industry["name_en"],
            "detail": industry["name_zh"],
            "entity": {
                "__typename": "Industry",
                "id": industry["id"],
                "nameEn": industry["name_en"],
            },
        }, text
    assert all(
        n["type"] != "INDUSTRY" for n in nodes(api_url, industry["name_en"], types=["TOPIC"])
    )


@pytest.mark.usefixtures("loaded", "graph")
def test_teams(api_url: str, graph: Driver, settings: Settings) -> None:
    teams = rows(graph, settings, "MATCH (t:Team) RETURN t.id AS id, t.name AS name LIMIT 1")
    assert teams, "the sample yields derived teams"
    found = nodes(api_url, teams[0]["name"], types=["TEAM"], first=50)
    assert {n["type"] for n in found} == {"TEAM"}
    assert teams[0]["id"] in {n["id"] for n in found}


@pytest.mark.usefixtures("loaded")
def test_first_bounds_and_paging(api_url: str) -> None:
    everything = suggest(api_url, "un", first=50)
    total = everything["totalCount"]
    assert total > 4
    page = suggest(api_url, "un", first=2)
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"]
    assert page["totalCount"] == total
    after = suggest(api_url, "un", first=2, after=page["pageInfo"]["endCursor"])
    ids = [n["node"]["id"] for n in page["edges"] + after["edges"]]
    assert ids == [e["node"]["id"] for e in everything["edges"][:4]]
    assert suggest(api_url, "un", first=0)["edges"] == []
    assert len(suggest(api_url, "un")["edges"]) == min(total, 10)
    for first in (-1, 101):
        body = ask(api_url, AUTOCOMPLETE, {"q": "un", "first": first})
        assert body["errors"][0]["message"].startswith("first must be between"), body
    result = suggest(api_url, "x" * 201)
    assert result["__typename"] == "InvalidRange" and result["argument"] == "query"
    for text in ("", "   ", "AND (", "*", "\\", '"', "name:x"):
        assert suggest(api_url, text)["__typename"] == "SuggestionConnection", text
