"""Entity lookups and profiles over the real API and the real graph.

The graph holds the bundled sample (340 works, 108 Author records), the OpenAlex institution
records and the ROR v2 records of every institution they or the works name (from
../shared/data), and the industrial chains. Expected values are computed here from the raw
JSON, without the code under test.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
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
from ingest.ror.records import ROR
from schema.settings import Settings
from tests.conftest import (
    OPENALEX_SAMPLE,
    REPO,
    ROR_V2,
    SAMPLE_WORKS,
    admin_principal,
    load_works,
    ror_dump,
    rows,
    sample_works,
    short_id,
)
from tests.conftest import ask as ask_api

AUTHORS = REPO / "data" / "sample" / "openalex" / "authors.jsonl"
OA_INSTITUTIONS = OPENALEX_SAMPLE / "institutions.jsonl"

MAX_AUTHORS = Settings.model_fields["max_authors_for_ties"].default


# --- the raw JSON, read without the code under test --------------------------------------------


def short(url: str) -> str:
    return short_id(url)


def institution_key(raw: dict[str, Any]) -> str:
    """Our key of an institution a record names: the ROR id, else the OpenAlex id."""
    return short(raw["ror"]).lower() if raw.get("ror") else short(raw["id"])


@cache
def usable_authorships() -> dict[str, list[tuple[str, set[str]]]]:
    """Work id -> [(author id, institution keys)] in author order, one entry per person (the
    first place, the institutions of every entry), as the works job keeps them: an authorship
    needs an author id and a name; an institution needs an id and a name."""
    found: dict[str, list[tuple[str, set[str]]]] = {}
    for work in sample_works():
        people: dict[str, set[str]] = {}
        for authorship in work["authorships"]:
            author = authorship.get("author") or {}
            if not author.get("id") or not (
                author.get("display_name") or authorship.get("raw_author_name")
            ):
                continue
            keys = {
                institution_key(i)
                for i in authorship.get("institutions") or []
                if i.get("id") and i.get("display_name")
            }
            people.setdefault(short(author["id"]), set()).update(keys)
        found[short(work["id"])] = list(people.items())
    return found


@cache
def works_by_id() -> dict[str, dict[str, Any]]:
    return {short(w["id"]): w for w in sample_works()}


def works_of(author: str) -> set[str]:
    return {w for w, people in usable_authorships().items() if any(a == author for a, _ in people)}


def expected_coauthors(
    author: str, max_authors: int = MAX_AUTHORS
) -> dict[str, tuple[int, int, int]]:
    """Co-author -> (shared works, first year, last year), over works with at most
    `max_authors` authorships listed on the record (the derived step's rule)."""
    shared: dict[str, list[int]] = {}
    for work_id, people in usable_authorships().items():
        work = works_by_id()[work_id]
        if len(work["authorships"]) > max_authors:
            continue
        ids = [a for a, _ in people]
        if author not in ids:
            continue
        for other in ids:
            if other != author:
                shared.setdefault(other, []).append(work["publication_year"])
    return {c: (len(years), min(years), max(years)) for c, years in shared.items()}


def ranked_authors(count: int) -> list[str]:
    """The authors with the most works (ties: smallest id)."""
    counts = Counter(a for people in usable_authorships().values() for a, _ in people)
    return sorted(counts, key=lambda a: (-counts[a], a))[:count]


@cache
def author_records() -> list[dict[str, Any]]:
    with AUTHORS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def record_affiliations(record: dict[str, Any]) -> dict[str, list[int]]:
    found: dict[str, set[int]] = {}
    for affiliation in record.get("affiliations") or []:
        found.setdefault(institution_key(affiliation["institution"]), set()).update(
            affiliation["years"]
        )
    return {key: sorted(years) for key, years in found.items()}


def authorship_affiliations(author: str) -> dict[str, tuple[int, int, int]]:
    """Institution -> (works, first year, last year) from the person's authorships."""
    years: dict[str, list[int]] = {}
    for work_id, people in usable_authorships().items():
        for person, keys in people:
            if person == author:
                for key in keys:
                    years.setdefault(key, []).append(works_by_id()[work_id]["publication_year"])
    return {k: (len(v), min(v), max(v)) for k, v in years.items()}


def institution_people(key: str) -> dict[str, int]:
    """Person -> works naming the institution in their authorship (0 for people whose Author
    record alone lists it)."""
    people: dict[str, int] = {}
    for entries in usable_authorships().values():
        for person, keys in entries:
            if key in keys:
                people[person] = people.get(person, 0) + 1
    for record in author_records():
        if key in record_affiliations(record):
            people.setdefault(short(record["id"]), 0)
    return people


def work_topics(work: dict[str, Any]) -> list[str]:
    """Topic ids of a work's complete topic entries."""
    found = []
    for topic in work.get("topics") or []:
        if all(topic.get(level) for level in ("subfield", "field", "domain")):
            found.append(short(topic["id"]))
    return list(dict.fromkeys(found))


def institution_topics(key: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for work_id, people in usable_authorships().items():
        if any(key in keys for _, keys in people):
            counts.update(work_topics(works_by_id()[work_id]))
    return counts


@cache
def openalex_institutions() -> list[dict[str, Any]]:
    with OA_INSTITUTIONS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@cache
def ror_subset() -> list[dict[str, Any]]:
    """The ROR v2 records of every institution the OpenAlex records and the works name."""
    wanted = {short(r["ror"]).lower() for r in openalex_institutions() if r.get("ror")} | {
        key for people in usable_authorships().values() for _, keys in people for key in keys
    }
    return [r for r in ror_dump(ROR_V2) if short(r["id"]) in wanted]


def loaded_keys() -> dict[str, str]:
    """OpenAlex id -> our key, for the loaded OpenAlex institution records."""
    return {short(r["id"]): institution_key(r) for r in openalex_institutions()}


def expected_parents() -> set[tuple[str, str]]:
    """(child, direct parent) pairs: ROR parent/child relationships of the loaded records, and
    OpenAlex associated institutions with relationship parent (or child, reversed); the
    associated institution's key is its ROR id, else the loaded record's key."""
    pairs: set[tuple[str, str]] = set()
    for record in ror_subset():
        me = short(record["id"])
        for rel in record.get("relationships") or []:
            other = short(rel["id"])
            if rel["type"] == "parent":
                pairs.add((me, other))
            elif rel["type"] == "child":
                pairs.add((other, me))
    key_of = loaded_keys()
    for record in openalex_institutions():
        me = institution_key(record)
        for a in record.get("associated_institutions") or []:
            target = short(a["ror"]).lower() if a.get("ror") else key_of.get(short(a["id"]))
            if not target or target == me:
                continue
            if a.get("relationship") == "parent":
                pairs.add((me, target))
            elif a.get("relationship") == "child":
                pairs.add((target, me))
    return pairs


def expected_lineage() -> dict[str, set[str]]:
    """Key -> every ancestor: the OpenAlex lineage (ROR id from the record's associated
    institutions, else the loaded record with that OpenAlex id) and the direct parents
    followed up."""
    up: dict[str, set[str]] = {}
    for child, parent in expected_parents():
        up.setdefault(child, set()).add(parent)
    key_of = loaded_keys()
    lineage: dict[str, set[str]] = {}
    for record in openalex_institutions():
        me = institution_key(record)
        ror_of = {
            short(a["id"]): short(a["ror"]).lower()
            for a in record.get("associated_institutions") or []
            if a.get("ror")
        }
        for parent in record.get("lineage") or []:
            parent = short(parent)
            target = ror_of.get(parent) or key_of.get(parent)
            if parent != short(record["id"]) and target and target != me:
                lineage.setdefault(me, set()).add(target)
    found: dict[str, set[str]] = {}
    for key in set(up) | set(lineage):
        seen = set(lineage.get(key, set()))
        todo = list(up.get(key, set()))
        while todo:
            parent = todo.pop()
            if parent not in seen and parent != key:
                seen.add(parent)
                todo.extend(up.get(parent, set()))
        found[key] = seen
    return found


# --- the graph ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("entities")
    writer = Writer(graph, settings.neo4j_database)
    ror = tmp / "ror_subset.json"
    ror.write_text(json.dumps(ror_subset()), encoding="utf-8")
    run_job(writer, ROR, [ror], quarantine_dir=tmp / "q", batch_size=2000)
    run_job(
        writer, OPENALEX_INSTITUTIONS, [OA_INSTITUTIONS], quarantine_dir=tmp / "q", batch_size=2000
    )
    run_job(writer, OPENALEX_AUTHORS, [AUTHORS], quarantine_dir=tmp / "q", batch_size=2000)
    load_works(graph, settings, [SAMPLE_WORKS], tmp, batch_size=500)
    load_industries(writer)


def ask(url: str, query: str, **variables: Any) -> dict[str, Any]:
    body = ask_api(url, query, variables)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


LOOKUP = """
query ($id: ID!) {
  scientist(id: $id) { __typename ... on Scientist { id } ... on Failure { message } }
}
"""


def lookup(url: str, field: str, given: str) -> dict[str, Any]:
    query = LOOKUP.replace("scientist(", f"{field}(").replace("on Scientist", f"on {field.title()}")
    found: dict[str, Any] = ask(url, query, id=given)[field]
    return found


# --- ids ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("loaded")
def test_every_scientist_id_form(api_url: str) -> None:
    record = next(
        r for r in author_records() if r.get("orcid") and short(r["id"]) in works_of_any()
    )
    key = short(record["id"])
    orcid = short(record["orcid"])
    for given in (key, record["id"], key.lower(), orcid, f"https://orcid.org/{orcid}"):
        assert lookup(api_url, "scientist", given) == {"__typename": "Scientist", "id": key}, given


def works_of_any() -> set[str]:
    return {a for people in usable_authorships().values() for a, _ in people}


@pytest.mark.usefixtures("loaded")
def test_every_institution_id_form(api_url: str) -> None:
    record = next(r for r in openalex_institutions() if r.get("ror"))
    key = short(record["ror"]).lower()
    openalex = short(record["id"])
    forms = (key, record["ror"], key.upper(), openalex, record["id"], openalex.lower())
    for given in forms:
        found = lookup(api_url, "institution", given)
        assert found == {"__typename": "Institution", "id": key}, given


@pytest.mark.usefixtures("loaded")
def test_topic_team_and_industry_ids(graph: Driver, settings: Settings, api_url: str) -> None:
    topic = work_topics(sample_works()[0])[0]
    for given in (topic, f"https://openalex.org/{topic}", topic.lower()):
        assert lookup(api_url, "topic", given) == {"__typename": "Topic", "id": topic}
    team = rows(graph, settings, "MATCH (t:Team) RETURN t.id AS id ORDER BY id LIMIT 1")[0]["id"]
    assert lookup(api_url, "team", team) == {"__typename": "Team", "id": team}
    industry = yaml.safe_load(DEFAULT_INDUSTRIES_PATH.read_text(encoding="utf-8"))["industries"][0]
    found = lookup(api_url, "industry", industry["id"])
    assert found == {"__typename": "Industry", "id": industry["id"]}


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(
    ("field", "unknown", "malformed"),
    [
        ("scientist", "A1", "W2741809807"),
        ("institution", "012345678", "A5023888391"),
        ("institution", "https://openalex.org/I1", "harvard"),
        ("topic", "T1", "A123"),
        ("team", "team-0123456789abcdef", "team-xyz"),
        ("industry", "no-such-industry", "Not A Slug"),
    ],
)
def test_unknown_ids_are_not_found_and_malformed_ones_invalid(
    api_url: str, field: str, unknown: str, malformed: str
) -> None:
    missing = lookup(api_url, field, unknown)
    assert missing["__typename"] == "NotFound", missing
    assert unknown in missing["message"]
    bad = lookup(api_url, field, malformed)
    assert bad["__typename"] == "InvalidId", bad
    assert malformed in bad["message"]


# --- scientists --------------------------------------------------------------------------------

COAUTHORS = """
query ($id: ID!, $first: Int, $after: String) {
  scientist(id: $id) {
    ... on Scientist {
      works(first: 0) { totalCount }
      coauthors(first: $first, after: $after) {
        totalCount
        edges { cursor sharedWorks firstYear lastYear node { id } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""


def walk_coauthors(url: str, author: str) -> list[tuple[str, int, int, int]]:
    """Every co-author edge, page by page (7 a page), checking the counts on each page."""
    seen: list[tuple[str, int, int, int]] = []
    after = None
    while True:
        found = ask(url, COAUTHORS, id=author, first=7, after=after)["scientist"]
        assert found["works"]["totalCount"] == len(works_of(author))
        page = found["coauthors"]
        seen.extend(
            (e["node"]["id"], e["sharedWorks"], e["firstYear"], e["lastYear"])
            for e in page["edges"]
        )
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(seen)
            return seen
        after = page["pageInfo"]["endCursor"]


def assert_coauthors(seen: list[tuple[str, int, int, int]], expected: dict[str, Any]) -> None:
    assert {s[0]: s[1:] for s in seen} == expected
    assert len(seen) == len(expected)
    # most shared works first, ties by id
    assert [s[0] for s in seen] == sorted(expected, key=lambda c: (-expected[c][0], c))


@pytest.mark.usefixtures("loaded")
def test_works_and_coauthors_match_the_raw_json(api_url: str) -> None:
    checked_big = False
    for author in ranked_authors(8):
        expected = expected_coauthors(author)
        assert_coauthors(walk_coauthors(api_url, author), expected)
        checked_big |= len(expected) > 7
    assert checked_big  # at least one author's co-authors spanned several pages


def rederive(graph: Driver, settings: Settings, max_authors: int) -> None:
    """Recompute every scientist's derived ties with this limit of authors per work."""
    from ingest.derived.step import derive

    rows(graph, settings, "MATCH (s:Scientist) SET s.needs_derive = true RETURN count(*) AS n")
    derive(Writer(graph, settings.neo4j_database), max_authors=max_authors)


@pytest.mark.usefixtures("loaded")
def test_works_over_the_ties_limit_make_no_coauthors(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    """The sample's works have at most 31 authors, under the default limit of 100: derive
    again with a limit of 5 to see the works above it left out."""
    limit = 5
    changed = [
        a for a in ranked_authors(30) if expected_coauthors(a, limit) != expected_coauthors(a)
    ]
    assert len(changed) >= 3
    try:
        rederive(graph, settings, limit)
        for author in changed[:3]:
            assert_coauthors(walk_coauthors(api_url, author), expected_coauthors(author, limit))
    finally:
        rederive(graph, settings, MAX_AUTHORS)
    assert_coauthors(walk_coauthors(api_url, changed[0]), expected_coauthors(changed[0]))


PROFILE = """
query ($id: ID!) {
  scientist(id: $id) {
    ... on Scientist {
      name orcid openalexId alternativeNames
      metrics { worksCount citedByCount hIndex i10Index twoYearMeanCitedness }
      affiliations { institution { id name } startYear endYear source works }
      topics(first: 100) { topic { id name } score works }
      teams { role firstYear lastYear team { id membersCount } }
    }
  }
}
"""


@pytest.mark.usefixtures("loaded")
def test_profile_from_the_author_record_and_the_works(api_url: str) -> None:
    in_works = works_of_any()
    record = max(
        (r for r in author_records() if short(r["id"]) in in_works and r.get("affiliations")),
        key=lambda r: (len(works_of(short(r["id"]))), short(r["id"])),
    )
    key = short(record["id"])
    found = ask(api_url, PROFILE, id=key)["scientist"]
    assert found["name"] == record["display_name"]
    assert found["openalexId"] == key
    assert found["metrics"]["worksCount"] == record["works_count"]
    assert found["metrics"]["citedByCount"] == record["cited_by_count"]
    assert found["metrics"]["hIndex"] == record["summary_stats"]["h_index"]
    assert found["metrics"]["i10Index"] == record["summary_stats"]["i10_index"]

    by_source: dict[str, dict[str, tuple[Any, ...]]] = {}
    for a in found["affiliations"]:
        by_source.setdefault(a["source"], {})[a["institution"]["id"]] = (
            a["startYear"],
            a["endYear"],
            a["works"],
        )
    assert by_source["openalex_author"] == {
        k: (min(v), max(v), None) for k, v in record_affiliations(record).items()
    }
    assert by_source["openalex_authorship"] == {
        k: (first, last, works) for k, (works, first, last) in authorship_affiliations(key).items()
    }

    topic_works: Counter[str] = Counter()
    for work_id in works_of(key):
        topic_works.update(work_topics(works_by_id()[work_id]))
    assert {t["topic"]["id"]: t["works"] for t in found["topics"]} == dict(topic_works)
    scores = [t["score"] for t in found["topics"]]
    assert scores == sorted(scores, reverse=True)
    for team in found["teams"]:
        assert team["role"] in ("lead", "member")


# --- institutions ------------------------------------------------------------------------------

INSTITUTION = """
query ($id: ID!, $first: Int, $after: String) {
  institution(id: $id) {
    ... on Institution {
      id name rorId openalexId type types
      names { name language kind }
      location { city countryCode countryName latitude longitude }
      parents { id } children { id } lineage { id }
      scientists(first: $first, after: $after) {
        totalCount edges { works node { id } } pageInfo { hasNextPage endCursor }
      }
      teams(first: 100) { totalCount edges { node { id institutionId } } }
      topTopics(first: 5) { works topic { id } }
    }
  }
}
"""


def busiest_institution() -> str:
    counts = Counter(
        key for people in usable_authorships().values() for _, keys in people for key in keys
    )
    people = {key: len(institution_people(key)) for key in counts}
    return max(sorted(people), key=lambda k: people[k])


@pytest.mark.usefixtures("loaded")
def test_institution_people_and_topics_match_the_raw_json(api_url: str) -> None:
    key = busiest_institution()
    expected = institution_people(key)
    seen: list[tuple[str, int]] = []
    after = None
    while True:
        found = ask(api_url, INSTITUTION, id=key, first=40, after=after)["institution"]
        assert found["id"] == key
        page = found["scientists"]
        assert page["totalCount"] == len(expected)
        seen.extend((e["node"]["id"], e["works"]) for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert dict(seen) == expected
    assert [s[0] for s in seen] == sorted(expected, key=lambda p: (-expected[p], p))

    topics = institution_topics(key)
    ranked = sorted(topics, key=lambda t: (-topics[t], t))[:5]
    assert [(t["topic"]["id"], t["works"]) for t in found["topTopics"]] == [
        (t, topics[t]) for t in ranked
    ]
    for edge in found["teams"]["edges"]:
        assert edge["node"]["institutionId"] == key


@pytest.mark.usefixtures("loaded")
def test_lineage_matches_ror_and_openalex(api_url: str) -> None:
    pairs = expected_parents()
    parents: dict[str, set[str]] = {}
    kids: dict[str, set[str]] = {}
    for child, parent in pairs:
        parents.setdefault(child, set()).add(parent)
        kids.setdefault(parent, set()).add(child)
    lineage = expected_lineage()
    loaded = set(loaded_keys().values())
    # the loaded institutions with the most lineage, both ways, and a few more
    candidates = sorted(
        loaded, key=lambda k: (-(len(parents.get(k, ())) + len(kids.get(k, ()))), k)
    )[:6]
    # and a few whose OpenAlex lineage is not empty
    candidates += sorted(k for k in loaded if lineage.get(k))[:4]
    assert any(parents.get(k) and kids.get(k) for k in candidates)
    for key in candidates:
        found = ask(api_url, INSTITUTION, id=key, first=0)["institution"]
        assert {p["id"] for p in found["parents"]} == parents.get(key, set()), key
        assert {c["id"] for c in found["children"]} == kids.get(key, set()), key
        assert {a["id"] for a in found["lineage"]} == lineage.get(key, set()), key


@pytest.mark.usefixtures("loaded")
def test_institution_names_and_place_from_ror(api_url: str) -> None:
    record = max(
        (r for r in ror_subset() if any(n["lang"] == "zh" for n in r["names"])),
        key=lambda r: (len(r["names"]), r["id"]),
    )
    key = short(record["id"])
    found = ask(api_url, INSTITUTION, id=key, first=0)["institution"]
    kinds = {"label": "label", "alias": "alias", "acronym": "acronym"}
    expected = {
        (n["value"], n["lang"], kinds[t]) for n in record["names"] for t in n["types"] if t in kinds
    }
    got = {(n["name"], n["language"], n["kind"]) for n in found["names"] if n["kind"] in kinds}
    assert got == expected
    display = next(n["value"] for n in record["names"] if "ror_display" in n["types"])
    assert found["name"] == display
    assert sorted(found["types"]) == sorted(record["types"])
    geo = record["locations"][0]["geonames_details"]
    assert found["location"]["city"] == geo["name"]
    assert found["location"]["countryCode"] == geo["country_code"]
    assert found["location"]["latitude"] == pytest.approx(geo["lat"])


# --- teams, topics, industries, works ----------------------------------------------------------

TEAM = """
query ($id: ID!) {
  team(id: $id) {
    ... on Team {
      id membersCount leadScientistId institutionId works
      lead { id } institution { id }
      members { role scientist { id } }
      topics { works score topic { id } }
    }
  }
}
"""


@pytest.mark.usefixtures("loaded")
def test_team_profile(graph: Driver, settings: Settings, api_url: str) -> None:
    teams = rows(graph, settings, "MATCH (t:Team) RETURN t.id AS id ORDER BY t.members DESC, id")
    assert teams
    for team_id in [t["id"] for t in teams[:3]]:
        found = ask(api_url, TEAM, id=team_id)["team"]
        assert found["lead"]["id"] == found["leadScientistId"]
        assert found["institution"]["id"] == found["institutionId"]
        assert len(found["members"]) == found["membersCount"] >= 3
        assert found["members"][0] == {"role": "lead", "scientist": {"id": found["lead"]["id"]}}
        assert all(m["role"] == "member" for m in found["members"][1:])
        assert 1 <= len(found["topics"]) <= 5
        # From the raw works alone: every member wrote, at the team's institution (their own
        # authorship names it), a work with another member also there; so the members' ties at
        # the institution connect them all, and the team's works count is bounded by the
        # works with two members there.
        home = found["institutionId"]
        members = {m["scientist"]["id"] for m in found["members"]}
        together: dict[str, set[str]] = {m: set() for m in members}
        joint = set()
        for work_id, people in usable_authorships().items():
            there = {a for a, keys in people if a in members and home in keys}
            if len(there) >= 2:
                joint.add(work_id)
                for member in there:
                    together[member] |= there - {member}
        for member in members:
            assert together[member], member
            assert home in authorship_affiliations(member), member
        reached, todo = {found["lead"]["id"]}, [found["lead"]["id"]]
        while todo:
            for other in together[todo.pop()] - reached:
                reached.add(other)
                todo.append(other)
        assert reached == members
        assert 0 < found["works"] <= len(joint)


TOPIC = """
query ($id: ID!, $first: Int) {
  topic(id: $id) {
    ... on Topic {
      id name
      subfield { id name level } field { id name level } domain { id name level }
      scientists(first: $first) { totalCount edges { score works node { id } } }
    }
  }
}
"""


@pytest.mark.usefixtures("loaded")
def test_topic_taxonomy_and_experts(api_url: str) -> None:
    counts = Counter(t for w in sample_works() for t in work_topics(w))
    topic = max(sorted(counts), key=lambda t: counts[t])
    raw = next(t for w in sample_works() for t in w.get("topics") or [] if short(t["id"]) == topic)
    found = ask(api_url, TOPIC, id=topic, first=100)["topic"]
    assert found["name"] == raw["display_name"]
    for level in ("subfield", "field", "domain"):
        assert found[level]["name"] == raw[level]["display_name"]
        assert found[level]["id"] == f"{level}s/{short(raw[level]['id'])}"
        assert found[level]["level"] == level
    experts: Counter[str] = Counter()
    for work_id, people in usable_authorships().items():
        if topic in work_topics(works_by_id()[work_id]):
            experts.update(a for a, _ in people)
    page = found["scientists"]
    assert page["totalCount"] == len(experts)
    assert {e["node"]["id"]: e["works"] for e in page["edges"]} == {
        a: n for a, n in experts.items() if a in {e["node"]["id"] for e in page["edges"]}
    }
    scores = [e["score"] for e in page["edges"]]
    assert scores == sorted(scores, reverse=True)


INDUSTRY = """
query ($id: ID!) {
  industry(id: $id) {
    ... on Industry {
      id nameEn nameZh names
      segments { id order stage keywords topicIds topics { id } subfields { id } }
    }
  }
}
"""


@pytest.mark.usefixtures("loaded")
def test_industry_segments_in_chain_order(api_url: str) -> None:
    in_graph = {t for w in sample_works() for t in work_topics(w)}
    for industry in yaml.safe_load(DEFAULT_INDUSTRIES_PATH.read_text(encoding="utf-8"))[
        "industries"
    ]:
        found = ask(api_url, INDUSTRY, id=industry["id"])["industry"]
        assert found["nameZh"] == industry["name_zh"]
        segments = found["segments"]
        assert [s["id"] for s in segments] == [s["id"] for s in industry["segments"]]
        assert [s["order"] for s in segments] == sorted(s["order"] for s in segments)
        for segment, raw in zip(segments, industry["segments"], strict=True):
            wanted = set(raw.get("topic_ids") or ())
            assert {t["id"] for t in segment["topics"]} == wanted & in_graph


WORK_AUTHORS = """
query ($id: ID!) {
  scientist(id: $id) {
    ... on Scientist {
      works(first: 100) {
        edges { node { id sourceName authors { position scientist { id } }
                       topics { primary topic { id } } institutions { id } } }
      }
    }
  }
}
"""


@pytest.mark.usefixtures("loaded")
def test_work_authors_topics_and_source(api_url: str) -> None:
    author = ranked_authors(1)[0]
    edges = ask(api_url, WORK_AUTHORS, id=author)["scientist"]["works"]["edges"]
    assert len(edges) == len(works_of(author))
    for edge in edges:
        node = edge["node"]
        raw = works_by_id()[node["id"]]
        people = usable_authorships()[node["id"]]
        assert [a["scientist"]["id"] for a in node["authors"]] == [a for a, _ in people]
        positions = [a["position"] for a in node["authors"]]
        assert positions == sorted(positions)
        assert {t["topic"]["id"] for t in node["topics"]} == set(work_topics(raw))
        source = (raw.get("primary_location") or {}).get("source") or {}
        assert node["sourceName"] == source.get("display_name")
        assert {i["id"] for i in node["institutions"]} == {k for _, ks in people for k in ks}


# --- the N+1 guard -----------------------------------------------------------------------------

# 50 people, each with affiliations (and their institutions) and top co-authors: reached from
# the sample's biggest topic (its institutions have 17 people at most), and from its busiest
# institution.
PEOPLE = """
  edges { node {
    name
    affiliations { institution { name } }
    coauthors(first: 3) { edges { sharedWorks node { name } } }
  } }
"""
FIFTY = f"""
query ($id: ID!, $first: Int!) {{
  topic(id: $id) {{ ... on Topic {{ scientists(first: $first) {{ {PEOPLE} }} }} }}
}}
"""
AT_INSTITUTION = f"""
query ($id: ID!, $first: Int!) {{
  institution(id: $id) {{ ... on Institution {{ scientists(first: $first) {{ {PEOPLE} }} }} }}
}}
"""


async def _count_queries(settings: Settings, query: str, variables: dict[str, Any]) -> int:
    from api.context import Context
    from api.schema import schema
    from graph.driver import connect_async
    from graph.reader import ReadPool

    pool = ReadPool(connect_async(settings), settings.neo4j_database)
    try:
        context = Context(pool, principal=admin_principal())
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None, result.errors
        assert result.data is not None
        return context.reader.queries
    finally:
        await pool.close()


def biggest_topic() -> tuple[str, int]:
    """The topic with the most people among its works' authors, and how many."""
    people: dict[str, set[str]] = {}
    for work_id, entries in usable_authorships().items():
        for topic in work_topics(works_by_id()[work_id]):
            people.setdefault(topic, set()).update(a for a, _ in entries)
    topic = max(sorted(people), key=lambda t: len(people[t]))
    return topic, len(people[topic])


@pytest.mark.usefixtures("loaded")
def test_fifty_scientists_cost_a_bounded_number_of_queries(settings: Settings) -> None:
    topic, size = biggest_topic()
    assert size >= 50
    few = asyncio.run(_count_queries(settings, FIFTY, {"id": topic, "first": 5}))
    many = asyncio.run(_count_queries(settings, FIFTY, {"id": topic, "first": 50}))
    key = busiest_institution()
    assert len(institution_people(key)) > 5
    at_few = asyncio.run(_count_queries(settings, AT_INSTITUTION, {"id": key, "first": 5}))
    at_all = asyncio.run(_count_queries(settings, AT_INSTITUTION, {"id": key, "first": 100}))
    print(f"queries: topic 5 -> {few}, 50 -> {many}; institution 5 -> {at_few}, all -> {at_all}")
    assert many == few <= 12
    assert at_all == at_few <= 12


@pytest.mark.usefixtures("loaded")
def test_an_entity_is_looked_up_and_read_in_one_unit_of_work(settings: Settings) -> None:
    # The id's lookup (any form) and the profile's read: one unit; then the works' count,
    # the works' page and the co-authors' page, asked for in the same round.
    record = next(
        r for r in author_records() if r.get("orcid") and short(r["id"]) in works_of_any()
    )
    name = "query ($id: ID!) { scientist(id: $id) { ... on Scientist { id name } } }"
    profile = """query ($id: ID!) { scientist(id: $id) { ... on Scientist {
      works(first: 5) { totalCount edges { node { id } } }
      coauthors(first: 5) { totalCount edges { node { id } } } } } }"""
    for given in (short(record["id"]), f"https://orcid.org/{short(record['orcid'])}", "A1"):
        assert asyncio.run(_count_queries(settings, name, {"id": given})) == 1, given
    assert asyncio.run(_count_queries(settings, profile, {"id": short(record["id"])})) == 4


# --- no database: id parsing and the lookup query ----------------------------------------------


def test_parse_id_forms() -> None:
    from api.ids import IdKind, parse_id
    from graph.queries.entities import IdProperty
    from schema.ids import InvalidIdError
    from schema.labels import Label

    key = parse_id(IdKind.SCIENTIST, "https://openalex.org/A5023888391")
    assert (key.labels, key.value) == ((Label.SCIENTIST,), "A5023888391")
    key = parse_id(IdKind.SCIENTIST, "https://orcid.org/0000-0002-1825-0097")
    assert (key.properties, key.value) == ((IdProperty.ORCID,), "0000-0002-1825-0097")
    key = parse_id(IdKind.INSTITUTION, "https://ror.org/02MHBDP94")
    assert (key.properties, key.value) == ((IdProperty.ID, IdProperty.ROR_ID), "02mhbdp94")
    key = parse_id(IdKind.INSTITUTION, "i136199984")
    assert (key.properties, key.value) == ((IdProperty.ID, IdProperty.OPENALEX_ID), "I136199984")
    assert parse_id(IdKind.TOPIC, "https://openalex.org/T10699").value == "T10699"
    assert parse_id(IdKind.INDUSTRY, " semiconductors ").value == "semiconductors"
    for kind, raw in (
        (IdKind.SCIENTIST, "I136199984"),
        (IdKind.INSTITUTION, "A5023888391"),
        (IdKind.TOPIC, "subfields/1702"),
        (IdKind.TEAM, "team-"),
        (IdKind.INDUSTRY, "Semi Conductors"),
    ):
        with pytest.raises(InvalidIdError, match="is not"):
            parse_id(kind, raw)


def test_lookup_query_seeks_each_label_and_property() -> None:
    from graph.queries.entities import IdProperty, lookup_query
    from schema.labels import Label

    query = lookup_query((Label.INSTITUTION,), (IdProperty.ID, IdProperty.ROR_ID))
    assert "MATCH (n:Institution {id: key})" in query
    assert "MATCH (n:Institution {ror_id: key})" in query
    assert query.count("UNION") == 1


@pytest.mark.usefixtures("loaded")
def test_resolve_ids_in_key_order(graph: Driver, settings: Settings) -> None:
    from graph.queries.entities import IdKey, IdProperty, resolve_ids
    from graph.reader import ReadPool
    from schema.labels import Label

    author = ranked_authors(1)[0]
    keys = [
        IdKey((Label.SCIENTIST,), (IdProperty.ID, IdProperty.OPENALEX_ID), "A1"),
        IdKey((Label.SCIENTIST,), (IdProperty.ID, IdProperty.OPENALEX_ID), author),
        IdKey((Label.TOPIC,), (IdProperty.ID,), "T1"),
    ]

    async def run() -> list[str | None]:
        from graph.driver import connect_async

        pool = ReadPool(connect_async(settings), settings.neo4j_database)
        try:
            return await pool.reader()(resolve_ids, keys)
        finally:
            await pool.close()

    assert asyncio.run(run()) == [None, author, None]
