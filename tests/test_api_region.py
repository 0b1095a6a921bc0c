"""`region(id)` over HTTP on the Suzhou profile, and "a Chinese institution is never outside
CN" in regionCooperation("CN").

One load: the chains, the profile, the OpenAlex sample works with an institution in China (no
derived step: neither query reads it) and the ROR records of their institutions, of those
the profile places and of those ROR puts in a GeoNames city the profile covers. Expected
values come from data/regions/suzhou.yaml, the ROR dumps and the sample JSON, read here.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.jobs import run_job
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from ingest.ror.records import ROR
from schema.settings import Settings
from tests.conftest import ask, load_works, short_id
from tests.test_api_chain import cities_of, country_of, institution_key, ror_records, works

REGION = """
query ($id: ID!, $first: Int, $after: String) {
  region(id: $id) {
    __typename
    ... on Region {
      id kind nameEn nameZh parentId aliases industryIds
      parks { nameEn nameZh }
      industries { id segments { id } }
      segments { id industryId }
      districts { id kind nameEn }
      institutions(first: $first, after: $after) {
        totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
      }
    }
    ... on NotFound { message }
    ... on InvalidId { message }
  }
}
"""
COOPERATION = """
query ($region: ID!) {
  regionCooperation(region: $region, first: 100) {
    ... on RegionCooperation {
      totalCount
      edges {
        jointWorksCount node { id countryCode }
        homeInstitutions { institutionId jointWorksCount }
      }
    }
    ... on Failure { message }
  }
}
"""


@cache
def profile() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_REGION_PATH.read_text(encoding="utf-8"))
    return data


def district(district_id: str) -> dict[str, Any]:
    return next(d for d in profile()["districts"] if d["id"] == district_id)


@cache
def profile_keys() -> frozenset[str]:
    """The ROR ids the profile places, and those of the ROR records in its GeoNames cities."""
    places = [profile()["city"], *profile()["districts"]]
    listed = {i for p in places for i in p.get("institutions") or []}
    geonames = {g for p in places for g in p.get("geonames_ids") or []}
    return frozenset(listed | {k for k in ror_records() if cities_of(k) & geonames})


def expected_institutions(place: dict[str, Any]) -> set[str]:
    """The loaded institutions a place holds: those it lists, those in its GeoNames cities."""
    listed = set(place.get("institutions") or [])
    geonames = set(place.get("geonames_ids") or [])
    return {k for k in profile_keys() if k in listed or cities_of(k) & geonames}


def country(raw: dict[str, Any]) -> str | None:
    """An institution's country: its ROR record's, else the work's (OpenAlex) record's."""
    key = institution_key(raw)
    if key in ror_records():
        return country_of(key)
    code = raw.get("country_code")
    return str(code) if code else None


def institutions(work: dict[str, Any]) -> list[dict[str, Any]]:
    """The institutions of a work's authorships that have an author (the others are not
    loaded)."""
    return [
        i for a in work["authorships"] if a["author"].get("id") for i in a.get("institutions") or []
    ]


@cache
def cn_works() -> list[dict[str, Any]]:
    """The sample works with an institution in China: the smallest set that shows the point."""
    return [w for w in works() if any(country(i) == "CN" for i in institutions(w))]


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("region")
    writer = Writer(graph, settings.neo4j_database)
    load_industries(writer, DEFAULT_INDUSTRIES_PATH)
    sample = tmp / "works.jsonl"
    sample.write_text("".join(json.dumps(w) + "\n" for w in cn_works()), encoding="utf-8")
    load_works(graph, settings, [sample], tmp / "q", batch_size=500, derive=False)
    on_works = {k for w in cn_works() for i in institutions(w) if (k := institution_key(i))}
    keys = sorted((on_works | profile_keys()) & set(ror_records()))
    path = tmp / "ror.json"
    path.write_text(json.dumps([ror_records()[k] for k in keys]), encoding="utf-8")
    assert run_job(writer, ROR, [path], quarantine_dir=tmp / "q", batch_size=500).quarantined == 0
    load_region(writer, DEFAULT_REGION_PATH)
    return tmp


def region(api_url: str, region_id: str, first: int = 100) -> dict[str, Any]:
    body = ask(api_url, REGION, {"id": region_id, "first": first})
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["region"]
    return answer


def test_the_industrial_park_by_its_alias(loaded: Path, api_url: str) -> None:
    sip = district("cn/suzhou/suzhou-industrial-park")
    found = region(api_url, "cn/suzhou/sip")
    assert found["__typename"] == "Region"
    assert found == region(api_url, sip["id"])
    assert (found["id"], found["kind"], found["parentId"]) == (sip["id"], "DISTRICT", "cn/suzhou")
    assert (found["nameEn"], found["nameZh"]) == (sip["name_en"], sip["name_zh"])
    assert found["aliases"] == sip["aliases"]
    assert found["parks"] == [
        {"nameEn": p["name_en"], "nameZh": p["name_zh"]} for p in sip["parks"]
    ]
    assert found["industryIds"] == sip["industry_ids"]
    assert [i["id"] for i in found["industries"]] == sip["industry_ids"]
    chains = {i["id"]: i for i in yaml.safe_load(DEFAULT_INDUSTRIES_PATH.read_text())["industries"]}
    segments = [
        s["id"]
        for industry in sorted(sip["industry_ids"])
        for s in chains[industry]["segments"]  # in chain order
    ]
    assert [s["id"] for s in found["segments"]] == segments
    assert found["districts"] == []
    expected = expected_institutions(sip)
    assert "05t8y2r12" in expected  # Soochow University's Dushu Lake campus
    assert found["institutions"]["totalCount"] == len(expected)
    assert {e["node"]["id"] for e in found["institutions"]["edges"]} == expected


def test_the_city_holds_every_district_and_institution(loaded: Path, api_url: str) -> None:
    found = region(api_url, "cn/suzhou")
    city = profile()["city"]
    assert (found["kind"], found["nameZh"], found["parentId"]) == ("CITY", city["name_zh"], "CN")
    assert found["industryIds"] == city["industry_ids"]
    districts = sorted(d["id"] for d in profile()["districts"])
    assert [d["id"] for d in found["districts"]] == districts
    assert {d["kind"] for d in found["districts"]} == {"DISTRICT"}
    expected = expected_institutions(city).union(
        *(expected_institutions(d) for d in profile()["districts"])
    )
    assert found["institutions"]["totalCount"] == len(expected)
    assert {e["node"]["id"] for e in found["institutions"]["edges"]} == expected


def test_institutions_page_by_cursor(loaded: Path, api_url: str) -> None:
    whole = [e["node"]["id"] for e in region(api_url, "cn/suzhou")["institutions"]["edges"]]
    first = region(api_url, "cn/suzhou", first=3)["institutions"]
    assert first["pageInfo"]["hasNextPage"] is True
    body = ask(
        api_url, REGION, {"id": "cn/suzhou", "first": 3, "after": first["pageInfo"]["endCursor"]}
    )
    second = body["data"]["region"]["institutions"]
    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == whole[:6]


def test_the_country_lists_its_profile_cities(loaded: Path, api_url: str) -> None:
    found = region(api_url, "CN", first=0)
    assert (found["kind"], found["nameEn"], found["parentId"]) == ("COUNTRY", "China", None)
    assert [d["id"] for d in found["districts"]] == [profile()["city"]["id"]]


def test_failures_are_typed(loaded: Path, api_url: str) -> None:
    assert region(api_url, "cn/suzhou/nowhere")["__typename"] == "NotFound"
    assert region(api_url, "Suzhou!")["__typename"] == "InvalidId"


def expected_partners(code: str) -> dict[str, tuple[int, Counter[str]]]:
    """Institutions outside the country sharing sample works with those in it: for each, the
    works, and the homes it shares works with and how many. Authorships without an author are
    not loaded."""
    found: dict[str, tuple[int, Counter[str]]] = {}
    for work in cn_works():
        on_work = {key: country(i) for i in institutions(work) if (key := institution_key(i))}
        homes = {k for k, c in on_work.items() if c == code}
        for partner in (k for k, c in on_work.items() if c != code and homes):
            works_count, with_homes = found.get(partner, (0, Counter()))
            found[partner] = (works_count + 1, with_homes + Counter(homes))
    return found


def test_a_chinese_institution_is_never_outside_cn(loaded: Path, api_url: str) -> None:
    body = ask(api_url, COOPERATION, {"region": "CN"})
    assert "errors" not in body, body
    answer = body["data"]["regionCooperation"]
    expected = expected_partners("CN")
    # The sample has a Chinese institution ROR does not hold (Hebei University of Economics
    # and Business, beside China University of Mining and Technology): in CN, not a partner.
    assert any(
        country(i) == "CN" and short_id(i["id"]) == "I113992204"
        for w in cn_works()
        for i in institutions(w)
    )
    got = {
        e["node"]["id"]: (
            e["jointWorksCount"],
            Counter({h["institutionId"]: h["jointWorksCount"] for h in e["homeInstitutions"]}),
        )
        for e in answer["edges"]
    }
    assert {e["node"]["countryCode"] for e in answer["edges"]} & {"CN"} == set()
    assert answer["totalCount"] == len(expected)
    assert got == expected
