"""searchScientists and searchInstitutions over real HTTP on the loaded sample; expected values
come from the raw JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.jobs import run_job
from ingest.openalex_institutions import OPENALEX_INSTITUTIONS
from talentmap.settings import Settings
from tests.conftest import SAMPLE_WORKS, ask, load_works, sample_works, short_id

INSTITUTIONS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "openalex" / ("institutions.jsonl")
)

SCIENTISTS = """
query ($q: String, $f: ScientistFilter, $first: Int, $after: String) {
  searchScientists(query: $q, filter: $f, first: $first, after: $after) {
    __typename
    ... on ScientistSearchConnection {
      totalCount edges { score node { id name } } pageInfo { hasNextPage endCursor }
    }
    ... on Failure { message }
  }
}
"""
INSTITUTION_SEARCH = """
query ($q: String, $f: InstitutionFilter) {
  searchInstitutions(query: $q, filter: $f, first: 100) {
    __typename
    ... on InstitutionSearchConnection { totalCount edges { node { id name } } }
    ... on Failure { message }
  }
}
"""


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("search")
    raw = sample_works()[1]
    author = {"id": "https://openalex.org/A999999001", "display_name": "张伟", "orcid": None}
    record = {
        **raw,
        "id": "https://openalex.org/W999999001",
        "authorships": [{**raw["authorships"][0], "author": author}],
    }
    hanzi = tmp / "hanzi.jsonl"
    hanzi.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    if INSTITUTIONS.is_file():
        run_job(
            Writer(graph, settings.neo4j_database),
            OPENALEX_INSTITUTIONS,
            [INSTITUTIONS],
            quarantine_dir=tmp,
            batch_size=500,
        )
    load_works(graph, settings, [SAMPLE_WORKS, hanzi], tmp, batch_size=500)


def search(url: str, **variables: Any) -> dict[str, Any]:
    body = ask(url, SCIENTISTS, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["searchScientists"]
    return result


@pytest.mark.usefixtures("loaded")
def test_hanzi_and_pinyin_find_each_other(api_url: str) -> None:
    for text in ("张伟", "Zhang Wei", "Wei Zhang"):
        ids = [e["node"]["id"] for e in search(api_url, q=text, first=100)["edges"]]
        assert "A999999001" in ids, text
    # 张伟 also finds the sample's own Latin-script Wei Zhangs
    namesakes = {
        short_id(a["author"]["id"])
        for w in sample_works()
        for a in w["authorships"]
        if sorted(((a.get("author") or {}).get("display_name") or "").lower().split())
        == ["wei", "zhang"]
    }
    found = {e["node"]["id"] for e in search(api_url, q="张伟", first=100)["edges"]}
    assert namesakes <= found


@pytest.mark.usefixtures("loaded")
def test_exact_name_and_lucene_syntax_is_escaped(api_url: str) -> None:
    first = sample_works()[0]["authorships"][0]["author"]
    hits = search(api_url, q=first["display_name"])["edges"]
    assert hits[0]["node"]["id"] == short_id(first["id"])
    assert hits[0]["score"] > 0
    for text in ("AND (", "name:*", '"', "\\", "*", "a OR b)"):
        result = search(api_url, q=text)
        assert result["__typename"] == "ScientistSearchConnection", text


@pytest.mark.usefixtures("loaded")
def test_institution_filter_and_pagination(api_url: str) -> None:
    authors_of: dict[str, set[str]] = {}
    for work in sample_works():
        for a in work["authorships"]:
            if not (a.get("author") or {}).get("id"):
                continue  # an authorship without a person: no Scientist
            for inst in a.get("institutions") or []:
                key = short_id(inst.get("ror") or inst["id"])
                authors_of.setdefault(key, set()).add(short_id(a["author"]["id"]))
    institution = max(sorted(authors_of), key=lambda k: len(authors_of[k]))
    want = authors_of[institution]
    assert len(want) > 3
    seen: list[str] = []
    after = None
    while True:
        page = search(api_url, f={"institution": institution}, first=3, after=after)
        assert page["totalCount"] == len(want)
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(want)  # every author once


@pytest.mark.usefixtures("loaded")
def test_active_since_and_typed_failures(api_url: str) -> None:
    recent = {
        short_id(a["author"]["id"])
        for w in sample_works()
        if (w.get("publication_year") or 0) >= 2024
        for a in w["authorships"]
        if (a.get("author") or {}).get("id")
    }
    assert search(api_url, f={"activeSince": 2024}, first=1)["totalCount"] == len(recent)
    bad = search(api_url, f={"hIndex": {"min": 5, "max": 2}})
    assert bad["__typename"] == "InvalidRange"
    assert search(api_url, f={"works": {"min": -1}})["__typename"] == "InvalidRange"
    assert search(api_url, f={"institution": "I1"})["__typename"] == "NotFound"
    assert search(api_url, f={"topics": ["nonsense"]})["__typename"] == "InvalidId"


@pytest.mark.skipif(not INSTITUTIONS.is_file(), reason="../shared/data is not here")
@pytest.mark.usefixtures("loaded")
def test_institutions_in_every_language(api_url: str) -> None:
    records = [json.loads(line) for line in INSTITUTIONS.open(encoding="utf-8")]
    tsinghua = next(r for r in records if r["display_name"] == "Tsinghua University")
    for text in ("清华大学", "Tsinghua", "THU"):
        body = ask(api_url, INSTITUTION_SEARCH, {"q": text})
        ids = [e["node"]["id"] for e in body["data"]["searchInstitutions"]["edges"]]
        assert short_id(tsinghua["ror"]) in ids, text
    # an institution's country and type: its own record's, else the works' view of it
    facts: dict[str, tuple[str | None, str | None]] = {}
    for work in sample_works():
        for a in work["authorships"]:
            for inst in a.get("institutions") or []:
                key = short_id(inst.get("ror") or inst["id"])
                facts.setdefault(key, (inst.get("country_code"), inst.get("type")))
    for r in records:
        facts[short_id(r["ror"])] = (r.get("country_code"), r.get("type"))
    want = {k for k, (country, kind) in facts.items() if (country, kind) == ("CN", "education")}
    body = ask(api_url, INSTITUTION_SEARCH, {"f": {"country": "cn", "type": "education"}})
    result = body["data"]["searchInstitutions"]
    assert 0 < len(want) <= 100
    assert result["totalCount"] == len(want)
    assert {e["node"]["id"] for e in result["edges"]} == want
