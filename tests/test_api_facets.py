"""facets over real HTTP on the loaded sample; every expected count is computed here from the
raw OpenAlex JSON (data/sample/openalex/works.jsonl), not by the code under test."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.conftest import ask, sample_works

FACETS = """
query ($subject: FacetSubject!, $by: [FacetDimension!]!, $filter: FacetFilter,
       $first: Int, $after: String) {
  facets(subject: $subject, by: $by, filter: $filter, first: $first, after: $after) {
    __typename
    ... on Facets {
      total
      buckets {
        totalCount
        edges { node { keys { dimension value label } count } }
        pageInfo { hasNextPage endCursor }
      }
    }
    ... on InvalidRange { argument }
    ... on Failure { message }
  }
}
"""


def facets(url: str, **variables: Any) -> dict[str, Any]:
    body = ask(url, FACETS, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["facets"]
    return result


def all_buckets(url: str, **variables: Any) -> tuple[int, Counter[tuple[str, ...]]]:
    """(total, {values: count}) over every page of buckets, 7 at a time."""
    found: Counter[tuple[str, ...]] = Counter()
    after = None
    while True:
        page = facets(url, first=7, after=after, **variables)
        assert page["__typename"] == "Facets", page
        for edge in page["buckets"]["edges"]:
            key = tuple(k["value"] for k in edge["node"]["keys"])
            assert key not in found, key
            found[key] = edge["node"]["count"]
        info = page["buckets"]["pageInfo"]
        if not info["hasNextPage"]:
            assert page["buckets"]["totalCount"] == len(found)
            return page["total"], found
        after = info["endCursor"]


# --- what the raw JSON says ---------------------------------------------------------------------


def institutions_of(authorship: dict[str, Any]) -> list[dict[str, Any]]:
    found = authorship.get("institutions") or []
    return [i for i in found if i.get("id") and i.get("display_name")]


def with_author(work: dict[str, Any]) -> list[dict[str, Any]]:
    """The authorships ingest keeps: those naming a person (id and a name)."""
    return [
        a
        for a in work["authorships"]
        if (a.get("author") or {}).get("id")
        and ((a.get("author") or {}).get("display_name") or a.get("raw_author_name"))
    ]


def work_countries(work: dict[str, Any]) -> set[str]:
    return {
        i["country_code"]
        for a in with_author(work)
        for i in institutions_of(a)
        if i.get("country_code")
    }


def latest_countries() -> dict[str, set[str]]:
    """Per author: the countries of the institutions of their latest year with any."""
    last_year: dict[str, dict[str, int]] = {}
    country: dict[str, str | None] = {}
    for work in sample_works():
        for a in with_author(work):
            years = last_year.setdefault(a["author"]["id"], {})
            for inst in institutions_of(a):
                key = inst.get("ror") or inst["id"]
                country[key] = inst.get("country_code")
                years[key] = max(years.get(key, 0), work["publication_year"])
    result: dict[str, set[str]] = {}
    for author, years in last_year.items():
        latest = max(years.values(), default=None)
        result[author] = {
            c for key, year in years.items() if year == latest and (c := country[key]) is not None
        }
    return result


# --- tests ----------------------------------------------------------------------------------------


def test_works_by_year(api_url: str) -> None:
    works = {w["id"]: w for w in sample_works()}
    want = Counter((str(w["publication_year"]),) for w in works.values())
    total, found = all_buckets(api_url, subject="WORKS", by=["YEAR"])
    assert total == len(works)
    assert found == want
    page = facets(api_url, subject="WORKS", by=["YEAR"], first=3)
    counts = [e["node"]["count"] for e in page["buckets"]["edges"]]
    assert counts == sorted(want.values(), reverse=True)[:3]
    assert page["buckets"]["edges"][0]["node"]["keys"][0]["dimension"] == "YEAR"


def test_works_by_year_and_country_with_filter(api_url: str) -> None:
    works = list({w["id"]: w for w in sample_works()}.values())
    want: Counter[tuple[str, ...]] = Counter()
    for work in works:
        for code in work_countries(work):
            want[(str(work["publication_year"]), code)] += 1
    total, found = all_buckets(api_url, subject="WORKS", by=["YEAR", "COUNTRY"])
    assert total == len(works)
    assert found == want
    assert len(want) > 20

    # filtered: 2005..2008 and one country, its buckets only those years
    code = Counter(c for (_, c), n in want.items() for _ in range(n)).most_common(1)[0][0]
    window = [w for w in works if 2005 <= w["publication_year"] <= 2008]
    in_country = [w for w in window if code in work_countries(w)]
    total, found = all_buckets(
        api_url,
        subject="WORKS",
        by=["COUNTRY", "YEAR"],
        filter={"country": code.lower(), "fromYear": 2005, "toYear": 2008},
    )
    assert total == len(in_country) > 0
    assert found == Counter((code, str(w["publication_year"])) for w in in_country)


def test_works_by_field_with_labels(api_url: str) -> None:
    want: Counter[tuple[str, ...]] = Counter()
    names: dict[str, str] = {}
    for work in {w["id"]: w for w in sample_works()}.values():
        primary = work.get("primary_topic") or {}
        for topic in work.get("topics") or []:
            if topic["id"] == primary.get("id"):
                field = "/".join(topic["field"]["id"].split("/")[-2:])
                names[field] = topic["field"]["display_name"]
                want[(field,)] += 1
    page = facets(api_url, subject="WORKS", by=["FIELD"], first=100)
    found = {(e["node"]["keys"][0]["value"],): e["node"]["count"] for e in page["buckets"]["edges"]}
    assert found == want
    for edge in page["buckets"]["edges"]:
        key = edge["node"]["keys"][0]
        assert key["label"] == names[key["value"]]


def test_scientists_by_country(api_url: str) -> None:
    countries = latest_countries()
    want = Counter((c,) for cs in countries.values() for c in cs)
    total, found = all_buckets(api_url, subject="SCIENTISTS", by=["COUNTRY"])
    assert total == len(countries)
    assert found == want
    assert len(want) > 5
    # a country filter keeps the scientists whose latest institutions are there
    code = want.most_common(1)[0][0][0]
    page = facets(api_url, subject="SCIENTISTS", by=["COUNTRY"], filter={"country": code})
    assert page["total"] == sum(1 for cs in countries.values() if code in cs)
    assert [e["node"]["keys"][0]["value"] for e in page["buckets"]["edges"]] == [code]


def test_scientists_by_year(api_url: str) -> None:
    years: dict[str, set[int]] = {}
    for work in sample_works():
        for a in with_author(work):
            years.setdefault(a["author"]["id"], set()).add(work["publication_year"])
    want = Counter((str(y),) for ys in years.values() for y in ys)
    total, found = all_buckets(api_url, subject="SCIENTISTS", by=["YEAR"])
    assert total == len(years)
    assert found == want


def test_invalid_dimensions_and_filters_are_typed_failures(api_url: str) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"by": []}, "InvalidRange", "by"),
        ({"by": ["YEAR", "COUNTRY", "FIELD"]}, "InvalidRange", "by"),
        ({"by": ["YEAR", "YEAR"]}, "InvalidRange", "by"),
        ({"by": ["YEAR"], "filter": {"fromYear": 2010, "toYear": 2000}}, "InvalidRange", ""),
        ({"by": ["YEAR"], "filter": {"toYear": 99999}}, "InvalidRange", "toYear"),
        ({"by": ["YEAR"], "filter": {"country": "China"}}, "InvalidId", ""),
        ({"by": ["YEAR"], "filter": {"field": "fields/999999"}}, "NotFound", ""),
        ({"by": ["YEAR"], "filter": {"field": "not an id"}}, "InvalidId", ""),
    ]
    subfield = next(
        "/".join(t["subfield"]["id"].split("/")[-2:]) for t in sample_works()[0]["topics"]
    )
    cases.append(({"by": ["YEAR"], "filter": {"field": subfield}}, "InvalidId", ""))
    for variables, typename, argument in cases:
        result = facets(api_url, subject="WORKS", **variables)
        assert result["__typename"] == typename, (variables, result)
        assert result["message"]
        if argument:
            assert result["argument"] == argument
    for first in (-1, 101):
        body = ask(api_url, FACETS, {"subject": "WORKS", "by": ["YEAR"], "first": first})
        assert body["errors"][0]["message"].startswith("first must be between")
