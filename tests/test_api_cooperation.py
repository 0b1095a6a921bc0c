"""Cooperation queries over the real API against the loaded sample (works, and the ROR records of
the institutions they name, which place them in countries), checked against counts computed
here from the raw works.jsonl and ROR JSON, without the code under test.

A work is joint for two institutions when both are among its authorships' institutions. The
works job drops authorships without an author (e.g. on W4234567890), and with them their
institutions; an institution a work names without an id or a name is dropped too. Institutions
that no registry record describes are still nodes (the works create them), so they count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from typing import Any

from tests.conftest import ask, sample_works, short_id
from tests.test_api_chain import ror_records

REGION = "US"


FAILURES = """
    ... on NotFound { id message }
    ... on InvalidId { id message }
    ... on InvalidRange { argument message }
"""
COOPERATION = f"""
query ($a: ID!, $b: ID!, $from: Int, $to: Int, $first: Int) {{
  institutionCooperation(a: $a, b: $b, fromYear: $from, toYear: $to) {{
    __typename
    ... on InstitutionCooperation {{
      a {{ id }} b {{ id }} fromYear toYear
      jointWorksCount
      byYear {{ year count }}
      topTopics(first: 50) {{ topic {{ id }} works }}
      pairs(first: $first) {{
        totalCount
        edges {{ node {{ atA {{ id }} atB {{ id }} sharedWorksCount sharedWorks {{ id }} }} }}
      }}
      works(first: $first) {{ totalCount edges {{ node {{ id publicationYear }} }} }}
    }}
    {FAILURES}
  }}
}}
"""
PARTNERS = f"""
query ($id: ID!, $filter: CooperationFilter, $first: Int, $after: String) {{
  cooperationPartners(institution: $id, filter: $filter, first: $first, after: $after) {{
    __typename
    ... on PartnerConnection {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      edges {{
        cursor jointWorksCount node {{ id }} topTopics(first: 50) {{ topic {{ id }} works }}
      }}
    }}
    {FAILURES}
  }}
}}
"""
INSTITUTION_PARTNERS = """
query ($id: ID!, $first: Int, $after: String) {
  institution(id: $id) {
    ... on Institution {
      partners(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { jointWorksCount node { id } }
      }
    }
  }
}
"""
REGION_COOPERATION = f"""
query ($region: ID!, $filter: CooperationFilter, $first: Int, $after: String) {{
  regionCooperation(region: $region, filter: $filter, first: $first, after: $after) {{
    __typename
    ... on RegionCooperation {{
      regionId totalCount
      pageInfo {{ hasNextPage endCursor }}
      edges {{
        jointWorksCount node {{ id }}
        homeInstitutions {{ institutionId jointWorksCount institution {{ id }} }}
      }}
    }}
    {FAILURES}
  }}
}}
"""


# --- the raw files, read without the code under test ------------------------------------------


def institution_key(raw: dict[str, Any]) -> str:
    """Our key of an institution a work names: the ROR id, else the OpenAlex id."""
    return short_id(raw["ror"]).lower() if raw.get("ror") else short_id(raw["id"])


@cache
def works() -> dict[str, dict[str, Any]]:
    return {short_id(w["id"]): w for w in sample_works()}


@cache
def institutions_of() -> dict[str, frozenset[str]]:
    """Work id -> the institutions of its authorships that have an author."""
    found = {}
    for work_id, work in works().items():
        keys = {
            institution_key(i)
            for a in work["authorships"]
            if (a.get("author") or {}).get("id")
            and ((a.get("author") or {}).get("display_name") or a.get("raw_author_name"))
            for i in a.get("institutions") or []
            if i.get("id") and i.get("display_name")
        }
        found[work_id] = frozenset(keys)
    return found


def year(work_id: str) -> int:
    return int(works()[work_id]["publication_year"])


def in_window(work_id: str, lo: int | None, hi: int | None) -> bool:
    return (lo is None or year(work_id) >= lo) and (hi is None or year(work_id) <= hi)


def joint_works(a: str, b: str, lo: int | None = None, hi: int | None = None) -> set[str]:
    return {w for w, keys in institutions_of().items() if {a, b} <= keys and in_window(w, lo, hi)}


def busiest_pairs() -> list[tuple[str, str]]:
    """Institution pairs by joint works, most first (ties: ids)."""
    counts: Counter[tuple[str, str]] = Counter()
    for keys in institutions_of().values():
        for a in keys:
            for b in keys:
                if a < b:
                    counts[(a, b)] += 1
    return sorted(counts, key=lambda p: (-counts[p], p))


def busiest_pair() -> tuple[str, str]:
    return busiest_pairs()[0]


def person_pairs(a: str, b: str) -> list[tuple[tuple[str, str], list[str]]]:
    """(person at a, another person at b) -> their joint works newest first; most first."""
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w in joint_works(a, b):
        for x in people_at(w, a):
            for y in people_at(w, b):
                if x != y:
                    shared[(x, y)].add(w)
    ranked = sorted(shared.items(), key=lambda p: (-len(p[1]), p[0]))
    return [(p, sorted(ws, key=lambda w: (-year(w), w))) for p, ws in ranked]


def partners_of(key: str, lo: int | None = None, hi: int | None = None) -> list[tuple[str, int]]:
    """(partner, joint works), most first, ties by id."""
    counts: Counter[str] = Counter()
    for w, keys in institutions_of().items():
        if key in keys and in_window(w, lo, hi):
            counts.update(keys - {key})
    return sorted(counts.items(), key=lambda x: (-x[1], x[0]))


def busiest_institution() -> str:
    """The institution with the most partners (ties: id)."""
    everyone = {k for keys in institutions_of().values() for k in keys}
    return min(everyone, key=lambda k: (-len(partners_of(k)), k))


def topics_of(work_ids: set[str]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for w in work_ids:
        counts.update({short_id(t["id"]) for t in works()[w].get("topics") or []})
    return sorted(counts.items(), key=lambda x: (-x[1], x[0]))


def people_at(work_id: str, key: str) -> set[str]:
    return {
        short_id(a["author"]["id"])
        for a in works()[work_id]["authorships"]
        if (a.get("author") or {}).get("id")
        and key in {institution_key(i) for i in a.get("institutions") or [] if i.get("id")}
    }


def countries_of(key: str) -> set[str]:
    """The countries that hold an institution: its ROR record's places, and the country code
    the works give it (a country holds the institutions of its code, ROR record or not)."""
    found = {c for c in (work_countries().get(key),) if c}
    record = ror_records().get(key)
    if record is None:
        return found
    if "locations" in record:
        return found | {loc["geonames_details"].get("country_code") for loc in record["locations"]}
    return found | {str((record.get("country") or {}).get("country_code"))}


@cache
def work_countries() -> dict[str, str | None]:
    """The country code the works give each institution (the works agree in the sample)."""
    found: dict[str, str | None] = {}
    for work in works().values():
        for a in work["authorships"]:
            for i in a.get("institutions") or []:
                if i.get("id"):
                    found.setdefault(institution_key(i), i.get("country_code"))
    return found


def main_country(key: str) -> str | None:
    """The institution's country: its ROR record's first place (v1: its country), else what
    the works say."""
    record = ror_records().get(key)
    if record is None:
        return work_countries().get(key)
    if record.get("locations"):
        return str(record["locations"][0]["geonames_details"].get("country_code"))
    return str((record.get("country") or {}).get("country_code"))


def types_of(key: str) -> set[str]:
    """The institution's types: its ROR record's, else the type the works give it."""
    record = ror_records().get(key)
    if record is None:
        for work in works().values():
            for a in work["authorships"]:
                for i in a.get("institutions") or []:
                    if i.get("id") and institution_key(i) == key and i.get("type"):
                        return {str(i["type"]).lower()}
        return set()
    return {str(t).lower() for t in record.get("types") or []}


def region_partners(lo: int | None = None, hi: int | None = None) -> list[tuple[str, int, Any]]:
    """(partner outside REGION, joint works with REGION's institutions, [(home, works)])."""
    totals: Counter[str] = Counter()
    homes: dict[str, Counter[str]] = defaultdict(Counter)
    for w, keys in institutions_of().items():
        if not in_window(w, lo, hi):
            continue
        inside = {k for k in keys if REGION in countries_of(k)}
        if not inside:
            continue
        for partner in keys - inside:
            totals[partner] += 1
            homes[partner].update(inside)
    return [
        (p, n, sorted(homes[p].items(), key=lambda x: (-x[1], x[0])))
        for p, n in sorted(totals.items(), key=lambda x: (-x[1], x[0]))
    ]


# --- the graph -----------------------------------------------------------------------------------


def answer(api_url: str, query: str, field: str, **variables: Any) -> dict[str, Any]:
    body = ask(api_url, query, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"][field]
    return result


# --- tests -------------------------------------------------------------------------------------


def test_joint_works_of_the_busiest_pair_by_year_and_topics(api_url: str) -> None:
    a, b = busiest_pair()
    want = joint_works(a, b)
    assert len(want) >= 2, "the sample has a pair with several joint works"
    got = answer(api_url, COOPERATION, "institutionCooperation", a=a, b=b, first=100)
    assert got["__typename"] == "InstitutionCooperation"
    assert (got["a"]["id"], got["b"]["id"]) == (a, b)
    assert got["jointWorksCount"] == len(want)
    by_year = Counter(year(w) for w in want)
    assert got["byYear"] == [{"year": y, "count": by_year[y]} for y in sorted(by_year)]
    assert got["works"]["totalCount"] == len(want)
    newest_first = sorted(want, key=lambda w: (-year(w), w))
    assert [e["node"]["id"] for e in got["works"]["edges"]] == newest_first
    assert [(t["topic"]["id"], t["works"]) for t in got["topTopics"]] == topics_of(want)
    # The same pair asked the other way round and by OpenAlex id: the same count.
    oa_b = next(
        short_id(i["id"])
        for w in want
        for au in works()[w]["authorships"]
        for i in au.get("institutions") or []
        if i.get("id") and institution_key(i) == b
    )
    swapped = answer(api_url, COOPERATION, "institutionCooperation", a=oa_b, b=a, first=1)
    assert swapped["jointWorksCount"] == len(want)
    assert swapped["b"]["id"] == a


def test_person_pairs_behind_the_busiest_pairs(api_url: str) -> None:
    seen = 0
    for a, b in busiest_pairs()[:8]:
        want = person_pairs(a, b)
        seen += len(want)
        got = answer(api_url, COOPERATION, "institutionCooperation", a=a, b=b, first=100)
        pairs = got["pairs"]
        assert pairs["totalCount"] == len(want), (a, b)
        assert [
            (
                (e["node"]["atA"]["id"], e["node"]["atB"]["id"]),
                e["node"]["sharedWorksCount"],
                [w["id"] for w in e["node"]["sharedWorks"]],
            )
            for e in pairs["edges"]
        ] == [(p, len(ws), ws) for p, ws in want]
    assert seen >= 5, "the sample's busiest pairs have people behind them"


def test_year_window_counts_only_its_works(api_url: str) -> None:
    a, b = next(p for p in busiest_pairs() if len({year(w) for w in joint_works(*p)}) >= 2)
    years = sorted({year(w) for w in joint_works(a, b)})
    lo = hi = years[-1]
    want = joint_works(a, b, lo, hi)
    assert 0 < len(want) < len(joint_works(a, b))
    got = answer(api_url, COOPERATION, "institutionCooperation", a=a, b=b, **{"from": lo, "to": hi})
    assert (got["fromYear"], got["toYear"]) == (lo, hi)
    assert got["jointWorksCount"] == len(want)
    assert got["byYear"] == [{"year": lo, "count": len(want)}]
    assert {e["node"]["id"] for e in got["works"]["edges"]} == want
    before = answer(api_url, COOPERATION, "institutionCooperation", a=a, b=b, to=years[0] - 1)
    assert before["jointWorksCount"] == 0 and before["byYear"] == []


def test_partner_ranking_matches_the_raw_works(api_url: str) -> None:
    key = busiest_institution()
    want = partners_of(key)
    assert len(want) >= 5
    got = answer(api_url, PARTNERS, "cooperationPartners", id=key, first=100)
    assert got["__typename"] == "PartnerConnection"
    assert got["totalCount"] == len(want)
    assert [(e["node"]["id"], e["jointWorksCount"]) for e in got["edges"]] == want
    for edge in got["edges"]:
        topics = topics_of(joint_works(key, edge["node"]["id"]))
        assert [(t["topic"]["id"], t["works"]) for t in edge["topTopics"]] == topics
    # The same list on the institution itself.
    body = ask(api_url, INSTITUTION_PARTNERS, {"id": key, "first": 100})
    assert "errors" not in body, body
    own = body["data"]["institution"]["partners"]
    assert own["totalCount"] == len(want)
    assert [(e["node"]["id"], e["jointWorksCount"]) for e in own["edges"]] == want


def test_partner_pages_follow_the_cursor(api_url: str) -> None:
    key = busiest_institution()
    want = [p for p, _ in partners_of(key)]
    seen: list[str] = []
    after = None
    while True:
        page = answer(api_url, PARTNERS, "cooperationPartners", id=key, first=3, after=after)
        assert page["totalCount"] == len(want)
        seen.extend(e["node"]["id"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == want
    # Institution.partners pages the same way.
    first = ask(api_url, INSTITUTION_PARTNERS, {"id": key, "first": 2})
    cursor = first["data"]["institution"]["partners"]["pageInfo"]["endCursor"]
    body = ask(api_url, INSTITUTION_PARTNERS, {"id": key, "first": 2, "after": cursor})
    own = body["data"]["institution"]["partners"]
    assert [e["node"]["id"] for e in own["edges"]] == want[2:4]


def test_partner_filters(api_url: str) -> None:
    key = busiest_institution()
    years = sorted({year(w) for w in works() if key in institutions_of()[w]})
    lo = years[len(years) // 2]
    want = partners_of(key, lo, None)
    got = answer(
        api_url, PARTNERS, "cooperationPartners", id=key, first=100, filter={"fromYear": lo}
    )
    assert [(e["node"]["id"], e["jointWorksCount"]) for e in got["edges"]] == want
    everyone = partners_of(key)
    country = Counter(main_country(p) for p, _ in everyone).most_common(1)[0][0]
    assert country
    want = [(p, n) for p, n in everyone if main_country(p) == country]
    assert 0 < len(want) < len(everyone)
    got = answer(
        api_url,
        PARTNERS,
        "cooperationPartners",
        id=key,
        first=100,
        filter={"countries": [country.lower(), "ZZ"]},
    )
    assert [(e["node"]["id"], e["jointWorksCount"]) for e in got["edges"]] == want
    kind = Counter(t for p, _ in everyone for t in types_of(p)).most_common(1)[0][0]
    want = [(p, n) for p, n in everyone if kind in types_of(p)]
    assert 0 < len(want) < len(everyone)
    got = answer(
        api_url, PARTNERS, "cooperationPartners", id=key, first=100, filter={"types": [kind]}
    )
    assert [(e["node"]["id"], e["jointWorksCount"]) for e in got["edges"]] == want


def test_region_cooperation_matches_the_raw_works(api_url: str) -> None:
    want = region_partners()
    assert len(want) >= 10
    got = answer(api_url, REGION_COOPERATION, "regionCooperation", region=REGION, first=100)
    assert got["__typename"] == "RegionCooperation"
    assert got["regionId"] == REGION
    assert got["totalCount"] == len(want)
    assert [
        (
            e["node"]["id"],
            e["jointWorksCount"],
            [(h["institutionId"], h["jointWorksCount"]) for h in e["homeInstitutions"]],
        )
        for e in got["edges"]
    ] == want[:100]
    assert all(
        h["institution"]["id"] == h["institutionId"]
        for e in got["edges"]
        for h in e["homeInstitutions"]
    )
    # Paging, and a year window.
    second = answer(
        api_url,
        REGION_COOPERATION,
        "regionCooperation",
        region=REGION,
        first=5,
        after=answer(api_url, REGION_COOPERATION, "regionCooperation", region=REGION, first=5)[
            "pageInfo"
        ]["endCursor"],
    )
    assert [e["node"]["id"] for e in second["edges"]] == [p for p, _, _ in want[5:10]]
    windowed = region_partners(2015, None)
    got = answer(
        api_url,
        REGION_COOPERATION,
        "regionCooperation",
        region=REGION,
        first=100,
        filter={"fromYear": 2015},
    )
    assert got["totalCount"] == len(windowed) < len(want)
    assert [(e["node"]["id"], e["jointWorksCount"]) for e in got["edges"]] == [
        (p, n) for p, n, _ in windowed[:100]
    ]


def test_failures_are_typed(api_url: str) -> None:
    a, b = busiest_pair()
    got = answer(api_url, COOPERATION, "institutionCooperation", a="not an id!", b=b)
    assert got["__typename"] == "InvalidId" and got["id"] == "not an id!"
    got = answer(api_url, COOPERATION, "institutionCooperation", a=a, b="I999999999999")
    assert got["__typename"] == "NotFound" and got["id"] == "I999999999999"
    got = answer(
        api_url, COOPERATION, "institutionCooperation", a=a, b=b, **{"from": 2020, "to": 2010}
    )
    assert got["__typename"] == "InvalidRange" and got["argument"] == "fromYear"
    got = answer(
        api_url,
        PARTNERS,
        "cooperationPartners",
        id=a,
        filter={"fromYear": 2020, "toYear": 2010},
    )
    assert got["__typename"] == "InvalidRange"
    got = answer(api_url, PARTNERS, "cooperationPartners", id="I999999999999")
    assert got["__typename"] == "NotFound"
    got = answer(api_url, REGION_COOPERATION, "regionCooperation", region="not/a/region/id")
    assert got["__typename"] == "InvalidId"
    got = answer(api_url, REGION_COOPERATION, "regionCooperation", region="ZZ")
    assert got["__typename"] == "NotFound"
    body = ask(api_url, PARTNERS, {"id": a, "first": 1000})
    assert body["errors"] and "first must be between" in body["errors"][0]["message"]
