"""Technology heat: per topic, subfield, field and chain segment, from the loaded works.

For each node: works per year (a work counts once for each node any of its topics belongs to:
OpenAlex gives a work up to three topics, and its own topic counts do the same), citations
per year (citations the node's works received in that year, from the works' `counts_by_year`),
share of all loaded works that year, growth (annual growth of the last three years' works over
the three years' before: a 3-year CAGR robust to sparse counts; none when there were none
before), acceleration (this year's growth minus last year's), and a 3-year forecast with an
80% interval (ingest/derived/forecast.py).

The heat score ranks two different things apart, each a weighted sum of percentiles among
the nodes of the same level (topics with topics, segments with segments) that had works in the
last three years:

- EMERGING: acceleration (0.35), growth (0.30), young authors (0.20: the share of the recent
  works' authors whose first work in the graph is at most 10 years old), smallness (0.15: one
  minus the size percentile). A node is EMERGING when it grows and sits in the smaller half.
- HOT: size (0.60: works in the last three years), growth (0.40). HOT when it grows and sits
  in the larger half.

`heat_score` is the score of the node's kind (the emerging score for the others); both scores
and every component (raw value, percentile, weight) are stored, so the answer explains itself.

The window ends at the latest publication year among the loaded works and covers the 15 years
before it. Source: "graph" (the loaded works: a partial graph understates the world), or
"openalex" for a node whose world counts per year `talentmap ingest openalex-counts` fetched
(ingest/openalex/counts.py: each topic, subfield, field and segment by its own filter, so a
work with several of a node's topics counts once there).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.unit_of_work import Writer
from graph.write import heat as heat_write
from ingest.derived.forecast import Forecast, acceleration, forecast, window_growth
from schema.labels import Label

WINDOW = 15
RECENT = 3
YOUNG_YEARS = 10
SOURCE = "graph"

EMERGING_WEIGHTS: dict[str, float] = {
    "acceleration": 0.35,
    "growth": 0.30,
    "young_authors": 0.20,
    "smallness": 0.15,
}
HOT_WEIGHTS: dict[str, float] = {"size": 0.60, "growth": 0.40}
COMPONENTS = ("size", "growth", "acceleration", "young_authors", "smallness")


@dataclass
class Tally:
    works: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    citations: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    recent_authors: set[str] = field(default_factory=set)


def percentiles(values: Mapping[str, float | None]) -> dict[str, float]:
    """The share of the others each value is above (ties count half), in [0, 1]; a missing
    value is at 0. The mid-rank definition the tests recompute."""
    present = sorted(v for v in values.values() if v is not None)
    n = len(values)
    out: dict[str, float] = {}
    for key, value in values.items():
        if value is None or n <= 1:
            out[key] = 0.0
            continue
        below = _count_below(present, value)
        equal = _count_below(present, value, strict=False) - below
        out[key] = (below + (equal - 1) / 2) / (n - 1)
    return out


def _count_below(ordered: Sequence[float], value: float, *, strict: bool = True) -> int:
    return (bisect.bisect_left if strict else bisect.bisect_right)(ordered, value)


def tally(
    works: Iterable[Mapping[str, Any]],
    first_years: Mapping[str, int],
    groups_of_topic: Mapping[str, Sequence[tuple[Label, str]]],
    end: int,
) -> tuple[dict[tuple[Label, str], Tally], dict[int, int]]:
    """Per node: works and citations by year, and the authors of its recent works; and all
    works by year (the shares' denominator)."""
    tallies: dict[tuple[Label, str], Tally] = defaultdict(Tally)
    totals: dict[int, int] = defaultdict(int)
    start = end - WINDOW + 1
    for work in works:
        year = int(work["year"])
        if year > end:
            continue
        nodes = {node for t in work["topics"] for node in groups_of_topic.get(t, ())}
        if year >= start:
            totals[year] += 1
        for node in nodes:
            t = tallies[node]
            if year >= start:
                t.works[year] += 1
            for cy, cc in zip(work["citation_years"], work["citation_counts"], strict=False):
                if start <= cy <= end:
                    t.citations[int(cy)] += int(cc)
            if year > end - RECENT:
                t.recent_authors.update(a for a in work["authors"] if a in first_years)
    return tallies, totals


# The world's counts per level: {label: {id: its works, all works and citations by year}}.
World = Mapping[Label, Mapping[str, heat_write.WorldCounts]]


def compute_heat(
    works: Iterable[Mapping[str, Any]],
    first_years: Mapping[str, int],
    taxonomy: Iterable[Mapping[str, Any]],
    segments: Iterable[Mapping[str, Any]],
    end: int | None = None,
    world: World | None = None,
) -> dict[Label, list[dict[str, Any]]]:
    """Rows {id, props} per label for graph.write.heat; the window ends at `end` (default: the
    latest year of the works). A node in `world` (its works and all works per year, from the
    OpenAlex API) takes its works and shares from there (`heat_source: openalex`), and its
    citations too when they were fetched."""
    works = list(works)
    if not works:
        return {label: [] for label in heat_write.HEAT_LABELS}
    if end is None:
        end = max(int(w["year"]) for w in works)
    groups: dict[str, list[tuple[Label, str]]] = defaultdict(list)
    for row in taxonomy:
        groups[row["topic"]] += [
            (Label.TOPIC, row["topic"]),
            (Label.SUBFIELD, row["subfield"]),
            (Label.FIELD, row["field"]),
        ]
    for seg in segments:
        for t in set(seg["topics"]):
            groups[t].append((Label.CHAIN_SEGMENT, seg["segment"]))
    tallies, totals = tally(works, first_years, groups, end)
    years = list(range(end - WINDOW + 1, end + 1))
    out: dict[Label, list[dict[str, Any]]] = {}
    for label in heat_write.HEAT_LABELS:
        nodes = {key: t for (lab, key), t in tallies.items() if lab == label}
        series: dict[str, Series] = {}
        for key, t in nodes.items():
            counted = world.get(label, {}).get(key) if world else None
            series[key] = (
                _world_series(counted, years)
                if counted
                else Series([t.works.get(y, 0) for y in years], [totals.get(y, 0) for y in years])
            )
        out[label] = _score_level(nodes, series, years, first_years, end)
    return out


@dataclass(frozen=True)
class Series:
    """A node's works per year over the window, all works per year (the shares'
    denominator), and where they come from."""

    works: list[int]
    totals: list[int]
    source: str = SOURCE
    citations: list[int] | None = None  # the world's, when fetched; else the tally's

    @property
    def share(self) -> list[float]:
        return [round(w / n, 6) if n else 0.0 for w, n in zip(self.works, self.totals, strict=True)]


def _world_series(counted: heat_write.WorldCounts, years: list[int]) -> Series:
    works, totals, cited = counted.works, counted.totals, counted.citations
    return Series(
        [works.get(y, 0) for y in years],
        [totals.get(y, 0) for y in years],
        "openalex",
        None if cited is None else [cited.get(y, 0) for y in years],
    )


def _score_level(
    nodes: Mapping[str, Tally],
    series: Mapping[str, Series],
    years: list[int],
    first_years: Mapping[str, int],
    end: int,
) -> list[dict[str, Any]]:
    raw: dict[str, dict[str, float | None]] = {}
    for key, t in nodes.items():
        works = series[key].works
        authors = t.recent_authors
        young = (
            sum(1 for a in authors if first_years[a] >= end - YOUNG_YEARS) / len(authors)
            if authors
            else None
        )
        raw[key] = {
            "size": float(sum(works[-RECENT:])),
            "growth": window_growth(works),
            "acceleration": acceleration(works),
            "young_authors": young,
        }
    # Only nodes with recent works compete; the others are scored against them at 0.
    active = [k for k in raw if (raw[k]["size"] or 0) > 0]
    pct: dict[str, dict[str, float]] = {}
    for name in ("size", "growth", "acceleration", "young_authors"):
        pct[name] = percentiles({k: raw[k][name] for k in active})
    rows = []
    for key, t in nodes.items():
        p = {name: pct[name].get(key, 0.0) for name in pct}
        p["smallness"] = 1.0 - p["size"] if key in pct["size"] else 0.0
        rows.append(
            {"id": key, "props": _props(series[key], t, years, raw[key], p, key in pct["size"])}
        )
    return rows


def _props(
    s: Series,
    t: Tally,
    years: list[int],
    raw: Mapping[str, float | None],
    p: Mapping[str, float],
    active: bool,
) -> dict[str, Any]:
    """The heat_* properties of one node."""
    values = dict(raw)
    values["smallness"] = values["size"]
    emerging = sum(w * p[n] for n, w in EMERGING_WEIGHTS.items())
    hot = sum(w * p[n] for n, w in HOT_WEIGHTS.items())
    # New (no works in the three years before, some now) counts as growing.
    growth = raw["growth"]
    growing = growth > 0 if growth is not None else sum(s.works[-RECENT:]) > 0
    kind = None
    if growing and active:
        kind = "HOT" if p["size"] >= 0.5 else "EMERGING"
    predicted = forecast(years, s.works)
    return {
        "heat_years": years,
        "heat_works": s.works,
        "heat_citations": (
            s.citations if s.citations is not None else [t.citations.get(y, 0) for y in years]
        ),
        "heat_share": s.share,
        "heat_growth": raw["growth"],
        "heat_acceleration": raw["acceleration"],
        "heat_forecast_years": [f.year for f in predicted],
        "heat_forecast_works": [round(f.value, 3) for f in predicted],
        "heat_forecast_low": [round(f.low, 3) for f in predicted],
        "heat_forecast_high": [round(f.high, 3) for f in predicted],
        "heat_kind": kind,
        "heat_score": round(hot if kind == "HOT" else emerging, 6),
        "heat_emerging": round(emerging, 6),
        "heat_hot": round(hot, 6),
        "heat_component_names": list(COMPONENTS),
        "heat_component_values": [
            # Neo4j lists hold no nulls: a missing value is NaN there.
            float(v) if (v := values[n]) is not None else math.nan
            for n in COMPONENTS
        ],
        "heat_component_percentiles": [round(p[n], 6) for n in COMPONENTS],
        "heat_source": s.source,
    }


@dataclass(frozen=True)
class RegionPart:
    """A region's part of a node's heat: its works and citations per year, its share of the
    node's works (all loaded works about it) each year, growth, acceleration, forecast."""

    years: list[int]
    works: list[int]
    citations: list[int]
    share: list[float]
    growth: float | None
    acceleration: float | None
    forecast: list[Forecast]


def region_part(
    works: Iterable[Mapping[str, Any]],
    topics: Sequence[str],
    years: Sequence[int],
    node_works: Sequence[int],
) -> RegionPart:
    """The region's part over the node's heat window `years` (its works per year
    `node_works`), from the region's works about the node's `topics`: the derived step's tally
    with the region's works for the loaded ones."""
    node = (Label.TOPIC, "node")
    tallies, _ = tally(works, {}, {t: [node] for t in topics}, years[-1])
    counted = tallies.get(node, Tally())
    series = [counted.works.get(y, 0) for y in years]
    return RegionPart(
        years=list(years),
        works=series,
        citations=[counted.citations.get(y, 0) for y in years],
        share=[round(w / n, 6) if n else 0.0 for w, n in zip(series, node_works, strict=True)],
        growth=window_growth(series),
        acceleration=acceleration(series),
        forecast=forecast(years, series),
    )


def ranked_topics(
    rows: Iterable[Mapping[str, Any]], kind: str | None, keep: frozenset[str] | None
) -> list[Mapping[str, Any]]:
    """Topic rows of `compute_heat` as hotTopics ranks the stored ones: of `kind` only when
    given, by that kind's score (the emerging score without one), then id; only the topics in
    `keep` when given (an industry's)."""
    score = "heat_hot" if kind == "HOT" else "heat_emerging"
    chosen = [
        r
        for r in rows
        if (kind is None or r["props"]["heat_kind"] == kind) and (keep is None or r["id"] in keep)
    ]
    return sorted(chosen, key=lambda r: (-float(r["props"][score]), str(r["id"])))


def derive_heat(writer: Writer) -> int:
    """Recompute the heat of every topic, subfield, field and segment; the nodes scored."""
    inputs = writer(heat_write.heat_inputs)
    rows = compute_heat(
        inputs.works, inputs.first_years, inputs.taxonomy, inputs.segments, world=inputs.world
    )
    for label, label_rows in rows.items():
        writer(heat_write.write_heat, label, label_rows)
    return sum(len(r) for r in rows.values())
