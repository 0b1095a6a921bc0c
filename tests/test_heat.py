"""Technology heat: the derived step's numbers against counts made here from works.jsonl and
the taxonomy CSV, over real HTTP (topicHeat, hotTopics); the forecast's backtest on the
OpenAlex counts_by_year series (no database)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import pytest
from neo4j import Driver

from bench.forecast import backtest, read_series
from ingest.derived.forecast import forecast
from tests.conftest import ask, sample_works, short_id

HEAT = """
query ($id: ID!, $from: Int, $to: Int) {
  topicHeat(id: $id, fromYear: $from, toYear: $to) {
    __typename
    ... on TopicHeat {
      id kind source growth acceleration
      years { year works citations share }
      forecast { year works low high }
      heatScore { score kind emerging hot components { name value percentile weight contribution } }
    }
    ... on Failure { message }
  }
}
"""
HOT = """
query ($kind: HotKind, $industry: ID, $first: Int) {
  hotTopics(kind: $kind, industry: $industry, first: $first) {
    __typename
    ... on HotTopicConnection {
      totalCount
      edges { node { id heatScore { score kind emerging hot } } }
    }
    ... on Failure { message }
  }
}
"""


def field_id(topic: dict[str, Any]) -> str:
    return "fields/" + str(topic["field"]["id"]).rsplit("/", 1)[-1]


def topic_years() -> tuple[dict[str, Counter[int]], Counter[int]]:
    by_topic: dict[str, Counter[int]] = defaultdict(Counter)
    totals: Counter[int] = Counter()
    for work in sample_works():
        year = work["publication_year"]
        totals[year] += 1
        for t in {short_id(t["id"]) for t in work.get("topics") or []}:
            by_topic[t][year] += 1
    return by_topic, totals


def test_topic_heat_counts_from_raw_works(graph: Driver, api_url: str) -> None:
    by_topic, totals = topic_years()
    topic, counts = max(by_topic.items(), key=lambda kv: (sum(kv[1].values()), kv[0]))
    end = max(totals)
    body = ask(api_url, HEAT, {"id": topic})
    heat = body["data"]["topicHeat"]
    assert heat["__typename"] == "TopicHeat", body
    assert heat["source"] == "graph" and heat["kind"] == "Topic"
    years = {y["year"]: y for y in heat["years"]}
    assert max(years) == end and len(years) == 15
    for year, y in years.items():
        assert y["works"] == counts.get(year, 0), year
        expected_share = counts.get(year, 0) / totals[year] if totals.get(year) else 0.0
        assert y["share"] == pytest.approx(expected_share, abs=1e-6)
    series = [counts.get(y, 0) for y in range(end - 14, end + 1)]
    recent, previous = sum(series[-3:]), sum(series[-6:-3])
    expected_growth = (recent / previous) ** (1 / 3) - 1 if previous else None
    assert heat["growth"] == (
        pytest.approx(expected_growth) if expected_growth is not None else None
    )
    assert [f["year"] for f in heat["forecast"]] == [end + 1, end + 2, end + 3]
    for f in heat["forecast"]:
        assert f["low"] <= f["works"] <= f["high"]
    score = heat["heatScore"]
    total = sum(c["contribution"] for c in score["components"])
    assert total == pytest.approx(score["score"], abs=1e-5)
    for c in score["components"]:
        assert c["contribution"] == pytest.approx(c["weight"] * c["percentile"], abs=1e-6)
        assert 0 <= c["percentile"] <= 1
    # A window: only the years asked.
    window = ask(api_url, HEAT, {"id": topic, "from": end - 2, "to": end})["data"]["topicHeat"]
    assert [y["year"] for y in window["years"]] == [end - 2, end - 1, end]


def test_field_and_segment_heat(graph: Driver, api_url: str) -> None:
    by_field: Counter[str] = Counter()
    for work in sample_works():
        for f in {field_id(t) for t in work.get("topics") or []}:
            by_field[f] += 1
    field, works = by_field.most_common(1)[0]
    heat = ask(api_url, HEAT, {"id": field})["data"]["topicHeat"]
    assert heat["__typename"] == "TopicHeat", heat
    assert heat["kind"] == "Field"
    first_year = heat["years"][0]["year"]
    in_window = sum(
        1
        for w in sample_works()
        if w["publication_year"] >= first_year
        and field in {field_id(t) for t in w.get("topics") or []}
    )
    assert sum(y["works"] for y in heat["years"]) == in_window <= works
    segment = ask(api_url, HEAT, {"id": "biomedicine/target-discovery"})
    assert segment["data"]["topicHeat"]["__typename"] in ("TopicHeat", "NotFound")
    missing = ask(api_url, HEAT, {"id": "T1"})["data"]["topicHeat"]
    assert missing["__typename"] == "NotFound"
    bad = ask(api_url, HEAT, {"id": "T1", "from": 2020, "to": 2010})["data"]["topicHeat"]
    assert bad["__typename"] == "InvalidRange"


def test_hot_topics_ranked_by_their_kind(graph: Driver, api_url: str) -> None:
    for kind, score in (("HOT", "hot"), ("EMERGING", "emerging")):
        body = ask(api_url, HOT, {"kind": kind, "first": 50})
        page = body["data"]["hotTopics"]
        assert page["__typename"] == "HotTopicConnection", body
        nodes = [e["node"] for e in page["edges"]]
        assert all(n["heatScore"]["kind"] == kind for n in nodes)
        scores = [n["heatScore"][score] for n in nodes]
        assert scores == sorted(scores, reverse=True)
    hot = ask(api_url, HOT, {"kind": "HOT", "first": 100})["data"]["hotTopics"]
    emerging = ask(api_url, HOT, {"kind": "EMERGING", "first": 100})["data"]["hotTopics"]
    assert hot["totalCount"] + emerging["totalCount"] > 0
    assert not {e["node"]["id"] for e in hot["edges"]} & {
        e["node"]["id"] for e in emerging["edges"]
    }
    unknown = ask(api_url, HOT, {"industry": "no-such-industry"})["data"]["hotTopics"]
    assert unknown["__typename"] == "NotFound"


def test_forecast_beats_last_value_on_held_out_institutions() -> None:
    scores = backtest(read_series())
    for kind in ("works", "citations"):
        ours = scores[("institutions", kind, "damped trend (ours)", 0)]
        naive = scores[("institutions", kind, "last value", 0)]
        assert sum(ours.errors) / len(ours.errors) < sum(naive.errors) / len(naive.errors)
        assert 0.75 <= ours.covered / ours.checked <= 0.9


def test_forecast_of_a_steady_series_stays_near_it() -> None:
    predicted = forecast([2020, 2021, 2022, 2023, 2024], [100, 100, 100, 100, 100])
    assert [round(f.value) for f in predicted] == [100, 100, 100]
    assert all(f.low < 100 < f.high for f in predicted)
    assert json.dumps([f.year for f in predicted]) == "[2025, 2026, 2027]"
