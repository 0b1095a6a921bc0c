"""The evaluation model: the scoring function's properties (no database), then the derived
step's numbers against values computed here from works.jsonl, over real HTTP (evaluation,
Scientist.evaluation), and a changed model re-scoring everyone under a new version."""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from typing import Any

import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.derived.evaluation import (
    COMPONENTS,
    DEFAULT_MODEL,
    Model,
    Raw,
    derive_evaluation,
    load_model,
    parse_model,
    score_field,
)
from schema.settings import Settings
from tests.conftest import ask, rows, sample_works, short_id
from tests.test_api_facets import latest_countries

EVALUATION = """
query ($id: ID!, $segment: ID) {
  evaluation(scientist: $id, segment: $segment) {
    __typename
    ... on Evaluation {
      score scorePercentile tier modelVersion field fieldName fieldNameZh segment
      components { name value percentile weight contribution description }
    }
    ... on Failure { message }
  }
}
"""
SCIENTIST = """
query ($id: ID!, $segment: ID) {
  scientist(id: $id) {
    ... on Scientist { evaluation(segment: $segment) { ... on Evaluation { score modelVersion } } }
  }
}
"""


def mid_rank(values: dict[str, float]) -> dict[str, float]:
    """Share of the others below each value, ties counting half: written out, not imported."""
    n = len(values)
    return {
        k: (
            sum(1 for o in values.values() if o < v)
            + (sum(1 for o in values.values() if o == v) - 1) / 2
        )
        / (n - 1)
        if n > 1
        else 0.0
        for k, v in values.items()
    }


def population(seed: int, size: int = 40) -> dict[str, Raw]:
    rng = random.Random(seed)
    return {
        f"s{i}": Raw(
            {
                "impact": rng.choice([0.0, 0.5, 1.0, 1.5, 3.0]) * rng.random(),
                "citation_percentile": rng.choice([0.5, rng.random()]),
                "output": float(rng.randint(1, 30)),
                "momentum": rng.choice([0.0, 0.2, 0.5, 1.0]),
                "leadership": rng.random(),
                "collaboration": float(rng.randint(1, 12)),
                "career_age": float(rng.randint(1, 40)),
            },
            "fields/17",
            rng.randint(1, 30),
            rng.choice([0.0, 0.5]),
        )
        for i in range(size)
    }


def with_weights(text: str, **weights: float) -> bytes:
    """The model file with some components' weights replaced (line by line, as a person edits)."""
    lines = text.splitlines()
    out, current = [], None
    for line in lines:
        stripped = line.strip()
        if line.startswith("  ") and not line.startswith("    ") and stripped.endswith(":"):
            current = stripped[:-1]
        if stripped.startswith("weight:") and current in weights:
            line = line.split("weight:")[0] + f"weight: {weights[current]}"
        out.append(line)
    return ("\n".join(out) + "\n").encode()


def test_components_add_up_to_the_score() -> None:
    model = load_model()
    for seed in range(5):
        for scored in score_field(population(seed), model).values():
            total = sum(model.weights[n] * scored.percentiles[n] for n in COMPONENTS)
            assert total == pytest.approx(scored.score)
            assert 0 <= scored.score <= 1


def test_more_normalised_citations_never_lower_the_score() -> None:
    model = load_model()
    for seed in range(20):
        people = population(seed)
        before = score_field(people, model)
        who = random.Random(seed).choice(sorted(people))
        for bump in (0.01, 0.5, 10.0):
            raised = dict(people)
            old = people[who]
            raised[who] = Raw(
                {**old.values, "impact": old.values["impact"] + bump},
                old.field,
                old.works,
                old.industry_share,
            )
            after = score_field(raised, model)
            assert after[who].score >= before[who].score - 1e-12, (seed, bump)


def test_a_changed_weight_changes_the_version_and_the_scores() -> None:
    text = DEFAULT_MODEL.read_text(encoding="utf-8")
    base = parse_model(text.encode())
    changed = parse_model(with_weights(text, impact=0.15, output=0.25))
    assert changed.weights["impact"] == 0.15 and changed.weights["output"] == 0.25
    assert changed.version != base.version
    assert changed.version.split("+")[0] == base.version.split("+")[0]  # same `version:` line
    people = population(1)
    a, b = score_field(people, base), score_field(people, changed)
    assert any(a[k].score != pytest.approx(b[k].score) for k in people)
    with pytest.raises(ValueError, match="add up to 1"):
        parse_model(with_weights(text, impact=0.9))


# From here on, against the sample in the graph.


def primary(work: dict[str, Any]) -> dict[str, Any] | None:
    topics = work.get("topics") or []
    marked = (work.get("primary_topic") or {}).get("id")
    if not topics:
        return None
    best: dict[str, Any] = min(
        topics, key=lambda t: (t["id"] != marked, -t["score"], short_id(t["id"]))
    )
    return best


def fwci_of(work: dict[str, Any]) -> float | None:
    """The record's FWCI unless it is the 0 OpenAlex stores on a cited work it computed none
    for (arXiv preprints, works older than its citation-year data)."""
    fwci = work.get("fwci")
    if fwci is None or (fwci == 0 and work["cited_by_count"] > 0):
        return None
    return float(fwci)


def percentile_of(mine: dict[str, dict[str, Any]]) -> float:
    """The mean of the records' citation_normalized_percentile values, 0.5 without any."""
    found = [
        float(p["value"]) for w in mine.values() if (p := w.get("citation_normalized_percentile"))
    ]
    return sum(found) / len(found) if found else 0.5


def collaboration_of(mine: dict[str, dict[str, Any]], author: str) -> float:
    """Distinct institutions and countries on the works, plus log2(1 + distinct co-authors)."""
    institutions, countries, coauthors = set(), set(), set()
    for w in mine.values():
        for a in w["authorships"]:
            other = short_id((a.get("author") or {}).get("id") or "")
            if other and other != author:
                coauthors.add(other)
            for i in a.get("institutions") or []:
                institutions.add(short_id(i["id"]))
                if i.get("country_code"):
                    countries.add(i["country_code"])
    return len(institutions) + len(countries) + math.log2(1 + len(coauthors))


def expected_raw() -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Per author (short id): output, career age, momentum, impact, collaboration; and the
    main field."""
    works = sample_works()
    end = max(w["publication_year"] for w in works)
    base: dict[tuple[str, int], list[float]] = defaultdict(list)
    field_base: dict[tuple[str, int], list[float]] = defaultdict(list)
    year_base: dict[int, list[float]] = defaultdict(list)
    for w in works:
        year_base[w["publication_year"]].append(w["cited_by_count"])
        if (t := primary(w)) is not None:
            base[(t["id"], w["publication_year"])].append(w["cited_by_count"])
            field_base[(t["field"]["id"], w["publication_year"])].append(w["cited_by_count"])
    by_author: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for w in works:
        for a in w["authorships"]:
            if (a.get("author") or {}).get("id"):
                by_author[short_id(a["author"]["id"])][w["id"]] = w
    raw, fields = {}, {}
    for author, mine in by_author.items():
        impacts = []
        counted: Counter[str] = Counter()
        for w in mine.values():
            t = primary(w)
            if t is not None:
                counted["fields/" + short_id(t["field"]["id"])] += 1
            if (fwci := fwci_of(w)) is not None:
                impacts.append(fwci)
                continue
            year = w["publication_year"]
            pool = base[(t["id"], year)] if t else []
            if len(pool) < 3 and t:
                pool = field_base[(t["field"]["id"], year)]
            if len(pool) < 3:
                pool = year_base[year]
            mean = sum(pool) / len(pool)
            impacts.append(w["cited_by_count"] / mean if mean else 1.0)
        years = [w["publication_year"] for w in mine.values()]
        raw[author] = {
            "output": float(len(mine)),
            "career_age": float(end - min(years) + 1),
            "momentum": sum(1 for y in years if y > end - 5) / len(years),
            "impact": sum(impacts) / len(impacts),
            "citation_percentile": percentile_of(mine),
            "collaboration": collaboration_of(mine, author),
        }
        if counted:
            fields[author] = min(counted, key=lambda f: (-counted[f], f))
    return raw, fields


def test_stored_components_and_percentiles_match_the_raw_works(
    graph: Driver, settings: Settings
) -> None:
    raw, fields = expected_raw()
    stored = {
        r["id"]: r
        for r in rows(
            graph,
            settings,
            "MATCH (s:Scientist) WHERE s.eval_score IS NOT NULL RETURN s.id AS id, "
            "s.eval_field AS field, s.eval_values AS v, s.eval_percentiles AS p",
        )
    }
    assert set(stored) == set(fields)
    assert all(stored[a]["field"] == f for a, f in fields.items())
    index = {n: i for i, n in enumerate(COMPONENTS)}
    by_field: dict[str, list[str]] = defaultdict(list)
    for author, f in fields.items():
        by_field[f].append(author)
    for name in (
        "output",
        "career_age",
        "momentum",
        "impact",
        "citation_percentile",
        "collaboration",
    ):
        for members in by_field.values():
            pct = mid_rank({a: round(raw[a][name], 6) for a in members})
            for a in members:
                values, percentiles = stored[a]["v"], stored[a]["p"]
                assert values[index[name]] == pytest.approx(raw[a][name], abs=1e-5), (a, name)
                assert percentiles[index[name]] == pytest.approx(pct[a], abs=1e-6), (a, name)


def biggest_field_top() -> str:
    raw, fields = expected_raw()
    field = Counter(fields.values()).most_common(1)[0][0]
    return max((a for a, f in fields.items() if f == field), key=lambda a: (raw[a]["output"], a))


def test_evaluation_explains_itself(graph: Driver, api_url: str) -> None:
    author = biggest_field_top()
    body = ask(api_url, EVALUATION, {"id": author})
    e = body["data"]["evaluation"]
    assert e["__typename"] == "Evaluation", body
    assert e["modelVersion"] == load_model().version
    assert sum(c["contribution"] for c in e["components"]) == pytest.approx(e["score"], abs=1e-5)
    assert sum(c["weight"] for c in e["components"]) == pytest.approx(1.0)
    for c in e["components"]:
        assert c["contribution"] == pytest.approx(c["weight"] * c["percentile"], abs=1e-6)
        assert c["description"]
    assert e["tier"] in (None, "TOP", "LEADING", "YOUNG", "ENGINEER")
    same = ask(api_url, SCIENTIST, {"id": author})["data"]["scientist"]["evaluation"]
    assert same == {"score": e["score"], "modelVersion": e["modelVersion"]}


# Yonghui Wu: one arXiv preprint in the sample (GNMT, W2525778437) with 5,625 citations, an
# FWCI of 0.0 (OpenAlex computed none) and no institution on any of its 31 authorships. Before
# the fix, impact and collaboration were 0: the bottom of Computer Science.
PREPRINT_AUTHOR = "A5010253402"


def test_a_cited_preprint_without_institutions_is_not_scored_zero(
    graph: Driver, api_url: str
) -> None:
    raw, fields = expected_raw()
    mine = [
        w
        for w in sample_works()
        if any(
            short_id((a.get("author") or {}).get("id") or "") == PREPRINT_AUTHOR
            for a in w["authorships"]
        )
    ]
    assert [(w["fwci"], w["cited_by_count"], len(w["authorships"])) for w in mine] == [
        (0.0, 5625, 31)
    ]
    assert not any(a["institutions"] for a in mine[0]["authorships"])
    body = ask(api_url, EVALUATION, {"id": PREPRINT_AUTHOR})
    e = body["data"]["evaluation"]
    assert e["__typename"] == "Evaluation", body
    parts = {c["name"]: c for c in e["components"]}
    field_people = [a for a, f in fields.items() if f == fields[PREPRINT_AUTHOR]]
    for name in ("impact", "collaboration"):
        pct = mid_rank({a: round(raw[a][name], 6) for a in field_people})[PREPRINT_AUTHOR]
        assert parts[name]["value"] == pytest.approx(raw[PREPRINT_AUTHOR][name], abs=1e-5)
        assert parts[name]["percentile"] == pytest.approx(pct, abs=1e-6)
    # Against the sample's works of 2016 (two: this one and one cited 12 times; its topic and
    # field have fewer than 3 that year): about 2.0, no longer 0.
    assert parts["impact"]["value"] == pytest.approx(5625 / ((5625 + 12) / 2), abs=1e-5)
    assert parts["collaboration"]["value"] == pytest.approx(math.log2(31), abs=1e-5)
    assert parts["collaboration"]["percentile"] > 0
    # No citation_normalized_percentile on the preprint's record: the middle, not the bottom.
    assert "citation_normalized_percentile" not in mine[0] or not mine[0].get(
        "citation_normalized_percentile"
    )
    assert parts["citation_percentile"]["value"] == 0.5
    # The score card's field: its name, not "fields/17" (the taxonomy has no Chinese names).
    field = (primary(mine[0]) or {})["field"]
    assert e["field"] == "fields/" + short_id(field["id"])
    assert (e["fieldName"], e["fieldNameZh"]) == (field["display_name"], None)


def test_segment_evaluation_adds_segment_fit(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    ranked = rows(
        graph,
        settings,
        "MATCH (s:Scientist)-[r:RANKED_IN]->(seg:ChainSegment) WHERE s.eval_score IS NOT NULL "
        "RETURN s.id AS s, seg.id AS seg, r.works AS works, "
        "COUNT { (s)-[:AUTHORED]->(w:Work) WHERE NOT coalesce(w.stub, false) } AS total "
        "ORDER BY r.works DESC, s.id, seg.id LIMIT 1",
    )
    assert ranked, "no scientist is ranked in any segment on the sample"
    r = ranked[0]
    body = ask(api_url, EVALUATION, {"id": r["s"], "segment": r["seg"]})
    e = body["data"]["evaluation"]
    assert e["__typename"] == "Evaluation", body
    assert e["segment"] == r["seg"]
    parts = {c["name"]: c for c in e["components"]}
    fit = parts["segment_fit"]
    assert fit["value"] == pytest.approx(r["works"] ** 2 / r["total"], abs=1e-5)
    assert fit["weight"] == pytest.approx(load_model().segment_fit_weight)
    assert sum(c["weight"] for c in e["components"]) == pytest.approx(1.0)
    assert sum(c["contribution"] for c in e["components"]) == pytest.approx(e["score"], abs=1e-5)
    for body, kind in (
        (ask(api_url, EVALUATION, {"id": "A1"}), "NotFound"),
        (ask(api_url, EVALUATION, {"id": "not an id"}), "InvalidId"),
        (ask(api_url, EVALUATION, {"id": r["s"], "segment": "no/such"}), "NotFound"),
    ):
        assert body["data"]["evaluation"]["__typename"] == kind, body


def test_a_changed_model_rescores_everyone_under_its_version(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    writer = Writer(graph, settings.neo4j_database)
    author = biggest_field_top()
    before = ask(api_url, EVALUATION, {"id": author})["data"]["evaluation"]
    scientists = len(expected_raw()[1])
    stored = (
        "MATCH (s:Scientist) WHERE s.eval_score IS NOT NULL RETURN s.id AS id, s.eval_score AS "
        "score, s.eval_tier AS tier, s.eval_rising AS rising, s.eval_percentiles AS pct, "
        "s.eval_version AS version ORDER BY id"
    )
    shipped = rows(graph, settings, stored)
    changed: Model = parse_model(
        with_weights(DEFAULT_MODEL.read_text(encoding="utf-8"), impact=0.05, output=0.35)
    )
    started = time.perf_counter()
    assert derive_evaluation(writer, changed) >= scientists
    print(f"\nfull re-evaluation of the sample: {time.perf_counter() - started:.2f} s")
    assert derive_evaluation(writer, changed) == 0  # nothing due the second time
    after = ask(api_url, EVALUATION, {"id": author})["data"]["evaluation"]
    assert after["modelVersion"] == changed.version != before["modelVersion"]
    weights = {c["name"]: c["weight"] for c in after["components"]}
    assert weights["impact"] == 0.05 and weights["output"] == 0.35
    assert after["score"] != pytest.approx(before["score"])
    versions = rows(
        graph,
        settings,
        "MATCH (s:Scientist) WHERE s.eval_score IS NOT NULL RETURN DISTINCT s.eval_version AS v",
    )
    assert versions == [{"v": changed.version}]
    # The shipped model again: the next derived step finds everyone stale and re-scores. With
    # a few rows per transaction (every field's scores over several chunks), the same scores.
    assert derive_evaluation(writer, chunk=37, write_chunk=7) >= scientists
    assert rows(graph, settings, stored) == shipped


SEARCH = """
query ($filter: ScientistFilter, $after: String) {
  searchScientists(filter: $filter, sort: SCORE, first: 100, after: $after) {
    ... on ScientistSearchConnection {
      totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
    }
    ... on Failure { message }
  }
}
"""


def search_ids(api_url: str, filter: dict[str, Any] | None) -> tuple[int, list[str]]:
    """The total and the first page of 100."""
    body = ask(api_url, SEARCH, {"filter": filter, "after": None})
    page = (body.get("data") or {}).get("searchScientists") or {}
    assert "edges" in page, body
    return page["totalCount"], [e["node"]["id"] for e in page["edges"]]


def test_search_sorts_by_the_model_and_filters_by_tier(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    stored = rows(
        graph,
        settings,
        "MATCH (s:Scientist) RETURN s.id AS id, s.eval_score AS score, s.eval_tier AS tier",
    )
    score = {r["id"]: r["score"] for r in stored}
    scored = sorted((r["score"] for r in stored if r["score"] is not None), reverse=True)
    total, found = search_ids(api_url, None)
    assert total == len(stored) and len(found) == min(100, total)
    # Highest score first (ties by id), the people without one after everyone scored.
    assert [score[i] for i in found] == scored[: len(found)]
    assert found == sorted(found, key=lambda i: (-score[i], i))
    tiers = Counter(r["tier"] for r in stored if r["tier"])
    assert tiers, "the sample has no tiered scientist"
    for tier, count in tiers.items():
        total, ids = search_ids(api_url, {"tier": tier})
        assert total == len(ids) == count
        assert all(next(r["tier"] for r in stored if r["id"] == i) == tier for i in ids)
        assert ids == sorted(ids, key=lambda i: (-score[i], i))


CHAIN = """
query ($industry: ID!) {
  talentChain(industry: $industry, first: 50) {
    ... on TalentChain { segments {
      segment { id }
      heat { id growth years { year works } heatScore { score kind } }
      scientists { totalCount edges { segmentScore node { id } } }
    } }
    ... on Failure { message }
  }
}
"""
HEAT = """
query ($id: ID!) { topicHeat(id: $id) {
  ... on TopicHeat { id growth years { year works } heatScore { score kind } } } }
"""


def test_talent_chain_ranks_scientists_by_the_segment_score(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    ranked = rows(
        graph,
        settings,
        "MATCH (s:Scientist)-[r:RANKED_IN]->(seg:ChainSegment) WITH seg.id AS seg, count(*) AS n "
        "MATCH (seg2:ChainSegment {id: seg})-[:PART_OF]->(i:Industry) "
        "RETURN i.id AS industry, seg, n ORDER BY n DESC, seg LIMIT 1",
    )[0]
    body = ask(api_url, CHAIN, {"industry": ranked["industry"]})
    assert body.get("data"), body
    segments = {s["segment"]["id"]: s for s in body["data"]["talentChain"]["segments"]}
    segment = segments[ranked["seg"]]
    edges = segment["scientists"]["edges"]
    assert len(edges) == min(50, ranked["n"]) and len(edges) > 1
    scores = [e["segmentScore"] for e in edges]
    known = [s for s in scores if s is not None]
    assert known == sorted(known, reverse=True) and scores[: len(known)] == known
    # Each one the score the evaluation of that scientist for that segment gives.
    for edge in edges[:5]:
        e = ask(api_url, EVALUATION, {"id": edge["node"]["id"], "segment": ranked["seg"]})
        assert e["data"]["evaluation"]["score"] == pytest.approx(edge["segmentScore"], abs=1e-5)
    # The segment's heat is topicHeat's for the segment's id.
    heat = ask(api_url, HEAT, {"id": ranked["seg"]})["data"]["topicHeat"]
    assert segment["heat"] == heat and heat["years"]


RISING = """
query ($field: ID, $region: ID, $after: String) {
  risingStars(field: $field, region: $region, first: 100, after: $after) {
    ... on RisingStarConnection {
      totalCount
      edges { score careerAge momentumPercentile impactPercentile node { id } }
      pageInfo { hasNextPage endCursor }
    }
    ... on Failure { message }
  }
}
"""


def expected_rising() -> dict[str, float]:
    """From the raw works: early career (at most 10 years), momentum and impact in the top
    quarter of a main field of at least 20 people; the mean of the two percentiles."""
    raw, fields = expected_raw()
    bounds = load_model().rising
    found = {}
    for field in set(fields.values()):
        members = [a for a, f in fields.items() if f == field]
        if len(members) < load_model().min_field_size:
            continue
        pct = {
            n: mid_rank({a: round(raw[a][n], 6) for a in members}) for n in ("momentum", "impact")
        }
        for a in members:
            if (
                raw[a]["career_age"] <= bounds["max_career_age"]
                and pct["momentum"][a] >= bounds["momentum"]
                and pct["impact"][a] >= bounds["impact"]
            ):
                found[a] = (pct["momentum"][a] + pct["impact"][a]) / 2
    return found


def test_rising_stars_match_the_raw_works(graph: Driver, api_url: str) -> None:
    expected = expected_rising()
    assert expected, "no rising star in the sample"
    body = ask(api_url, RISING, {})
    assert body.get("data"), body
    page = body["data"]["risingStars"]
    assert page["totalCount"] == len(expected), body
    got = [(e["node"]["id"], e["score"]) for e in page["edges"]]
    assert {i: pytest.approx(s, abs=1e-5) for i, s in got} == expected
    assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    assert all(e["careerAge"] <= 10 for e in page["edges"])
    _, fields = expected_raw()
    field = fields[got[0][0]]
    only = ask(api_url, RISING, {"field": field})["data"]["risingStars"]
    assert {e["node"]["id"] for e in only["edges"]} == {a for a in expected if fields[a] == field}


def test_rising_stars_in_a_region_are_those_whose_latest_affiliation_is_there(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    """The sample has no ROR records, so its institutions have no City: a country holds them by
    their country code, and the latest affiliation's countries come from the raw works. The
    shared graph has no Country nodes either: the test adds the ones it asks about, then takes
    them away."""
    expected = expected_rising()
    countries = {short_id(a): c for a, c in latest_countries().items()}
    counts = Counter(c for a in expected for c in countries.get(a, set()))
    assert counts, "no rising star with a country in the sample"
    # Their countries, and the sample's commonest country (it may hold none of them).
    everyone = Counter(c for cs in countries.values() for c in cs)
    asked = sorted(set(counts) | {everyone.most_common(1)[0][0]})
    assert len(asked) > 1
    rows(graph, settings, "UNWIND $ids AS id CREATE (:Country {id: id})", ids=asked)
    try:
        for country in asked:
            body = ask(api_url, RISING, {"region": country})
            page = body["data"]["risingStars"]
            assert "totalCount" in page, body
            want = {a for a in expected if country in countries.get(a, set())}
            assert page["totalCount"] == len(want) == counts[country]
            assert {e["node"]["id"] for e in page["edges"]} == want
    finally:
        rows(graph, settings, "MATCH (c:Country) WHERE c.id IN $ids DELETE c", ids=asked)


EVIDENCE = """
query ($id: ID!, $after: String) {
  evaluation(scientist: $id) {
    ... on Evaluation { components { name evidence(first: 2, after: $after) {
      totalCount edges { node { id publicationYear citedByCount } }
      pageInfo { hasNextPage endCursor } } } }
  }
}
"""


def test_components_show_their_works_paged(graph: Driver, api_url: str) -> None:
    author = biggest_field_top()
    works = sample_works()
    end = max(w["publication_year"] for w in works)
    mine = {
        short_id(w["id"]): w
        for w in works
        if any(
            short_id((a.get("author") or {}).get("id") or "") == author for a in w["authorships"]
        )
    }
    pages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    totals: dict[str, int] = {}
    after = None
    while True:
        body = ask(api_url, EVIDENCE, {"id": author, "after": after})
        assert body.get("data"), body
        more = False
        for c in body["data"]["evaluation"]["components"]:
            totals[c["name"]] = c["evidence"]["totalCount"]
            pages[c["name"]] += [e["node"] for e in c["evidence"]["edges"]]
            more = more or c["evidence"]["pageInfo"]["hasNextPage"]
            after = c["evidence"]["pageInfo"]["endCursor"] or after
        if not more:
            break
    assert totals["output"] == len(mine) == len(pages["output"])
    recent = [i for i, w in mine.items() if w["publication_year"] > end - 5]
    assert totals["momentum"] == len(recent)
    assert {n["id"] for n in pages["momentum"]} == set(recent)
    by_cites = sorted(mine, key=lambda i: (-mine[i]["cited_by_count"], i))
    assert [n["id"] for n in pages["impact"]] == by_cites
    ranked = {
        i: w["citation_normalized_percentile"]["value"]
        for i, w in mine.items()
        if w.get("citation_normalized_percentile")
    }
    assert totals["citation_percentile"] == len(ranked)
    assert [n["id"] for n in pages["citation_percentile"]] == sorted(
        ranked, key=lambda i: (-ranked[i], i)
    )
    oldest = sorted(mine, key=lambda i: (mine[i]["publication_year"], i))
    assert [n["id"] for n in pages["career_age"]] == oldest
