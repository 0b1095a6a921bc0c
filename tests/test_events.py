"""Events end to end: a watched scientist's changes in an ingest become MOVE, REGION_TIE,
NEW_TEAM (and NEW_WORK) events after the derived step, and a re-scoring that puts them in
another tier a TIER_CHANGE; nothing is written twice.

The works are SYNTHETIC, OpenAlex-shaped and written here (about a real topic, with one real
institution of the home region, Soochow University, by its ROR id), so that each change
happens exactly once: a scientist who published at one institution until 2018 publishes in
2024 at another, with two colleagues there (a new team) and a co-author at Soochow University
(the first tie with the region)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.driver import connect_async
from graph.read.watch import watchlist_events
from graph.reader import ReadPool
from graph.unit_of_work import Writer
from graph.write.watch import create_watchlist, watch
from ingest.derived.evaluation import derive_evaluation, load_model
from ingest.derived.step import derive
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from schema.apikey import Role
from schema.audit import Actor
from schema.settings import Settings
from schema.watch import EntityKind, Event, Watchlist
from tests.conftest import SAMPLE_WORKS, load_works, scalar

OA = "https://openalex.org/"
WATCHED = "A9800000001"
SOOCHOW = "05t8y2r12"  # in the Suzhou profile's districts (data/regions/suzhou.yaml)
OLD_PLACE, NEW_PLACE = "I9800000001", "I9800000002"


def _topic() -> dict[str, Any]:
    """The primary topic of the first sample work, as OpenAlex publishes topics."""
    first = json.loads(SAMPLE_WORKS.read_text(encoding="utf-8").split("\n", 1)[0])
    topic: dict[str, Any] = first["primary_topic"]
    return topic


def _institution(key: str) -> dict[str, Any]:
    if key == SOOCHOW:
        return {
            "id": f"{OA}I9800000003",
            "display_name": "Soochow University",
            "ror": f"https://ror.org/{SOOCHOW}",
            "country_code": "CN",
            "type": "education",
        }
    return {"id": OA + key, "display_name": f"Synthetic Institute {key}", "ror": None,
            "country_code": "US", "type": "education"}  # fmt: skip


def _work(n: int, year: int, byline: list[tuple[str, str]]) -> dict[str, Any]:
    """A SYNTHETIC work: (author id, institution key) in byline order."""
    topic = _topic()
    authorships = [
        {
            "author_position": "first"
            if i == 0
            else ("last" if i == len(byline) - 1 else "middle"),
            "author": {"id": OA + author, "display_name": f"Synthetic Author {author}"},
            "institutions": [_institution(place)],
            "countries": [_institution(place)["country_code"]],
            "is_corresponding": i == 0,
            "raw_author_name": f"Synthetic Author {author}",
            "raw_affiliation_strings": [_institution(place)["display_name"]],
        }
        for i, (author, place) in enumerate(byline)
    ]
    return {
        "id": f"{OA}W98{n:08d}",
        "display_name": f"Synthetic work {n}",
        "publication_year": year,
        "publication_date": f"{year}-06-01",
        "type": "article",
        "cited_by_count": 3,
        "authorships": authorships,
        "primary_topic": topic,
        "topics": [topic],
        "updated_date": "2025-01-01T00:00:00",
    }


def _write(path: Path, works: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(w) + "\n" for w in works), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def changed(
    graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Before: the watched scientist's works at one place (2015-2018), and someone else's at
    Soochow University, with the region profile loaded. Then a watchlist, and the 2024 work;
    the events of the list after the derived step."""
    tmp = tmp_path_factory.mktemp("events")
    colleague = "A9800000009"
    before = [_work(n, 2015 + n, [(WATCHED, OLD_PLACE), (colleague, OLD_PLACE)]) for n in range(4)]
    before.append(_work(10, 2019, [("A9800000005", SOOCHOW)]))
    load_works(graph, settings, [_write(tmp / "before.jsonl", before)], tmp / "q")
    load_region(Writer(graph, settings.neo4j_database), DEFAULT_REGION_PATH)
    watchlist = asyncio.run(_watch(settings))
    later = _work(
        20,
        2024,
        [(WATCHED, NEW_PLACE), ("A9800000002", NEW_PLACE), ("A9800000003", NEW_PLACE),
         ("A9800000004", SOOCHOW)],
    )  # fmt: skip
    load_works(graph, settings, [_write(tmp / "later.jsonl", [later])], tmp / "q")
    return {"watchlist": watchlist, "work": "W9800000020", "events": _events(settings, watchlist)}


async def _watch(settings: Settings) -> str:
    pool = ReadPool(connect_async(settings), settings.neo4j_database)
    try:
        made = Watchlist(id="wl-events", name="events", owner="tests", created_at=datetime.now(UTC))
        admin = Actor(name="tests", role=Role.ADMIN)
        await pool.reader().write(create_watchlist, made)
        await pool.reader().write(
            watch,
            watchlist_id=made.id,
            entity_id=WATCHED,
            kind=EntityKind.SCIENTIST,
            actor=admin,
            at=datetime.now(UTC),
        )
        return made.id
    finally:
        await pool.close()


def _events(settings: Settings, watchlist: str) -> dict[str, list[Event]]:
    async def read() -> list[Event]:
        pool = ReadPool(connect_async(settings), settings.neo4j_database)
        try:
            return (await pool.reader()(watchlist_events, watchlist, None, 0, 100))[1]
        finally:
            await pool.close()

    found: dict[str, list[Event]] = {}
    for event in asyncio.run(read()):
        found.setdefault(str(event.kind), []).append(event)
    return found


def test_a_move_to_another_institution(changed: dict[str, Any]) -> None:
    [move] = changed["events"]["MOVE"]
    assert move.id == f"move:{WATCHED}:{NEW_PLACE}"
    assert (move.facts["institution"], move.facts["endYear"]) == (NEW_PLACE, 2024)
    assert move.facts["previous"] == [OLD_PLACE]
    assert "NEW_AFFILIATION" not in changed["events"]


def test_the_first_work_with_the_home_region(changed: dict[str, Any]) -> None:
    [tie] = changed["events"]["REGION_TIE"]
    assert tie.id == f"tie:{WATCHED}"
    assert (tie.facts["work"], tie.facts["institutions"]) == (changed["work"], [SOOCHOW])
    assert "Soochow University" in tie.summary
    [new_work] = changed["events"]["NEW_WORK"]
    assert new_work.facts["work"] == changed["work"]


def test_a_new_team(changed: dict[str, Any]) -> None:
    [team] = changed["events"]["NEW_TEAM"]
    assert team.entity_id == WATCHED
    assert team.facts["institution"] == NEW_PLACE
    assert team.id == f"team:{WATCHED}:{team.facts['team']}"


def test_a_tier_change_and_nothing_twice(
    changed: dict[str, Any], graph: Driver, settings: Settings
) -> None:
    writer = Writer(graph, settings.neo4j_database)
    events = scalar(graph, settings, "MATCH (e:Event) RETURN count(e)")
    # A re-run of the derived step over nothing new writes no event.
    derive(writer, max_authors=settings.max_authors_for_ties)
    assert scalar(graph, settings, "MATCH (e:Event) RETURN count(e)") == events
    assert "TIER_CHANGE" not in changed["events"]
    # The bundled model scores the field (too few people for tiers); a model whose ENGINEER
    # tier everyone with a work holds re-scores everyone, and the watched scientist moves up.
    never = {"score": 2.0}
    model = replace(
        load_model(),
        version="test-tiers",
        min_field_size=1,
        tiers={"TOP": never, "LEADING": never, "YOUNG": never, "ENGINEER": {"min_works": 1.0}},
    )
    assert derive_evaluation(writer, model) > 0
    assert derive_evaluation(writer, model) == 0
    [tier] = _events(settings, changed["watchlist"])["TIER_CHANGE"]
    assert (tier.entity_id, tier.facts["before"], tier.facts["after"]) == (
        WATCHED,
        None,
        "ENGINEER",
    )
    assert tier.facts["model"] == "test-tiers"
    # Only the watched scientist's change is an event.
    assert scalar(graph, settings, "MATCH (e:Event) RETURN count(e)") == events + 1
