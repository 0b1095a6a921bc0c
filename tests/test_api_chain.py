"""talentChain over real HTTP against the loaded sample (works, taxonomy, industries, the Suzhou
profile, and the ROR records of the sample's institutions), checked against rankings computed
here from the raw files: works.jsonl, data/industries.yaml, the taxonomy CSV and the ROR JSON.
"""

from __future__ import annotations

import asyncio
import csv
import json
import math
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.jobs import run_job
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy
from ingest.ror.records import ROR
from schema.settings import Settings
from tests.conftest import (
    REPO,
    ROR_V1,
    ROR_V2,
    SAMPLE_WORKS,
    admin_principal,
    ask,
    load_works,
    ror_dump,
    rows,
    sample_works,
    short_id,
)

ROR_FILES = (ROR_V2, ROR_V1)
INDUSTRIES_YAML = REPO / "data" / "industries.yaml"
TAXONOMY_CSV = REPO / "data" / "openalex" / "topics_taxonomy.csv"
SUZHOU_YAML = REPO / "data" / "regions" / "suzhou.yaml"
MAX_AUTHORS = 100


CHAIN = """
query ($industry: ID!, $region: ID, $first: Int) {
  talentChain(industry: $industry, region: $region, first: $first) {
    __typename
    ... on TalentChain {
      industry { id nameEn }
      regionId
      segments {
        segment { id order stage }
        topics { id }
        scientists {
          totalCount pageInfo { hasNextPage endCursor }
          edges { cursor matchingWorks citations score segmentScore inRegion node { id name } }
        }
        teams {
          totalCount pageInfo { hasNextPage endCursor }
          edges { cursor matchingWorks citations score inRegion node { id institutionId } }
        }
        institutions {
          totalCount pageInfo { hasNextPage endCursor }
          edges { cursor matchingWorks citations score inRegion node { id name } }
        }
        regionCounts {
          regionId gap
          scientists { top topSize inRegion total gap }
          teams { top topSize inRegion total gap }
          institutions { top topSize inRegion total gap }
        }
      }
    }
    ... on NotFound { id message }
    ... on InvalidId { id message }
    ... on InvalidRange { argument message }
  }
}
"""


# --- the raw files, read without the code under test ------------------------------------------


@cache
def industries() -> list[dict[str, Any]]:
    with INDUSTRIES_YAML.open(encoding="utf-8") as handle:
        data: list[dict[str, Any]] = yaml.safe_load(handle)["industries"]
    return data


@cache
def subfield_topics() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    with TAXONOMY_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found[f"subfields/{row['subfield_id']}"].add(row["topic_id"])
    return found


def segment_topics(segment: dict[str, Any]) -> set[str]:
    topics = set(segment.get("topic_ids") or [])
    for subfield in segment.get("subfield_ids") or []:
        topics |= subfield_topics()[subfield]
    return topics


@cache
def works() -> list[dict[str, Any]]:
    unique = {short_id(w["id"]): w for w in sample_works()}
    return list(unique.values())


def matching(topics: set[str]) -> list[dict[str, Any]]:
    return [w for w in works() if {short_id(t["id"]) for t in w.get("topics") or []} & topics]


def institution_key(raw: dict[str, Any]) -> str | None:
    if raw.get("ror"):
        return short_id(raw["ror"]).lower()
    return short_id(raw["id"]) if raw.get("id") else None


def authors_of(work: dict[str, Any]) -> set[str]:
    return {short_id(a["author"]["id"]) for a in work["authorships"] if a["author"].get("id")}


def institutions_of(work: dict[str, Any]) -> set[str]:
    return {
        key
        for a in work["authorships"]
        for i in a.get("institutions") or []
        if (key := institution_key(i))
    }


@cache
def ror_records() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in ROR_FILES:
        for record in ror_dump(path):
            found[short_id(record["id"]).lower()] = record
    return found


def country_of(key: str) -> str | None:
    record = ror_records().get(key)
    if record is None:
        return None
    if "locations" in record:
        codes = {loc["geonames_details"].get("country_code") for loc in record["locations"]}
        return next(iter(codes)) if len(codes) == 1 else None
    return str((record.get("country") or {}).get("country_code"))


def cities_of(key: str) -> set[int]:
    record = ror_records().get(key)
    if record is None:
        return set()
    if "locations" in record:
        return {int(loc["geonames_id"]) for loc in record["locations"]}
    return {int(a["geonames_city"]["id"]) for a in record.get("addresses", [])}


@cache
def latest_institutions() -> dict[str, set[str]]:
    """Per author, the institutions of their latest year (AFFILIATED_WITH from authorships:
    the last year each institution appears on their works; the latest of those)."""
    last: dict[str, dict[str, int]] = defaultdict(dict)
    for work in works():
        year = work.get("publication_year")
        for a in work["authorships"]:
            if not a["author"].get("id"):
                continue
            author = short_id(a["author"]["id"])
            for i in a.get("institutions") or []:
                key = institution_key(i)
                if key and year is not None:
                    last[author][key] = max(year, last[author].get(key, year))
    result: dict[str, set[str]] = {}
    for author, years in last.items():
        top = max(years.values())
        result[author] = {k for k, y in years.items() if y == top}
    return result


def score(cites: list[int]) -> float:
    return round(sum(1 + math.log10(1 + c) for c in cites), 6)


def rank(evidence: dict[str, list[dict[str, Any]]]) -> list[tuple[str, int, int, float]]:
    """(id, matching works, citations, score), best first."""
    found = []
    for key, ws in evidence.items():
        cites = [int(w.get("cited_by_count") or 0) for w in ws]
        found.append((key, len(ws), sum(cites), score(cites)))
    return sorted(found, key=lambda x: (-x[3], -x[1], x[0]))


def scientist_evidence(topics: set[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for work in matching(topics):
        for author in authors_of(work):
            found[author].append(work)
    return found


def institution_evidence(topics: set[str]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for work in matching(topics):
        for key in institutions_of(work):
            found[key].append(work)
    return found


def team_evidence(
    topics: set[str], teams: dict[str, tuple[str, set[str]]]
) -> dict[str, list[dict[str, Any]]]:
    """Works a member wrote listing the team's institution."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for work in matching(topics):
        for team, (home, members) in teams.items():
            if any(
                a["author"].get("id")
                and short_id(a["author"]["id"]) in members
                and home in {institution_key(i) for i in a.get("institutions") or []}
                for a in work["authorships"]
            ):
                found[team].append(work)
    return found


# --- the graph -----------------------------------------------------------------------------------


def sample_ror_path(tmp: Path) -> Path:
    """The ROR records of the sample's institutions as one JSON file in `tmp` (what the demo
    loads instead of the whole dump)."""
    keys = {k for w in works() for k in institutions_of(w)}
    records = [ror_records()[k] for k in sorted(keys) if k in ror_records()]
    path = tmp / "ror.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def load_demo(
    graph: Driver, settings: Settings, tmp: Path, *, derive_works: bool = True
) -> tuple[Any, Any]:
    """The demo data as `make run` loads it: the sample works (with their derived step when
    `derive_works`), the taxonomy, the chains, the Suzhou profile, the ROR records of the
    sample's institutions, then the derived step; (the ROR job's report, the derived step's)."""
    load_works(graph, settings, [SAMPLE_WORKS], tmp, batch_size=500, derive=derive_works)
    writer = Writer(graph, settings.neo4j_database)
    load_taxonomy(writer, DEFAULT_TAXONOMY_PATH)
    load_industries(writer, DEFAULT_INDUSTRIES_PATH)
    load_region(writer, DEFAULT_REGION_PATH)
    path = sample_ror_path(tmp)
    report = run_job(writer, ROR, [path], quarantine_dir=tmp / "quarantine", batch_size=500)
    # As `talentmap ingest industries` does after the works: the segments' rankings.
    return report, derive(writer, max_authors=settings.max_authors_for_ties)


def teams_in_graph(graph: Driver, settings: Settings) -> dict[str, tuple[str, set[str]]]:
    found = rows(
        graph,
        settings,
        "MATCH (m:Scientist)-[:MEMBER_OF]->(t:Team)-[:BASED_AT]->(i:Institution) "
        "RETURN t.id AS team, i.id AS home, collect(m.id) AS members",
    )
    return {r["team"]: (r["home"], set(r["members"])) for r in found}


def assert_model_order(got: list[dict[str, Any]], want: list[tuple[Any, ...]]) -> None:
    """Scientists by segmentScore, highest first, people without one last, ties in evidence
    order; the first min(50, all) of them."""
    position = {w[0]: n for n, w in enumerate(want)}
    assert len(got) == min(50, len(want))
    keys = [
        (-(g["segmentScore"] if g["segmentScore"] is not None else -1.0), position[g["node"]["id"]])
        for g in got
    ]
    assert keys == sorted(keys)
    if len(want) <= 50:
        assert {g["node"]["id"] for g in got} == set(position)


def chain(api_url: str, industry: str, region: str | None, first: int = 50) -> dict[str, Any]:
    body = ask(api_url, CHAIN, {"industry": industry, "region": region, "first": first})
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["talentChain"]
    return answer


def busiest_segments() -> list[tuple[str, dict[str, Any]]]:
    """(industry id, segment) for every segment with matching works in the sample."""
    return [
        (industry["id"], segment)
        for industry in industries()
        for segment in industry["segments"]
        if matching(segment_topics(segment))
    ]


REGION = "US"


def in_country(key: str) -> bool:
    return country_of(key) == REGION


# --- tests -------------------------------------------------------------------------------------


def test_segments_in_chain_order_with_their_topics(api_url: str) -> None:
    for industry in industries():
        answer = chain(api_url, industry["id"], None, first=1)
        assert answer["__typename"] == "TalentChain"
        assert answer["industry"]["id"] == industry["id"]
        assert answer["regionId"] is None
        got = answer["segments"]
        assert [s["segment"]["id"] for s in got] == [s["id"] for s in industry["segments"]]
        assert [s["segment"]["order"] for s in got] == sorted(s["segment"]["order"] for s in got)
        for segment, raw in zip(got, industry["segments"], strict=True):
            ids = [t["id"] for t in segment["topics"]]
            assert ids == sorted(segment_topics(raw)), raw["id"]
            assert segment["regionCounts"] is None
            assert all(s["inRegion"] is None for s in segment["scientists"]["edges"])


def test_rankings_and_evidence_match_the_raw_works(
    api_url: str, graph: Driver, settings: Settings
) -> None:
    teams = teams_in_graph(graph, settings)
    assert teams, "the sample yields teams"
    segments = busiest_segments()
    assert len(segments) >= 5
    seen_in = seen_out = 0
    for industry, raw in segments:
        answer = chain(api_url, industry, REGION, first=50)
        [segment] = [s for s in answer["segments"] if s["segment"]["id"] == raw["id"]]
        topics = segment_topics(raw)
        counts = segment["regionCounts"]
        for field, evidence, inside in (
            ("scientists", scientist_evidence(topics), None),
            ("institutions", institution_evidence(topics), in_country),
            ("teams", team_evidence(topics, teams), None),
        ):
            want = rank(evidence)
            connection = segment[field]
            got = connection["edges"]
            if field == "scientists":
                # In the evaluation model's order (tests/test_evaluation.py checks the scores):
                # the evidence of each is its own, and the order follows segmentScore.
                assert_model_order(got, want)
            else:
                assert [g["node"]["id"] for g in got] == [w[0] for w in want[:50]], raw["id"]
            assert connection["totalCount"] == len(evidence)
            assert connection["pageInfo"]["hasNextPage"] == (len(evidence) > 50)
            by_id = {w[0]: w for w in want}
            for g in got:
                w = by_id[g["node"]["id"]]
                assert (g["matchingWorks"], g["citations"]) == (w[1], w[2])
                assert g["score"] == pytest.approx(w[3], abs=1e-6)
            if field == "scientists":
                flags = {
                    a: any(in_country(i) for i in latest_institutions().get(a, set()))
                    for a in evidence
                }
            elif field == "teams":
                flags = {t: in_country(teams[t][0]) for t in evidence}
            else:
                assert inside is not None
                flags = {i: inside(i) for i in evidence}
            assert [g["inRegion"] for g in got] == [flags[g["node"]["id"]] for g in got]
            seen_in += sum(flags.values())
            seen_out += sum(not f for f in flags.values())
            c = counts[field]
            assert c["total"] == len(evidence)
            assert c["inRegion"] == sum(flags.values())
            assert c["top"] == sum(1 for g in got if g["inRegion"])
            assert c["topSize"] == len(got)
            assert c["gap"] == (c["inRegion"] == 0)
        assert counts["gap"] == all(
            counts[f]["gap"] for f in ("scientists", "teams", "institutions")
        )
    # the region test is not vacuous either way
    assert seen_in > 0 and seen_out > 0


def test_suzhou_is_a_gap_until_a_sample_city_is_mapped_into_it(
    api_url: str, graph: Driver, settings: Settings
) -> None:
    with SUZHOU_YAML.open(encoding="utf-8") as handle:
        profile = yaml.safe_load(handle)
    suzhou = set(profile["city"].get("geonames_ids") or []) | {
        g for d in profile["districts"] for g in d.get("geonames_ids") or []
    }
    industry, raw = max(busiest_segments(), key=lambda s: len(matching(segment_topics(s[1]))))
    evidence = institution_evidence(segment_topics(raw))
    assert not any(cities_of(i) & suzhou for i in evidence)  # the sample has no Suzhou work
    answer = chain(api_url, industry, "cn/suzhou", first=5)
    [segment] = [s for s in answer["segments"] if s["segment"]["id"] == raw["id"]]
    assert answer["regionId"] == "cn/suzhou"
    assert segment["regionCounts"]["gap"] is True
    assert segment["regionCounts"]["institutions"]["total"] == len(evidence)

    # map the GeoNames city of the best institution into Kunshan, as a profile would
    best = rank(evidence)[0][0]
    [city] = sorted(cities_of(best))
    together = {i for i in evidence if city in cities_of(i)}
    rows(
        graph,
        settings,
        "MERGE (g:City {id: $city}) WITH g MATCH (d:District {id: 'cn/suzhou/kunshan'}) "
        "MERGE (g)-[:PART_OF]->(d)",
        city=f"geonames/{city}",
    )
    try:
        for region in ("cn/suzhou", "cn/suzhou/kunshan"):
            answer = chain(api_url, industry, region, first=5)
            [segment] = [s for s in answer["segments"] if s["segment"]["id"] == raw["id"]]
            counts = segment["regionCounts"]
            assert counts["gap"] is False
            assert counts["institutions"]["inRegion"] == len(together)
            assert segment["institutions"]["edges"][0]["node"]["id"] == best
            assert segment["institutions"]["edges"][0]["inRegion"] is True
        answer = chain(api_url, industry, "cn/suzhou/taicang", first=5)
        [segment] = [s for s in answer["segments"] if s["segment"]["id"] == raw["id"]]
        assert segment["regionCounts"]["institutions"]["inRegion"] == 0
    finally:
        rows(
            graph,
            settings,
            "MATCH (:City {id: $city})-[r:PART_OF]->() DELETE r",
            city=f"geonames/{city}",
        )


def test_failures_are_typed(api_url: str) -> None:
    def typed(industry: str, region: str | None = None, first: int = 10) -> dict[str, Any]:
        body = ask(api_url, CHAIN, {"industry": industry, "region": region, "first": first})
        assert "errors" not in body, body
        answer: dict[str, Any] = body["data"]["talentChain"]
        return answer

    assert typed("quantum-widgets")["__typename"] == "NotFound"
    assert typed("Not An Industry!")["__typename"] == "InvalidId"
    assert typed("semiconductors", "XX")["__typename"] == "NotFound"
    assert typed("semiconductors", "cn/Su zhou")["__typename"] == "InvalidId"
    for first in (0, 51):
        answer = typed("semiconductors", None, first)
        assert answer["__typename"] == "InvalidRange"
        assert answer["argument"] == "first"
    # Outside 0..100 the API's limits refuse `first` before anything runs (api/limits.py).
    for first in (-1, 10**6):
        body = ask(api_url, CHAIN, {"industry": "semiconductors", "region": None, "first": first})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert typed("semiconductors", "CN", 50)["__typename"] == "TalentChain"


def test_query_count_is_bounded_by_list_kinds_not_segments(settings: Settings) -> None:
    """A whole chain with every list and the region counts: one query per list kind, not one
    per segment or item (id lookups, industry, segments, topics, three rankings)."""
    from api.context import Context
    from api.schema import schema
    from graph.driver import connect_async
    from graph.reader import ReadPool

    async def run(industry: str) -> tuple[Any, int]:
        pool = ReadPool(connect_async(settings), settings.neo4j_database)
        try:
            context = Context(pool, principal=admin_principal())
            result = await schema.execute(
                CHAIN,
                variable_values={"industry": industry, "region": "US", "first": 50},
                context_value=context,
            )
            return result, context.reader.queries
        finally:
            await pool.close()

    counts = []
    for industry in ("artificial-intelligence", "biomedicine"):
        result, queries = asyncio.run(run(industry))
        assert result.errors is None, result.errors
        assert result.data is not None
        assert len(result.data["talentChain"]["segments"]) >= 5
        counts.append(queries)
    # one id lookup (industry and region batched), industry, segments, topics, 3 rankings
    assert all(q <= 7 for q in counts), counts  # measured: 7 for both


PAGE = """
query ($industry: ID!, $first: Int, $inner: Int, $after: String) {
  talentChain(industry: $industry, first: $first) {
    ... on TalentChain {
      segments {
        segment { id }
        scientists(first: $inner, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } }
        }
        institutions { totalCount edges { node { id } } }
      }
    }
  }
}
"""


def test_ranked_lists_are_cursor_connections(api_url: str) -> None:
    industry, raw = max(busiest_segments(), key=lambda s: len(matching(segment_topics(s[1]))))
    topics = segment_topics(raw)
    evidence = [w[0] for w in rank(scientist_evidence(topics))]
    assert len(evidence) > 7, "the busiest segment has enough scientists to page through"

    def page(inner: int | None, after: str | None, first: int = 2) -> dict[str, Any]:
        variables = {"industry": industry, "first": first, "inner": inner, "after": after}
        body = ask(api_url, PAGE, variables)
        assert "errors" not in body, body
        found: dict[str, Any] = next(
            s for s in body["data"]["talentChain"]["segments"] if s["segment"]["id"] == raw["id"]
        )
        return found

    # The whole list in pages of 50 (the evaluation model's order): what small pages must walk.
    want: list[str] = []
    cursor = None
    while True:
        big = page(50, cursor)["scientists"]
        want += [e["node"]["id"] for e in big["edges"]]
        if not big["pageInfo"]["hasNextPage"]:
            break
        cursor = big["pageInfo"]["endCursor"]
    assert sorted(want) == sorted(evidence)
    # talentChain's `first` is the default page size of every ranked list
    segment = page(None, None, first=2)
    assert [e["node"]["id"] for e in segment["scientists"]["edges"]] == want[:2]
    assert len(segment["institutions"]["edges"]) == min(2, segment["institutions"]["totalCount"])
    # walking the pages with `after` gives the whole ranking, once, in order
    seen: list[str] = []
    after = None
    while True:
        connection = page(3, after)["scientists"]
        assert connection["totalCount"] == len(want)
        seen += [e["node"]["id"] for e in connection["edges"]]
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == want
    # an inner `first` above the maximum is refused
    body = ask(api_url, PAGE, {"industry": industry, "first": 2, "inner": 51, "after": None})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


# Last in the module: it adds works to the loaded graph.
def test_new_works_rerank_the_segment_at_the_derived_step(
    api_url: str, graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    industry, raw = max(busiest_segments(), key=lambda s: len(matching(segment_topics(s[1]))))
    before = rank(scientist_evidence(segment_topics(raw)))
    # A newcomer with enough much-cited works on one of the segment's topics to top it (copies
    # of a matching sample record with new ids, one author and that topic only).
    template = matching(segment_topics(raw))[0]
    [topic] = [t for t in template["topics"] if short_id(t["id"]) in segment_topics(raw)][:1]
    author = {"id": "https://openalex.org/A9999999991", "display_name": "Newcomer Test"}
    cites = [1_000_000 - n for n in range(int(before[0][3] // 7) + 2)]  # ~7 points each
    records = []
    for n, cited in enumerate(cites):
        work = json.loads(json.dumps(template))
        work["id"] = f"https://openalex.org/W9999999{n:03d}"
        work["doi"] = None
        work["ids"] = {"openalex": work["id"]}
        work["cited_by_count"] = cited
        work["authorships"] = [
            {
                **template["authorships"][0],
                "author": author,
                "institutions": [],
                "affiliations": [],
                "raw_affiliation_strings": [],
            }
        ]
        work["primary_topic"] = topic
        work["topics"] = [topic]
        records.append(json.dumps(work))
    path = tmp_path / "newcomer.jsonl"
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    report = load_works(graph, settings, [path], tmp_path / "q")  # with its derived step
    assert report.quarantined == 0

    answer = chain(api_url, industry, None, first=50)
    [segment] = [s for s in answer["segments"] if s["segment"]["id"] == raw["id"]]
    scientists = segment["scientists"]
    assert scientists["totalCount"] == len(before) + 1
    # Ranked by the evidence (its `score` now tops the segment) and placed by the model.
    after = rank(scientist_evidence(segment_topics(raw)))
    assert [w[0] for w in after] == [w[0] for w in before]  # the raw works are unchanged
    newcomer = (author["id"].rsplit("/", 1)[-1], len(cites), sum(cites), score(cites))
    assert_model_order(scientists["edges"], [newcomer, *before])
    [top] = [e for e in scientists["edges"] if e["node"]["id"] == "A9999999991"]
    assert (top["matchingWorks"], top["citations"]) == (len(cites), sum(cites))
    assert top["score"] == pytest.approx(score(cites))
    assert top["segmentScore"] is not None
