"""A region's part of a node's heat (`topicHeat(id, region)` → `inRegion`) over the real API
against the demo graph, checked against counts computed here from the raw works.jsonl and the
ROR JSON (which places institutions in countries), without the code under test: a work counts
for the region when one of its authorships' institutions is in it, for a subfield when one of
its topics is in that subfield."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.conftest import ask
from tests.test_api_cooperation import REGION, countries_of, institutions_of, works, year

HEAT = """
query ($id: ID!, $region: ID, $from: Int, $to: Int) {
  topicHeat(id: $id, region: $region, fromYear: $from, toYear: $to) {
    __typename
    ... on TopicHeat {
      id years { year works }
      inRegion {
        regionId years { year works citations share } growth acceleration
        forecast { year works low high }
      }
    }
    ... on NotFound { id message }
    ... on InvalidId { id message }
    ... on InvalidRange { argument message }
  }
}
"""


def subfields_of(work: dict[str, Any]) -> set[str]:
    return {
        "subfields/" + t["subfield"]["id"].rstrip("/").rsplit("/", 1)[-1]
        for t in work.get("topics") or []
        if t.get("subfield")
    }


def in_region(work_id: str) -> bool:
    return any(REGION in countries_of(k) for k in institutions_of()[work_id])


def busiest_subfield(years: list[int] | None = None) -> str:
    """The subfield with the most works of the region (in `years`, if given; ties: id)."""
    counts: Counter[str] = Counter()
    for work_id, work in works().items():
        if in_region(work_id) and (years is None or year(work_id) in years):
            counts.update(subfields_of(work))
    return min(counts, key=lambda s: (-counts[s], s))


@pytest.fixture(scope="module")
def subfield(api_url: str) -> str:
    """The busiest subfield of the region in the heat window (the same years for every node:
    the 15 years up to the newest loaded work)."""
    heat = ask(api_url, HEAT, {"id": busiest_subfield()})["data"]["topicHeat"]
    return busiest_subfield([y["year"] for y in heat["years"]])


def expected(subfield: str, years: list[int]) -> tuple[list[int], list[int]]:
    """The region's works about the subfield per year, and the citations they received each
    year (works published up to the window's end)."""
    end = years[-1]
    by_year: Counter[int] = Counter()
    cited: Counter[int] = Counter()
    for work_id, work in works().items():
        if year(work_id) > end or not in_region(work_id) or subfield not in subfields_of(work):
            continue
        by_year[year(work_id)] += 1
        for c in work.get("counts_by_year") or []:
            cited[int(c["year"])] += int(c["cited_by_count"])
    return [by_year[y] for y in years], [cited[y] for y in years]


def cagr(series: list[int]) -> float | None:
    before, recent = sum(series[-6:-3]), sum(series[-3:])
    return None if before == 0 else (recent / before) ** (1 / 3) - 1


def test_a_region_part_matches_the_raw_works(api_url: str, subfield: str) -> None:
    heat = ask(api_url, HEAT, {"id": subfield, "region": REGION})["data"]["topicHeat"]
    assert heat["__typename"] == "TopicHeat", heat
    years = [y["year"] for y in heat["years"]]
    node_works = [y["works"] for y in heat["years"]]
    want_works, want_cited = expected(subfield, years)
    assert sum(want_works) >= 3, "the sample has a subfield with several works of the region"
    part = heat["inRegion"]
    assert part["regionId"] == REGION
    assert [y["year"] for y in part["years"]] == years
    assert [y["works"] for y in part["years"]] == want_works
    assert [y["citations"] for y in part["years"]] == want_cited
    for got, w, n in zip(part["years"], want_works, node_works, strict=True):
        assert w <= n  # the region's works are among the node's
        assert abs(got["share"] - (w / n if n else 0.0)) < 1e-6
    want_growth = cagr(want_works)
    if want_growth is None:
        assert part["growth"] is None
    else:
        assert abs(part["growth"] - want_growth) < 1e-9
    assert [f["year"] for f in part["forecast"]] == [years[-1] + 1, years[-1] + 2, years[-1] + 3]
    assert all(f["low"] <= f["works"] <= f["high"] for f in part["forecast"])


def test_a_window_and_no_region(api_url: str, subfield: str) -> None:
    whole = ask(api_url, HEAT, {"id": subfield, "region": REGION})["data"]["topicHeat"]
    end = whole["years"][-1]["year"]
    window = ask(api_url, HEAT, {"id": subfield, "region": REGION, "from": end - 2, "to": end})
    part = window["data"]["topicHeat"]["inRegion"]
    assert part["years"] == whole["inRegion"]["years"][-3:]
    plain = ask(api_url, HEAT, {"id": subfield})["data"]["topicHeat"]
    assert plain["inRegion"] is None and plain["years"] == whole["years"]


def test_unknown_and_malformed_regions(api_url: str, subfield: str) -> None:
    missing = ask(api_url, HEAT, {"id": subfield, "region": "cn/nowhere"})["data"]["topicHeat"]
    assert missing["__typename"] == "NotFound" and missing["id"] == "cn/nowhere"
    bad = ask(api_url, HEAT, {"id": subfield, "region": "no such place!"})["data"]["topicHeat"]
    assert bad["__typename"] == "InvalidId", bad


HOT = """
query ($region: ID, $kind: HotKind, $industry: ID, $first: Int) {
  hotTopics(region: $region, kind: $kind, industry: $industry, first: $first) {
    __typename
    ... on HotTopicConnection {
      totalCount
      edges { node { id years { year works share } heatScore { kind emerging hot } } }
    }
    ... on Failure { message }
  }
}
"""


def topic_ids(work: dict[str, Any]) -> set[str]:
    return {t["id"].rstrip("/").rsplit("/", 1)[-1] for t in work.get("topics") or []}


def test_hot_topics_of_a_region_from_its_works_alone(api_url: str) -> None:
    page = ask(api_url, HOT, {"region": REGION, "first": 100})["data"]["hotTopics"]
    assert page["__typename"] == "HotTopicConnection", page
    nodes = [e["node"] for e in page["edges"]]
    assert nodes
    years = [y["year"] for y in nodes[0]["years"]]
    mine = {w: work for w, work in works().items() if in_region(w) and year(w) <= years[-1]}
    # Every topic of the region's works up to the window's end, and only those.
    assert page["totalCount"] == len({t for work in mine.values() for t in topic_ids(work)})
    totals = Counter(year(w) for w in mine)
    for node in nodes:
        counts = Counter(year(w) for w, work in mine.items() if node["id"] in topic_ids(work))
        assert [y["works"] for y in node["years"]] == [counts[y] for y in years], node["id"]
        for y in node["years"]:  # shares of the region's own works
            want = counts[y["year"]] / totals[y["year"]] if totals[y["year"]] else 0.0
            assert abs(y["share"] - want) < 1e-6
    emerging = [n["heatScore"]["emerging"] for n in nodes]
    assert emerging == sorted(emerging, reverse=True)
    kinds = {}
    for kind in ("HOT", "EMERGING"):
        ranked = ask(api_url, HOT, {"region": REGION, "kind": kind, "first": 100})
        found = [e["node"] for e in ranked["data"]["hotTopics"]["edges"]]
        assert all(n["heatScore"]["kind"] == kind for n in found)
        scores = [n["heatScore"][kind.lower()] for n in found]
        assert scores == sorted(scores, reverse=True)
        kinds[kind] = {n["id"] for n in found}
    assert kinds["HOT"] and not kinds["HOT"] & kinds["EMERGING"]
    # An industry keeps its segments' topics: a subset of the region's.
    industry = ask(api_url, HOT, {"region": REGION, "industry": "biomedicine", "first": 100})
    assert industry["data"]["hotTopics"]["totalCount"] <= page["totalCount"]
    missing = ask(api_url, HOT, {"region": "cn/nowhere"})["data"]["hotTopics"]
    assert missing["__typename"] == "NotFound"
