"""Talent flows: moves from affiliation histories (the sample's OpenAlex Author records and the
authorships of their works), against moves computed here from the raw JSON, over real HTTP.

The smallest load that proves it: the 108 Author records, the sample works of the 9 of them
that have any, and the ROR records of the institutions those name (where regions come from).
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.derived.flows import abroad_years, moves_of
from ingest.derived.step import derive
from ingest.jobs import run_job
from ingest.openalex.authors import OPENALEX_AUTHORS
from ingest.ror.records import ROR
from schema.settings import Settings
from tests.conftest import OPENALEX_SAMPLE, ask, load_works, rows, sample_works, short_id
from tests.test_api_chain import institution_key, ror_records

AUTHORS = OPENALEX_SAMPLE / "authors.jsonl"

FLOWS = """
query ($region: ID!, $from: Int, $to: Int, $n: Int!, $after: String) {
  talentFlows(region: $region, fromYear: $from, toYear: $to, returneeYears: $n) {
    __typename
    ... on TalentFlows {
      countryCode inflow outflow returnees
      byYear { year inflow outflow net returnees }
      origins { institutionId moves }
      destinations { institutionId moves }
      originCountries { countryCode moves }
      moves(first: 100, after: $after) {
        totalCount
        edges { node { year direction scientistId fromInstitutionId toInstitutionId
                       abroadYears returnee scientist { name } } }
        pageInfo { hasNextPage endCursor }
      }
    }
    ... on Failure { message }
  }
}
"""


@cache
def authors() -> list[dict[str, Any]]:
    with AUTHORS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def their_works() -> list[dict[str, Any]]:
    ids = {a["id"] for a in authors()}
    return [
        w
        for w in sample_works()
        if any((a.get("author") or {}).get("id") in ids for a in w["authorships"])
    ]


@cache
def expected_moves() -> list[dict[str, Any]]:
    """Every move, computed from the raw records: per author and year the institution with the
    most evidence (Author-record years, authorships of that year's works; ties: the year
    before's if tied, else the smallest key), a move where it changes between consecutive
    years seen."""
    found = []
    works = their_works()
    for author in authors():
        evidence: Counter[tuple[int, str]] = Counter()
        for aff in author.get("affiliations") or []:
            key = institution_key(aff["institution"])
            if key:
                for year in set(aff.get("years") or []):
                    evidence[(year, key)] += 1
        for w in works:
            for a in w["authorships"]:
                if (a.get("author") or {}).get("id") != author["id"]:
                    continue
                for i in a.get("institutions") or []:
                    if key := institution_key(i):
                        evidence[(w["publication_year"], key)] += 1
        main: dict[int, str] = {}
        last = ""
        for year in sorted({y for y, _ in evidence}):
            here = {k: n for (y, k), n in evidence.items() if y == year}
            best = max(here.values())
            tied = sorted(k for k, n in here.items() if n == best)
            main[year] = last = last if last in tied else tied[0]
        years = sorted(main)
        for before, year in itertools.pairwise(years):
            if main[before] != main[year]:
                prior = [y for y in years if y < year]
                found.append(
                    {
                        "scientist": short_id(author["id"]),
                        "year": year,
                        "from": main[before],
                        "to": main[year],
                        "before": [(y, main[y]) for y in prior],
                    }
                )
    return found


def expected_flows(region: str, n: int, places: Places) -> dict[str, Any]:
    """Inflows and outflows of a country: a side is in it when the ROR records loaded place it
    there (a LOCATED_IN chain to the Country; `places.inside`). Abroad years count the
    institutions' countries as the graph holds them (`places.countries`: ROR's, else the
    OpenAlex views', where any)."""
    countries, inside = places.countries, places.inside[region]
    flows = []
    for m in expected_moves():
        inside_from, inside_to = m["from"] in inside, m["to"] in inside
        if inside_from == inside_to:
            continue
        away = 0
        if inside_to:
            run = []
            for year, institution in reversed(m["before"]):
                country = countries.get(institution)
                if not country or country == region:
                    break
                run.append(year)
            away = run[0] - run[-1] + 1 if run else 0
        flows.append({**m, "inflow": inside_to, "returnee": inside_to and away >= n, "away": away})
    return {"moves": flows}


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Driver:
    tmp = tmp_path_factory.mktemp("flows")
    keys = {
        institution_key(a["institution"]) for au in authors() for a in au.get("affiliations") or []
    }
    keys |= {
        institution_key(i)
        for w in their_works()
        for a in w["authorships"]
        for i in a["institutions"]
    }
    records = [ror_records()[k] for k in sorted(k for k in keys if k) if k in ror_records()]
    (tmp / "ror.json").write_text(json.dumps(records), encoding="utf-8")
    works = tmp / "works.jsonl"
    works.write_text("".join(json.dumps(w) + "\n" for w in their_works()), encoding="utf-8")
    writer = Writer(graph, settings.neo4j_database)
    started = time.perf_counter()
    run_job(writer, ROR, [tmp / "ror.json"], quarantine_dir=tmp / "q", batch_size=500)
    load_works(graph, settings, [works], tmp / "q", derive=False)
    run_job(writer, OPENALEX_AUTHORS, [AUTHORS], quarantine_dir=tmp / "q", batch_size=500)
    report = derive(writer, max_authors=settings.max_authors_for_ties)
    print(f"\nload + derive: {time.perf_counter() - started:.2f} s; flows of {report.flows}")
    assert report.flows >= len(authors())
    return graph


@dataclass(frozen=True)
class Places:
    countries: dict[str, str | None]
    inside: dict[str, set[str]]


@pytest.fixture(scope="module")
def countries(loaded: Driver, settings: Settings) -> Places:
    """Where the loaded records put the institutions: their countries, and per country the
    institutions a LOCATED_IN chain (ROR's city, then country) ties to it or its code names."""
    found = rows(loaded, settings, "MATCH (i:Institution) RETURN i.id AS id, i.country_code AS c")
    located = rows(
        loaded,
        settings,
        "MATCH (i:Institution)-[:LOCATED_IN*1..3]->(c:Country) RETURN c.id AS c, i.id AS i",
    )
    inside: dict[str, set[str]] = {}
    for r in located:
        inside.setdefault(r["c"], set()).add(r["i"])
    for r in found:  # a country also holds the institutions of its code, ROR record or not
        if r["c"]:
            inside.setdefault(r["c"], set()).add(r["id"])
    return Places({r["id"]: r["c"] for r in found}, inside)


def test_moves_of_a_history() -> None:
    """The pure logic, with a second affiliation beside the main one and a gap of years."""
    evidence = [(2010, "a"), (2011, "a"), (2011, "x"), (2012, "a"), (2015, "b"), (2016, "b")]
    evidence += [(2009, "z"), (2010, "z")]  # a tie in 2010 keeps z, the year before's
    country = {"a": "US", "b": "CN", "x": "CN"}
    country["z"] = "US"
    first, move = moves_of("s", evidence, country)
    assert (first.year, first.from_id, first.to_id) == (2011, "z", "a")
    assert (move.year, move.from_id, move.to_id) == (2015, "a", "b")
    assert move.before_years == (2009, 2010, 2011, 2012)
    assert abroad_years(move.before_years, move.before_countries, "CN") == 4
    assert abroad_years(move.before_years, move.before_countries, "US") == 0
    assert abroad_years([2010, 2012], ["CN", None], "CN") == 0


def all_moves(api_url: str, variables: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    found, after = [], None
    while True:
        body = ask(api_url, FLOWS, {**variables, "after": after})
        answer = body["data"]["talentFlows"]
        assert answer["__typename"] == "TalentFlows", body
        found += [e["node"] for e in answer["moves"]["edges"]]
        if not answer["moves"]["pageInfo"]["hasNextPage"]:
            return answer, found
        after = answer["moves"]["pageInfo"]["endCursor"]


@pytest.mark.parametrize("region", ["US", "CN", "GB"])
def test_flows_of_a_country_match_the_raw_histories(
    countries: Places, api_url: str, region: str
) -> None:
    expected = expected_flows(region, 3, countries)["moves"]
    answer, moves = all_moves(api_url, {"region": region, "n": 3})
    got = sorted(
        (
            m["scientistId"],
            m["year"],
            m["fromInstitutionId"],
            m["toInstitutionId"],
            m["direction"],
            m["returnee"],
            m["abroadYears"],
        )
        for m in moves
    )
    want = sorted(
        (
            m["scientist"],
            m["year"],
            m["from"],
            m["to"],
            "IN" if m["inflow"] else "OUT",
            m["returnee"],
            m["away"],
        )
        for m in expected
    )
    assert got == want and got, region
    assert answer["countryCode"] == region
    assert answer["inflow"] == sum(1 for m in expected if m["inflow"])
    assert answer["outflow"] == sum(1 for m in expected if not m["inflow"])
    assert answer["returnees"] == sum(1 for m in expected if m["returnee"])
    years = sorted({m["year"] for m in expected})
    assert answer["byYear"] == [
        {
            "year": y,
            "inflow": (i := sum(1 for m in expected if m["year"] == y and m["inflow"])),
            "outflow": (o := sum(1 for m in expected if m["year"] == y and not m["inflow"])),
            "net": i - o,
            "returnees": sum(1 for m in expected if m["year"] == y and m["returnee"]),
        }
        for y in years
    ]
    origins = Counter(m["from"] for m in expected if m["inflow"])
    assert {o["institutionId"]: o["moves"] for o in answer["origins"]} == dict(origins)
    assert [m["year"] for m in moves] == sorted((m["year"] for m in moves), reverse=True)


def test_returnees_and_year_windows(countries: Places, api_url: str) -> None:
    for n in (1, 3, 10):
        expected = expected_flows("CN", n, countries)["moves"]
        answer, _ = all_moves(api_url, {"region": "CN", "n": n})
        assert answer["returnees"] == sum(1 for m in expected if m["returnee"]), n
    assert expected_flows("CN", 3, countries)["moves"], "the sample has no move into China"
    answer, moves = all_moves(api_url, {"region": "US", "from": 2015, "to": 2020, "n": 3})
    want = [m for m in expected_flows("US", 3, countries)["moves"] if 2015 <= m["year"] <= 2020]
    assert len(moves) == len(want) and all(2015 <= m["year"] <= 2020 for m in moves)
    for variables, kind in (
        ({"region": "US", "from": 2020, "to": 2015, "n": 3}, "InvalidRange"),
        ({"region": "US", "n": 0}, "InvalidRange"),
        ({"region": "xx/nowhere", "n": 3}, "NotFound"),
    ):
        body = ask(api_url, FLOWS, variables)
        assert body["data"]["talentFlows"]["__typename"] == kind, body
