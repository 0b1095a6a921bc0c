"""Curators merge and split scientists; the decisions hold through a full re-ingest.

Two real people from the sample: the most prolific author of the sample works, and a person
with a full Author record (ORCID, affiliations) who shares no work with the first. Every
expected number is counted here from the raw JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from schema.identity import (
    IdentityDecision,
    IdentityDecisionKind,
    IdentityScope,
    plan_identities,
)
from schema.settings import Settings
from tests.conftest import (
    SAMPLE_WORKS,
    ask,
    create_key,
    most_prolific,
    rows,
    sample_works,
    scalar,
    short_id,
)

SAMPLE_AUTHORS = SAMPLE_WORKS.parent / "authors.jsonl"
TALENTMAP = [sys.executable, "-m", "talentmap.cli"]


def talentmap(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*TALENTMAP, *args],
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def full_ingest(works: Path = SAMPLE_WORKS, *options: str) -> None:
    talentmap("ingest", "openalex", *options, str(works), str(SAMPLE_AUTHORS))


@pytest.fixture(scope="module")
def reformatted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample works, the same records written more compactly: a load skips a record it
    has stored from the same text, so this copy makes every work be written again (as a newer
    OpenAlex snapshot would), its authorships replaced by the record's."""
    path = tmp_path_factory.mktemp("reingest") / "works.jsonl"
    lines = [json.dumps(w, ensure_ascii=False, separators=(",", ":")) for w in sample_works()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- expectations from the raw JSON ----------------------------------------------------------


def works_of() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for work in sample_works():
        for authorship in work["authorships"]:
            author = (authorship.get("author") or {}).get("id")
            if author:
                found.setdefault(short_id(author), set()).add(short_id(work["id"]))
    return found


def author_records() -> dict[str, dict[str, Any]]:
    with SAMPLE_AUTHORS.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return {short_id(r["id"]): r for r in records}


def record_institutions(record: dict[str, Any]) -> set[str]:
    """Institution keys of an Author record's affiliations: ROR id, else OpenAlex id."""
    keys = set()
    for affiliation in record.get("affiliations") or []:
        institution = affiliation["institution"]
        keys.add(
            short_id(institution["ror"]) if institution.get("ror") else short_id(institution["id"])
        )
    return keys


def coauthors(works: set[str], people: set[str], max_authors: int) -> set[str]:
    """Authors sharing a work (with at most `max_authors` authorships) with `people`."""
    found = set()
    for work in sample_works():
        if short_id(work["id"]) not in works or len(work["authorships"]) > max_authors:
            continue
        for authorship in work["authorships"]:
            author = (authorship.get("author") or {}).get("id")
            if author:
                found.add(short_id(author))
    return found - people


@pytest.fixture(scope="module")
def pair() -> tuple[str, str]:
    """(keep, other): the most prolific author, and the first person with an Author record,
    an ORCID and institutions who shares no work with them."""
    keep = short_id(most_prolific()[0])
    works = works_of()
    records = author_records()
    other = next(
        a
        for a in sorted(records)
        if a in works
        and a != keep
        and records[a].get("orcid")
        and record_institutions(records[a])
        and not works[a] & works[keep]
    )
    return keep, other


@pytest.fixture(scope="module")
def loaded(graph: Driver) -> Iterator[Driver]:
    full_ingest()
    yield graph


# --- graph probes ----------------------------------------------------------------------------


def authored(driver: Driver, settings: Settings, sid: str) -> set[str]:
    found = rows(
        driver,
        settings,
        "MATCH (:Scientist {id: $id})-[:AUTHORED]->(w:Work) RETURN DISTINCT w.id AS id",
        id=sid,
    )
    return {r["id"] for r in found}


def scientists(driver: Driver, settings: Settings, sid: str) -> int:
    return int(scalar(driver, settings, "MATCH (s:Scientist {id: $id}) RETURN count(s)", id=sid))


def coauthor_ids(driver: Driver, settings: Settings, sid: str) -> set[str]:
    found = rows(
        driver,
        settings,
        "MATCH (:Scientist {id: $id})-[:COAUTHORED]-(c:Scientist) RETURN c.id AS id",
        id=sid,
    )
    return {r["id"] for r in found}


def record_affiliations(driver: Driver, settings: Settings, sid: str) -> set[str]:
    found = rows(
        driver,
        settings,
        "MATCH (:Scientist {id: $id})-[:AFFILIATED_WITH {source: 'openalex_author'}]->(i) "
        "RETURN i.id AS id",
        id=sid,
    )
    return {r["id"] for r in found}


SCIENTIST = """
query ($id: ID!) {
  scientist(id: $id) {
    __typename
    ... on Scientist { id works { totalCount } }
    ... on Failure { message }
  }
}
"""
SPLIT = """
mutation ($a: ID!, $b: ID!, $reason: String) {
  splitScientists(a: $a, b: $b, reason: $reason) {
    __typename
    ... on IdentityDecision { id kind left right curator reason scientists { id } }
    ... on Failure { message }
  }
}
"""
MERGE = """
mutation ($keep: ID!, $merge: ID!) {
  mergeScientists(keep: $keep, merge: $merge) {
    __typename
    ... on IdentityDecision { kind scientists { id } }
    ... on Failure { message }
  }
}
"""


def assert_merged(driver: Driver, settings: Settings, api_url: str, keep: str, other: str) -> None:
    works = works_of()
    union = works[keep] | works[other]
    orcid = short_id(author_records()[other]["orcid"])
    assert scientists(driver, settings, other) == 0
    assert scientists(driver, settings, keep) == 1
    assert authored(driver, settings, keep) == union
    # Lookups by every identifier of the merged person find the survivor.
    for ref in (other, f"https://openalex.org/{other}", orcid, keep):
        found = ask(api_url, SCIENTIST, {"id": ref})["data"]["scientist"]
        assert found == {"__typename": "Scientist", "id": keep, "works": {"totalCount": len(union)}}
    # Derived ties recomputed for the merged node: co-authors of both people's works.
    expected = coauthors(union, {keep, other}, settings.max_authors_for_ties)
    assert coauthor_ids(driver, settings, keep) == expected
    assert not rows(
        driver,
        settings,
        "MATCH (s:Scientist)-[:COAUTHORED]-(x) WHERE x.id = $id RETURN s",
        id=other,
    )
    # The Author record's affiliations of the merged person are the survivor's now.
    assert record_institutions(author_records()[other]) <= record_affiliations(
        driver, settings, keep
    )


def assert_apart(driver: Driver, settings: Settings, keep: str, other: str) -> None:
    works = works_of()
    for person in (keep, other):
        assert scientists(driver, settings, person) == 1
        assert authored(driver, settings, person) == works[person]
        expected = coauthors(works[person], {person}, settings.max_authors_for_ties)
        assert coauthor_ids(driver, settings, person) == expected
    assert record_affiliations(driver, settings, other) == record_institutions(
        author_records()[other]
    )
    assert scalar(driver, settings, "MATCH (m:MergedScientist) RETURN count(m)") == 0


def test_merge_and_split_survive_a_full_reingest(
    loaded: Driver, settings: Settings, api_url: str, pair: tuple[str, str], reformatted: Path
) -> None:
    keep, other = pair
    works = works_of()
    assert_apart(loaded, settings, keep, other)

    done = talentmap(
        "curate", "merge", keep, f"https://openalex.org/{other}", "--reason", "one person"
    )
    assert f"merge {keep} {other} recorded" in done.stdout
    assert_merged(loaded, settings, api_url, keep, other)

    # A full re-ingest writes the other person's node and authorships again...
    full_ingest(reformatted, "--no-derive")
    assert scientists(loaded, settings, other) == 1
    assert authored(loaded, settings, other) == works[other]
    assert authored(loaded, settings, keep) == works[keep]
    # ...and the derive step that ends every ingest applies the decision again.
    talentmap("derive")
    assert_merged(loaded, settings, api_url, keep, other)
    full_ingest()
    assert_merged(loaded, settings, api_url, keep, other)
    assert scalar(loaded, settings, "MATCH (m:MergedScientist) RETURN count(m)") == 1

    split = ask(api_url, SPLIT, {"a": keep, "b": other, "reason": "two people"})
    found = split["data"]["splitScientists"]
    assert found["__typename"] == "IdentityDecision", split
    assert (found["kind"], found["left"], found["right"]) == ("split", keep, other)
    assert found["curator"] == "tests" and found["reason"] == "two people"
    assert {s["id"] for s in found["scientists"]} == {keep, other}
    # At once: each has its own works again; the derived ties follow with the next derive.
    for person in (keep, other):
        assert authored(loaded, settings, person) == works[person]
        answer = ask(api_url, SCIENTIST, {"id": person})["data"]["scientist"]
        assert answer["id"] == person
    talentmap("derive")
    assert_apart(loaded, settings, keep, other)

    full_ingest(reformatted)
    assert_apart(loaded, settings, keep, other)

    listing = talentmap("curate", "list").stdout
    assert "merge" in listing and "split" in listing and keep in listing


def test_viewer_and_recruiter_are_refused_admin_may(
    loaded: Driver, settings: Settings, api_url: str, pair: tuple[str, str]
) -> None:
    keep, other = pair
    for role in ("viewer", "recruiter"):
        key = create_key(loaded, settings, role, f"curation-{role}")
        answer = ask(api_url, MERGE, {"keep": keep, "merge": other}, key=key)
        assert answer.get("data") is None
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]
    assert scientists(loaded, settings, other) == 1  # nothing happened
    # The admin may: a merge of the pair itself overrides the earlier split of the pair.
    answer = ask(api_url, MERGE, {"keep": keep, "merge": other})["data"]["mergeScientists"]
    assert answer == {
        "__typename": "IdentityDecision",
        "kind": "merge",
        "scientists": [{"id": keep}],
    }
    assert scientists(loaded, settings, other) == 0
    # Kept apart from `keep`, a third person cannot join its group through `other`.
    third = next(a for a in sorted(works_of()) if a not in pair)
    split = ask(api_url, SPLIT, {"a": keep, "b": third})["data"]["splitScientists"]
    assert split["__typename"] == "IdentityDecision"
    chain = ask(api_url, MERGE, {"keep": other, "merge": third})["data"]["mergeScientists"]
    assert chain["__typename"] == "CurationConflict", chain
    assert scientists(loaded, settings, third) == 1


def test_a_shared_affiliation_is_not_doubled_and_a_split_gives_it_back(
    loaded: Driver, settings: Settings, api_url: str
) -> None:
    """Two Author records that list the same institution: one tie after the merge, and the
    split-off person has its record's affiliations back at once, without a reload."""
    records = author_records()
    ids = sorted(records)
    first, second = next(
        (a, b)
        for a in ids
        for b in ids
        if a < b and record_institutions(records[a]) & record_institutions(records[b])
    )
    shared = record_institutions(records[first]) & record_institutions(records[second])
    union = record_institutions(records[first]) | record_institutions(records[second])
    merged = ask(api_url, MERGE, {"keep": first, "merge": second})["data"]["mergeScientists"]
    assert merged["scientists"] == [{"id": first}]
    assert record_affiliations(loaded, settings, first) == union
    doubled = rows(
        loaded,
        settings,
        "MATCH (:Scientist {id: $id})-[r:AFFILIATED_WITH {source: 'openalex_author'}]->(i) "
        "WITH i, count(r) AS n WHERE n > 1 RETURN i.id AS id",
        id=first,
    )
    assert doubled == [] and shared
    talentmap("curate", "split", first, second, "--reason", "two people")
    for person in (first, second):
        expected = record_institutions(records[person])
        assert record_affiliations(loaded, settings, person) == expected


def test_bad_ids_are_typed_failures(loaded: Driver, api_url: str, pair: tuple[str, str]) -> None:
    keep, _ = pair
    bad = ask(api_url, MERGE, {"keep": keep, "merge": "nonsense"})["data"]["mergeScientists"]
    assert bad["__typename"] == "InvalidId" and "nonsense" in bad["message"]
    missing = ask(api_url, MERGE, {"keep": keep, "merge": "A1"})["data"]["mergeScientists"]
    assert missing["__typename"] == "NotFound"
    same = ask(api_url, MERGE, {"keep": keep, "merge": keep})["data"]["mergeScientists"]
    assert same["__typename"] == "InvalidId" and "same scientist" in same["message"]


def _decision(kind: str, left: str, right: str, minute: int) -> IdentityDecision:
    from datetime import UTC, datetime

    return IdentityDecision(
        kind=IdentityDecisionKind(kind),
        scope=IdentityScope.SCIENTIST,
        left=(left,),
        right=(right,),
        curator="tests",
        decided_at=datetime(2026, 1, 1, 0, minute, tzinfo=UTC),
    )


def test_plan_latest_decision_per_pair_and_splits_hold_against_chains() -> None:
    merge_ab = _decision("merge", "A1", "A2", 1)
    merge_bc = _decision("merge", "A2", "A3", 2)
    assert plan_identities([merge_bc, merge_ab]).aliases() == {"A2": "A1", "A3": "A1"}
    split_ab = _decision("split", "A1", "A2", 3)
    assert plan_identities([merge_ab, merge_bc, split_ab]).aliases() == {"A3": "A2"}
    # A chain through a third person cannot join two people a split keeps apart.
    split_ac = _decision("split", "A1", "A3", 3)
    plan = plan_identities([merge_ab, merge_bc, split_ac])
    assert plan.aliases() == {"A2": "A1"} and plan.overruled == [merge_bc]
    # A later merge of the pair itself undoes the split.
    again = _decision("merge", "A1", "A2", 4)
    assert plan_identities([merge_ab, split_ab, again]).aliases() == {"A2": "A1"}


def test_the_disambiguator_obeys_a_split_of_scientists() -> None:
    """Known scientists enter the disambiguator as mentions keyed by their own id, so a
    curator's split of two scientists keeps them apart whatever the evidence says."""
    from ingest.matching.clustering import disambiguate
    from ingest.matching.evidence import Mention
    from ingest.matching.names import parse_text_name

    def person(sid: str) -> Mention:
        return Mention(
            id=sid,
            name=parse_text_name("Wei Zhang"),
            affiliations=("Tsinghua University",),
            email="wzhang@tsinghua.edu.cn",
        )

    people = [person("A1"), person("A2")]
    assert [p.mention_ids for p in disambiguate(people)] == [("A1", "A2")]
    split = _decision("split", "A1", "A2", 1)
    apart = disambiguate(people, curated=[split])
    assert sorted(p.mention_ids for p in apart) == [("A1",), ("A2",)]
