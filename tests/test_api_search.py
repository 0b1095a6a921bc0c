"""searchScientists and searchInstitutions over real HTTP on the loaded sample; expected values
come from the raw JSON."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
import yaml
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.jobs import run_job
from ingest.openalex.authors import OPENALEX_AUTHORS
from ingest.openalex.institutions import OPENALEX_INSTITUTIONS
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
from schema.settings import Settings
from tests.conftest import (
    OPENALEX_SAMPLE,
    REPO,
    SAMPLE_WORKS,
    ask,
    load_works,
    sample_works,
    short_id,
)

INSTITUTIONS = OPENALEX_SAMPLE / "institutions.jsonl"

AUTHORS = REPO / "data" / "sample" / "openalex" / "authors.jsonl"
# searchScientists' RECENT_OUTPUT counts the works of the last five years, this one included.
RECENT_SINCE = datetime.now(UTC).year - 4


# --- the raw JSON, read without the code under test --------------------------------------------


def hanzi_work() -> dict[str, Any]:
    """A copy of a sample work by one made-up author with a name in hanzi."""
    raw = sample_works()[1]
    author = {"id": "https://openalex.org/A999999001", "display_name": "张伟", "orcid": None}
    return {
        **raw,
        "id": "https://openalex.org/W999999001",
        "authorships": [{**raw["authorships"][0], "author": author}],
    }


@cache
def all_works() -> dict[str, dict[str, Any]]:
    """Every loaded work by id (the sample's, once each, and the hanzi one)."""
    found = {short_id(w["id"]): w for w in sample_works()}
    found["W999999001"] = hanzi_work()
    return found


@cache
def records() -> dict[str, dict[str, Any]]:
    """The Author records by id."""
    with AUTHORS.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {short_id(r["id"]): r for r in rows}


def usable(authorship: dict[str, Any]) -> str | None:
    """The person of an authorship the works job keeps (an id and a name), else None."""
    author = authorship.get("author") or {}
    if author.get("id") and (author.get("display_name") or authorship.get("raw_author_name")):
        return short_id(author["id"])
    return None


@cache
def authored() -> dict[str, set[str]]:
    """Person -> the ids of the loaded works they authored."""
    found: dict[str, set[str]] = {}
    for work_id, work in all_works().items():
        for authorship in work["authorships"]:
            if person := usable(authorship):
                found.setdefault(person, set()).add(work_id)
    return found


def everyone() -> set[str]:
    return set(authored()) | set(records())


def h_index(person: str) -> int | None:
    record = records().get(person)
    return None if record is None else int(record["summary_stats"]["h_index"])


def works_count(person: str) -> int:
    record = records().get(person)
    return int(record["works_count"]) if record else len(authored().get(person, ()))


def citations(person: str) -> int:
    record = records().get(person)
    if record:
        return int(record["cited_by_count"])
    return sum(all_works()[w].get("cited_by_count") or 0 for w in authored().get(person, ()))


def recent_output(person: str) -> int:
    return sum(
        1
        for w in authored().get(person, ())
        if (all_works()[w].get("publication_year") or 0) >= RECENT_SINCE
    )


def complete_topics(work: dict[str, Any]) -> list[dict[str, Any]]:
    """A work's topic entries with their whole taxonomy (the ones the graph ties it to)."""
    return [
        t
        for t in work.get("topics") or []
        if all(t.get(level) for level in ("subfield", "field", "domain"))
    ]


def experts(matches: Any) -> set[str]:
    """The authors of works with a complete topic entry for which `matches(entry)` holds."""
    return {
        person
        for person, works in authored().items()
        if any(matches(t) for w in works for t in complete_topics(all_works()[w]))
    }


def taxon_id(entry: dict[str, Any], level: str) -> str:
    """Our id of a topic entry's topic, subfield, field or domain."""
    if level == "topic":
        return short_id(entry["id"])
    return f"{level}s/{short_id(entry[level]['id'])}"


SCIENTISTS = """
query ($q: String, $f: ScientistFilter, $s: ScientistSort, $first: Int, $after: String) {
  searchScientists(query: $q, filter: $f, sort: $s, first: $first, after: $after) {
    __typename
    ... on ScientistSearchConnection {
      totalCount edges { score node { id name } } pageInfo { hasNextPage endCursor }
    }
    ... on Failure { message }
  }
}
"""
INSTITUTION_SEARCH = """
query ($q: String, $f: InstitutionFilter, $s: InstitutionSort) {
  searchInstitutions(query: $q, filter: $f, sort: $s, first: 100) {
    __typename
    ... on InstitutionSearchConnection { totalCount edges { node { id name } } }
    ... on Failure { message }
  }
}
"""


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("search")
    hanzi = tmp / "hanzi.jsonl"
    hanzi.write_text(json.dumps(hanzi_work(), ensure_ascii=False) + "\n", encoding="utf-8")
    writer = Writer(graph, settings.neo4j_database)
    if INSTITUTIONS.is_file():
        run_job(writer, OPENALEX_INSTITUTIONS, [INSTITUTIONS], quarantine_dir=tmp, batch_size=500)
    run_job(writer, OPENALEX_AUTHORS, [AUTHORS], quarantine_dir=tmp, batch_size=500)
    load_works(graph, settings, [SAMPLE_WORKS, hanzi], tmp, batch_size=500)
    load_industries(writer)


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


@pytest.mark.usefixtures("loaded")
def test_institutions_in_every_language(api_url: str) -> None:
    records = [json.loads(line) for line in INSTITUTIONS.open(encoding="utf-8")]
    tsinghua = next(r for r in records if r["display_name"] == "Tsinghua University")
    for text in ("清华大学", "Tsinghua", "THU"):
        body = ask(api_url, INSTITUTION_SEARCH, {"q": text})
        ids = [e["node"]["id"] for e in body["data"]["searchInstitutions"]["edges"]]
        assert short_id(tsinghua["ror"]) in ids, text
    # an institution's country and type: its own record's, else the works' view of it, else
    # the Author records'
    _, facts, uncertain = institution_facts()
    maybe = {k for k, (country, kind) in facts.items() if (country, kind) == ("CN", "education")}
    want = maybe - uncertain
    body = ask(api_url, INSTITUTION_SEARCH, {"f": {"country": "cn", "type": "education"}})
    result = body["data"]["searchInstitutions"]
    assert 0 < len(want) <= 100
    got = {e["node"]["id"] for e in result["edges"]}
    assert result["totalCount"] == len(got)
    assert want <= got <= maybe


# --- filters and sorts, each against the raw JSON -----------------------------------------------


def every_hit(url: str, **variables: Any) -> list[str]:
    """The ids of every hit, in order, walking the pages; checks `totalCount` on the way."""
    seen: list[str] = []
    after = None
    while True:
        page = search(url, first=100, after=after, **variables)
        assert page["__typename"] == "ScientistSearchConnection", page
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert page["totalCount"] == len(seen)
    assert len(set(seen)) == len(seen), "every hit once"
    return seen


@pytest.mark.usefixtures("loaded")
def test_h_index_and_works_ranges(api_url: str) -> None:
    for low, high in ((3, 10), (None, 2), (20, None), (7, 7)):
        want = {
            p
            for p in everyone()
            if (h := h_index(p)) is not None
            and (low is None or h >= low)
            and (high is None or h <= high)
        }
        assert want, (low, high)
        got = every_hit(api_url, f={"hIndex": {"min": low, "max": high}})
        assert set(got) == want, (low, high)
    for low, high in ((2, 5), (None, 1), (50, None)):
        want = {
            p
            for p in everyone()
            if (low is None or works_count(p) >= low) and (high is None or works_count(p) <= high)
        }
        assert want, (low, high)
        got = every_hit(api_url, f={"works": {"min": low, "max": high}})
        assert set(got) == want, (low, high)
    # both at once
    want = {p for p in everyone() if (h_index(p) or -1) >= 5 and works_count(p) <= 60}
    got = every_hit(api_url, f={"hIndex": {"min": 5}, "works": {"max": 60}})
    assert set(got) == want


@pytest.mark.usefixtures("loaded")
def test_each_sort_orders_as_the_raw_json_says(api_url: str) -> None:
    with_records = set(records())
    got = every_hit(api_url, f={"hIndex": {"min": 0}}, s="H_INDEX")
    assert got == sorted(with_records, key=lambda p: (-(h_index(p) or 0), p))
    # the default order without a query is CITATIONS
    for sort in ("CITATIONS", None):
        got = every_hit(api_url, s=sort)
        assert got == sorted(everyone(), key=lambda p: (-citations(p), p)), sort
    got = every_hit(api_url, f={"activeSince": RECENT_SINCE}, s="RECENT_OUTPUT")
    active = {p for p in everyone() if recent_output(p) > 0}
    assert got == sorted(active, key=lambda p: (-recent_output(p), p))
    # relevance: the best score first, ties by id; an exact full name beats a partial match
    surname = Counter(
        name.split()[-1]
        for w in all_works().values()
        for a in w["authorships"]
        if (name := (a.get("author") or {}).get("display_name"))
    ).most_common(1)[0][0]
    page = search(api_url, q=surname, s="RELEVANCE", first=100)
    keys = [(-e["score"], e["node"]["id"]) for e in page["edges"]]
    assert len(keys) > 1 and keys == sorted(keys)


@pytest.mark.usefixtures("loaded")
def test_taxonomy_filters(api_url: str) -> None:
    entries = [t for w in all_works().values() for t in complete_topics(w)]
    for level in ("topic", "subfield", "field", "domain"):
        counts = Counter(taxon_id(t, level) for t in entries)
        # the most and a least common of each level
        for taxon in (counts.most_common(1)[0][0], min(sorted(counts), key=counts.__getitem__)):
            want = experts(lambda t, x=taxon, lv=level: taxon_id(t, lv) == x)
            assert want
            assert set(every_hit(api_url, f={"topics": [taxon]})) == want, taxon
    # a list matches any of its values
    two = [c for c, _ in Counter(taxon_id(t, "topic") for t in entries).most_common(2)]
    want = experts(lambda t: taxon_id(t, "topic") in two)
    assert set(every_hit(api_url, f={"topics": two})) == want


@pytest.mark.usefixtures("loaded")
def test_industry_and_segment_filters(api_url: str) -> None:
    industries = yaml.safe_load(DEFAULT_INDUSTRIES_PATH.read_text(encoding="utf-8"))["industries"]

    def needs(segment: dict[str, Any]) -> Any:
        topics = set(segment.get("topic_ids") or ())
        subfields = set(segment.get("subfield_ids") or ())
        return lambda t: taxon_id(t, "topic") in topics or taxon_id(t, "subfield") in subfields

    checked = 0
    for industry in industries:
        want_industry: set[str] = set()
        for segment in industry["segments"]:
            want = experts(needs(segment))
            want_industry |= want
            if want:
                assert set(every_hit(api_url, f={"segment": segment["id"]})) == want
                checked += 1
        assert set(every_hit(api_url, f={"industry": industry["id"]})) == want_industry
    assert checked >= 3


@cache
def openalex_records() -> dict[str, dict[str, Any]]:
    """The OpenAlex institution records by OpenAlex id."""
    if not INSTITUTIONS.is_file():
        return {}
    with INSTITUTIONS.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {short_id(r["id"]): r for r in rows}


def key_of(inst: dict[str, Any]) -> str:
    """Our key of an institution a work or Author record names: a loaded OpenAlex record with
    its OpenAlex id decides (its ROR id, which may differ from the one the reference gives),
    else the reference's ROR id, else its OpenAlex id."""
    record = openalex_records().get(short_id(inst["id"]))
    if record is not None:
        inst = record
    return short_id(inst.get("ror") or inst["id"]).lower()


def institution_facts() -> tuple[
    dict[str, set[str]], dict[str, tuple[str | None, str | None]], set[str]
]:
    """Person -> the keys of their institutions (authorships and Author records); institution
    key -> (country, type): its OpenAlex record's, else the works' view, else the Author
    records' view; and the keys only Author records name. (Their country is not certain: when
    an OpenAlex record's lineage made a stub of one first, the stub keeps no country.)"""
    people: dict[str, set[str]] = {}
    facts: dict[str, tuple[str | None, str | None]] = {}
    for work in all_works().values():
        for authorship in work["authorships"]:
            person = usable(authorship)
            for inst in authorship.get("institutions") or []:
                if not (inst.get("id") and inst.get("display_name")):
                    continue
                key = key_of(inst)
                facts.setdefault(key, (inst.get("country_code"), inst.get("type")))
                if person:
                    people.setdefault(person, set()).add(key)
    seen = set(facts)
    for person, record in records().items():
        for affiliation in record.get("affiliations") or []:
            inst = affiliation["institution"]
            key = key_of(inst)
            facts.setdefault(key, (inst.get("country_code"), inst.get("type")))
            people.setdefault(person, set()).add(key)
    for r in openalex_records().values():
        facts[key_of(r)] = (r.get("country_code"), r.get("type"))
        seen.add(key_of(r))
    return people, facts, set(facts) - seen


@pytest.mark.usefixtures("loaded")
def test_country_and_institution_filters(api_url: str) -> None:
    people, facts, uncertain = institution_facts()
    country = {k: c for k, (c, _) in facts.items()}
    by_country = Counter(c for keys in people.values() for c in {country[k] for k in keys})
    for code in [c for c, _ in by_country.most_common(3) if c] + ["FR"]:
        sure = {
            p
            for p, keys in people.items()
            if any(country[k] == code for k in keys if k not in uncertain)
        }
        maybe = {p for p, keys in people.items() if any(country[k] == code for k in keys)}
        got = set(every_hit(api_url, f={"country": code}))
        assert sure <= got <= maybe, code
        assert set(every_hit(api_url, f={"country": code.lower()})) == got, code
    # the institution filter: everyone affiliated with it, either source
    busiest = Counter(k for keys in people.values() for k in keys).most_common(3)
    for key, _ in busiest:
        want = {p for p, keys in people.items() if key in keys}
        assert set(every_hit(api_url, f={"institution": key})) == want, key
        # with its own country the same people; with another, nobody
        own = country[key]
        assert own
        assert set(every_hit(api_url, f={"institution": key, "country": own})) == want
        assert every_hit(api_url, f={"institution": key, "country": "AQ"}) == []


@pytest.mark.usefixtures("loaded")
def test_active_since_years(api_url: str) -> None:
    years = sorted({w.get("publication_year") or 0 for w in all_works().values()})
    for year in (years[0], years[len(years) // 2], years[-1], years[-1] + 1):
        want = {
            p
            for p, works in authored().items()
            if any((all_works()[w].get("publication_year") or 0) >= year for w in works)
        }
        assert set(every_hit(api_url, f={"activeSince": year})) == want, year
