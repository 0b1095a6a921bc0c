"""Teams: community detection on a handmade graph, and the derived Team nodes of the sample
checked against the co-author graphs built here straight from the raw JSON."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.derived.teams import Teams, detect_teams
from schema.settings import Settings
from schema.team import InstitutionWorks, TeamWork, TopicScore
from tests.conftest import REPO, SAMPLE_WORKS, fresh, load_works, sample_works, short_id, snapshot
from tests.conftest import rows as query

# -- the algorithm on its own ------------------------------------------------------------------


def work(
    work_id: str, *authors: str, year: int = 2020, topics: dict[str, float] | None = None
) -> TeamWork:
    return TeamWork(
        work_id=work_id,
        year=year,
        author_ids=authors,
        topics=tuple(TopicScore(t, s) for t, s in (topics or {}).items()),
    )


def institution(*works: TeamWork, names: dict[str, str] | None = None) -> InstitutionWorks:
    return InstitutionWorks(
        institution_id="I27837315", name="Uni", works=works, scientist_names=names or {}
    )


TWO_CLIQUES = institution(
    work("W1", "A101", "A102", "A103", "A104", year=2018, topics={"T10001": 0.9}),
    work("W2", "A101", "A102", "A103", year=2020, topics={"T10001": 0.5, "T10002": 0.99}),
    work("W3", "A101", "A104", year=2021),
    work("W4", "A201", "A202", "A203", "A204", year=2015),
    work("W5", "A202", "A203", "A204", year=2016),
    work("W6", "A202", "A201", year=2017),
    work("W7", "A104", "A201", year=2022),  # the weak tie between the two groups
    work("W8", "A301", "A302", year=2020),  # a pair is not a team
    names={"A101": "Ada Lovelace"},
)


def test_two_cliques_joined_by_a_weak_edge_are_two_teams() -> None:
    found = detect_teams(TWO_CLIQUES)
    by_lead = {t.lead_scientist_id: t for t in found.teams}
    assert set(by_lead) == {"A101", "A202"}
    a, b = by_lead["A101"], by_lead["A202"]
    assert (a.works, a.members, a.first_year, a.last_year) == (3, 4, 2018, 2021)
    assert (b.works, b.members, b.first_year, b.last_year) == (3, 4, 2015, 2017)
    assert a.name == "Ada Lovelace team, Uni"
    assert b.name == "A202 team, Uni"  # no name known: the id
    expected_id = "team-" + hashlib.sha256(b"A101|I27837315").hexdigest()[:16]
    assert a.id == expected_id
    roles = {(m.team_id, m.scientist_id): m for m in found.members}
    assert {s for (t, s) in roles if t == a.id} == {"A101", "A102", "A103", "A104"}
    assert [s for (t, s), m in roles.items() if m.role == "lead"] == ["A101", "A202"]
    assert (roles[(a.id, "A104")].first_year, roles[(a.id, "A104")].last_year) == (2018, 2021)
    # W1 0.9 + W2 0.5 = 1.4 beats W2's 0.99
    assert [(t.topic_id, t.works, t.score) for t in found.topics if t.team_id == a.id] == [
        ("T10001", 2, 1.4),
        ("T10002", 1, 0.99),
    ]
    assert a.topic_ids == ("T10001", "T10002")


def test_lead_ties_go_to_the_smallest_id() -> None:
    found = detect_teams(institution(work("W1", "A7", "A5", "A6"), work("W2", "A7", "A5", "A6")))
    assert [t.lead_scientist_id for t in found.teams] == ["A5"]


def test_thresholds_and_the_recent_years_window() -> None:
    assert len(detect_teams(TWO_CLIQUES, min_members=5).teams) == 0
    assert len(detect_teams(TWO_CLIQUES, min_works=4).teams) == 0
    # The window ends at the institution's latest year (2022): 2020-2022 keeps W2, W3, W7, W8.
    recent = detect_teams(TWO_CLIQUES, recent_years=3)
    assert [t.lead_scientist_id for t in recent.teams] == ["A101"]
    assert all(t.first_year and t.first_year >= 2020 for t in recent.teams)
    assert detect_teams(institution(), recent_years=3) == Teams()


def random_institution(seed: int) -> InstitutionWorks:
    rng = random.Random(seed)
    people = [f"A{n}" for n in range(100, 160)]
    works = [
        work(f"W{n}", *rng.sample(people, rng.randint(2, 5)), year=rng.randint(2000, 2024))
        for n in range(120)
    ]
    return institution(*works)


def summary(found: Teams) -> list[Any]:
    return [
        [t.model_dump(mode="json") for t in found.teams],
        [m.model_dump(mode="json") for m in found.members],
    ]


def test_teams_are_connected_disjoint_and_deterministic() -> None:
    inst = random_institution(7)
    found = detect_teams(inst)
    assert len(found.teams) >= 3
    graph: nx.Graph[str] = nx.Graph()
    for w in inst.works:
        graph.add_edges_from((a, b) for a in w.author_ids for b in w.author_ids if a < b)
    members: defaultdict[str, set[str]] = defaultdict(set)
    for m in found.members:
        members[m.team_id].add(m.scientist_id)
    seen: set[str] = set()
    for team in found.teams:
        assert len(members[team.id]) == team.members >= 3
        assert nx.is_connected(graph.subgraph(members[team.id]))
        assert not seen & members[team.id]
        seen |= members[team.id]
    # The input's order does not matter, nor does a second run.
    shuffled = list(inst.works)
    random.Random(1).shuffle(shuffled)
    again = detect_teams(dataclasses.replace(inst, works=tuple(shuffled)))
    assert summary(again) == summary(found)


def test_teams_do_not_depend_on_string_hashing() -> None:
    """Another process with another PYTHONHASHSEED finds the same teams."""
    script = (
        "import json; from tests.test_teams import random_institution, summary; "
        "from ingest.derived.teams import detect_teams; "
        "print(json.dumps(summary(detect_teams(random_institution(7)))))"
    )
    outputs = set()
    for hash_seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == summary(detect_teams(random_institution(7)))


# -- the derived graph of the sample -------------------------------------------------------


@dataclass
class RawWork:
    year: int | None
    authors: set[str] = field(default_factory=set)
    topics: dict[str, float] = field(default_factory=dict)


def raw_works_at(works: list[dict[str, Any]], max_authors: int) -> dict[str, dict[str, RawWork]]:
    """From the raw JSON: institution -> work -> its authors there, for works with at most
    `max_authors` authorships and two or more authors at the institution. An institution is
    keyed by its ROR id when the authorship gives one, else by its OpenAlex id."""
    found: defaultdict[str, dict[str, RawWork]] = defaultdict(dict)
    for w in works:
        if len(w["authorships"]) > max_authors:
            continue
        topics = {short_id(t["id"]): t["score"] for t in w.get("topics") or []}
        per: defaultdict[str, set[str]] = defaultdict(set)
        for a in w["authorships"]:
            author = (a.get("author") or {}).get("id")
            if author:
                for i in a["institutions"]:
                    per[short_id(i.get("ror") or i["id"])].add(short_id(author))
        for inst, people in per.items():
            if len(people) >= 2:
                found[inst][short_id(w["id"])] = RawWork(w.get("publication_year"), people, topics)
    return dict(found)


TEAMS = """
MATCH (t:Team)-[:BASED_AT]->(i:Institution)
MATCH (lead:Scientist {id: t.lead_scientist_id})
RETURN t.id AS id, i.id AS institution, properties(t) AS props, lead.name AS lead_name,
       i.name AS institution_name,
       COLLECT { MATCH (s:Scientist)-[m:MEMBER_OF]->(t)
                 RETURN [s.id, m.role, m.first_year, m.last_year] } AS members,
       COLLECT { MATCH (t)-[r:WORKS_ON]->(x:Topic) RETURN [x.id, r.works, r.score] } AS topics
ORDER BY id
"""


def team_state(driver: Driver, settings: Settings) -> list[str]:
    """Teams with their properties and relationships, as sorted JSON strings."""
    found = query(
        driver,
        settings,
        "MATCH (t:Team) RETURN properties(t) AS row UNION ALL "
        "MATCH (a)-[r:MEMBER_OF|BASED_AT|WORKS_ON]->(b) "
        "RETURN [a.id, type(r), properties(r), b.id] AS row",
    )
    return sorted(json.dumps(r["row"], sort_keys=True) for r in found)


@pytest.fixture(scope="module", autouse=True)
def loaded(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path_factory.mktemp("q"), batch_size=50)


def test_teams_match_the_raw_coauthor_graphs(graph: Driver, settings: Settings) -> None:
    at = raw_works_at(sample_works(), settings.max_authors_for_ties)
    teams = query(graph, settings, TEAMS)
    assert len(teams) >= 10
    busiest = min(at, key=lambda i: (-len(at[i]), i))
    assert any(t["institution"] == busiest for t in teams)
    members_at: defaultdict[str, set[str]] = defaultdict(set)
    for team in teams:
        inst, props = team["institution"], team["props"]
        coauthors: nx.Graph[str] = nx.Graph()
        for w in at[inst].values():
            coauthors.add_edges_from((a, b) for a in w.authors for b in w.authors if a < b)
        members = {m[0]: m for m in team["members"]}
        assert len(members) == props["members"] >= 3
        assert set(members) <= set(coauthors)
        assert nx.is_connected(coauthors.subgraph(members))
        assert not members_at[inst] & set(members), "teams of an institution are disjoint"
        members_at[inst] |= set(members)

        team_works = {k: w for k, w in at[inst].items() if len(w.authors & set(members)) >= 2}
        years = [w.year for w in team_works.values() if w.year]
        assert props["works"] == len(team_works)
        assert (props["first_year"], props["last_year"]) == (min(years), max(years))
        works_of = Counter(p for w in team_works.values() for p in w.authors & set(members))
        lead = min(members, key=lambda p: (-works_of[p], p))
        assert [m[0] for m in members.values() if m[1] == "lead"] == [lead]
        assert {m[1] for m in members.values() if m[0] != lead} <= {"member"}
        assert props["lead_scientist_id"] == lead
        assert team["id"] == "team-" + hashlib.sha256(f"{lead}|{inst}".encode()).hexdigest()[:16]
        assert props["name"] == f"{team['lead_name']} team, {team['institution_name']}"
        for person, _, first, last in members.values():
            own = [w.year for w in team_works.values() if person in w.authors and w.year]
            assert (first, last) == (min(own), max(own))

        score: Counter[str] = Counter()
        count: Counter[str] = Counter()
        for w in team_works.values():
            score.update(w.topics)
            count.update(w.topics.keys())
        best = sorted(score, key=lambda t: (-round(score[t], 6), t))[:5]
        assert props["topic_ids"] == best
        works_on = {topic: (works, value) for topic, works, value in team["topics"]}
        assert works_on == {t: (count[t], pytest.approx(score[t])) for t in best}


def test_every_team_has_one_institution(graph: Driver, settings: Settings) -> None:
    found = query(
        graph,
        settings,
        "MATCH (t:Team) RETURN t.institution_id AS inst, [(t)-[:BASED_AT]->(i) | i.id] AS based_at",
    )
    assert found
    assert all(r["based_at"] == [r["inst"]] for r in found)


def test_derive_again_changes_nothing(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    before = snapshot(graph, settings)
    report = derive(
        Writer(graph, settings.neo4j_database), max_authors=settings.max_authors_for_ties
    )
    assert (report.works, report.teams) == (0, 0)
    assert snapshot(graph, settings) == before
    # A reload marks everything: every team is recomputed, to the same values.
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "q", batch_size=50)
    assert snapshot(graph, settings) == before


def fresh_load(driver: Driver, settings: Settings, path: Path, tmp: Path, batch_size: int) -> None:
    fresh(driver, settings)
    load_works(driver, settings, [path], tmp, batch_size=batch_size)


def test_teams_do_not_depend_on_batches(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    before = team_state(graph, settings)
    fresh_load(graph, settings, SAMPLE_WORKS, tmp_path / "q", batch_size=7)
    assert team_state(graph, settings) == before


def test_an_institution_dropped_from_its_works_loses_its_teams(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    counts = query(
        graph,
        settings,
        "MATCH (t:Team)-[:BASED_AT]->(i) RETURN i.id AS id, count(t) AS n ORDER BY n DESC, id",
    )
    gone = counts[0]["id"]
    changed, everything = [], []
    for w in sample_works():
        names_it = False
        for a in w["authorships"]:
            kept = [i for i in a["institutions"] if short_id(i.get("ror") or i["id"]) != gone]
            names_it |= len(kept) < len(a["institutions"])
            a["institutions"] = kept
        everything.append(w)
        if names_it:
            changed.append(w)
    assert changed
    (tmp_path / "changed.jsonl").write_text("".join(json.dumps(w) + "\n" for w in changed))
    (tmp_path / "all.jsonl").write_text("".join(json.dumps(w) + "\n" for w in everything))

    load_works(graph, settings, [tmp_path / "changed.jsonl"], tmp_path / "q")
    left = query(
        graph, settings, "MATCH (t:Team)-[:BASED_AT]->(:Institution {id: $id}) RETURN t", id=gone
    )
    assert left == []
    marks = query(graph, settings, "MATCH (n) WHERE n.needs_derive IS NOT NULL RETURN n")
    assert marks == []
    incremental = team_state(graph, settings)
    # What the incremental run left is what a load of the changed sample from scratch gives.
    fresh_load(graph, settings, tmp_path / "all.jsonl", tmp_path / "q", batch_size=50)
    assert team_state(graph, settings) == incremental
    fresh_load(graph, settings, SAMPLE_WORKS, tmp_path / "q", batch_size=50)  # for later tests
