"""Events of watched entities, written by the derived step from what the loads marked.

No full scans: each statement starts from the ids the derived step is processing (marked works,
marked scientists, the institutions whose teams it recomputes) and keeps only the watched ones
(`(:Watchlist)-[:WATCHES]->`), so a graph nobody watches costs one cheap EXISTS per id.

- New works: a work load marks a work it had no record of before `new_record` (graph.write.work);
  `track_works` runs before `derived.mark_from_works` clears the marks of a chunk, and records a
  NEW_WORK for each watched author, and a REGION_TIE when the work is the author's first with an
  institution of the home region (a City with profile districts).
- Affiliations: `derive_scientists_tracked` reads the watched scientists' affiliations, runs
  `derived.derive_scientists`, reads them again and records the differences, in one transaction.
- Teams: `replace_teams_tracked` does the same around `team.replace_teams`.

Events are MERGEd on ids made from what they say (schema.watch.event_id), so a re-run, or a
retried transaction, writes nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from neo4j import ManagedTransaction

from graph.write import derived, team
from schema.labels import Label, Rel
from schema.team import Team, TeamMembership, TeamTopic
from schema.watch import EntityKind, Event, EventKind, affiliation_events, event_id

_WATCHED = f"EXISTS {{ (x)<-[:{Rel.WATCHES}]-(:{Label.WATCHLIST}) }}"
# An institution of the home region: the profile places it in one of its districts
# (data/regions/*.yaml lists institutions by district), or its GeoNames city is, or is part
# of, a City that has profile districts.
_HOME = f"""(EXISTS {{ (i)-[:{Rel.LOCATED_IN}]->(:{Label.DISTRICT}) }} OR EXISTS {{
  MATCH (i)-[:{Rel.LOCATED_IN}]->(:{Label.CITY})-[:{Rel.PART_OF}|{Rel.LOCATED_IN}*0..3]
        ->(:{Label.CITY})<-[:{Rel.LOCATED_IN}]-(:{Label.DISTRICT})
}})"""

WATCHED_NEW_WORKS = f"""
UNWIND $ids AS wid
MATCH (w:{Label.WORK} {{id: wid}})
WHERE w.new_record IS NOT NULL
MATCH (w)<-[:{Rel.AUTHORED}]-(x:{Label.SCIENTIST})
WHERE {_WATCHED}
WITH w, x,
     [(w)-[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION}) WHERE {_HOME} | i] AS home
RETURN x.id AS scientist, w.id AS work, w.title AS title, w.publication_year AS year,
       [i IN home | {{id: i.id, name: i.name}}] AS home,
       size(home) > 0 AND NOT EXISTS {{
         MATCH (x)-[:{Rel.AUTHORED}]->(o:{Label.WORK})
               -[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION})
         WHERE o.new_record IS NULL AND {_HOME}
       }} AS first_tie
ORDER BY scientist, work
"""
WATCHED_AFFILIATIONS = f"""
UNWIND $ids AS sid
MATCH (x:{Label.SCIENTIST} {{id: sid}})
WHERE {_WATCHED}
RETURN x.id AS id,
       [(x)-[a:{Rel.AFFILIATED_WITH}]->(i:{Label.INSTITUTION}) |
        {{id: i.id, name: i.name, start: a.start_year, end: a.end_year}}] AS affiliations
"""
# The teams of the watched scientists and institutions these institutions' teams touch.
WATCHED_TEAMS = f"""
UNWIND $ids AS iid
MATCH (i:{Label.INSTITUTION} {{id: iid}})<-[:{Rel.BASED_AT}]-(t:{Label.TEAM})
CALL (i, t) {{
  MATCH (t)<-[:{Rel.MEMBER_OF}]-(x:{Label.SCIENTIST}) WHERE {_WATCHED}
  RETURN x.id AS entity, 'SCIENTIST' AS kind
  UNION
  WITH i AS x WHERE {_WATCHED}
  RETURN x.id AS entity, 'INSTITUTION' AS kind
}}
RETURN entity, kind, t.id AS team, t.name AS name, i.id AS institution, i.name AS place
"""
WRITE_EVENTS = f"""
UNWIND $rows AS row
MATCH (x {{id: row.entity_id}})
WHERE x:{Label.SCIENTIST} OR x:{Label.TEAM} OR x:{Label.INSTITUTION}
MERGE (e:{Label.EVENT} {{id: row.id}})
ON CREATE SET e += row.props, e.at = datetime(row.at)
MERGE (e)-[:{Rel.CONCERNS}]->(x)
"""


def write_events(tx: ManagedTransaction, events: Sequence[Event]) -> None:
    rows = [
        {
            "id": e.id,
            "entity_id": e.entity_id,
            "at": e.at.isoformat(),
            "props": {
                "kind": str(e.kind),
                "entity_id": e.entity_id,
                "entity_kind": str(e.entity_kind),
                "summary": e.summary,
                "facts": json.dumps(e.facts, ensure_ascii=False, sort_keys=True),
            },
        }
        for e in events
    ]
    if rows:
        tx.run(WRITE_EVENTS, rows=rows).consume()


def track_works(tx: ManagedTransaction, work_ids: list[str], at: datetime) -> int:
    """NEW_WORK and REGION_TIE events for these marked works' watched authors; how many."""
    events: list[Event] = []
    tied: set[str] = set()
    for r in tx.run(WATCHED_NEW_WORKS, ids=work_ids):
        sid, wid = str(r["scientist"]), str(r["work"])
        facts = {"work": wid, "title": r["title"], "year": r["year"]}
        events.append(
            Event(
                id=event_id(EventKind.NEW_WORK, sid, wid),
                kind=EventKind.NEW_WORK,
                entity_id=sid,
                entity_kind=EntityKind.SCIENTIST,
                at=at,
                summary=f"new work ({r['year']}): {r['title'] or wid}",
                facts=facts,
            )
        )
        if r["first_tie"] and sid not in tied:
            tied.add(sid)
            names = ", ".join(str(i["name"] or i["id"]) for i in r["home"])
            events.append(
                Event(
                    id=event_id(EventKind.REGION_TIE, sid),
                    kind=EventKind.REGION_TIE,
                    entity_id=sid,
                    entity_kind=EntityKind.SCIENTIST,
                    at=at,
                    summary=f"first co-authored work with the home region ({names}): "
                    f"{r['title'] or wid}",
                    facts={
                        **facts,
                        "institutions": [i["id"] for i in r["home"]],
                        "institutionNames": [i["name"] for i in r["home"]],
                    },
                )
            )
    write_events(tx, events)
    return len(events)


def _affiliations(tx: ManagedTransaction, ids: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """Watched scientists' affiliations: id -> institution id -> {name, start, end} (the
    widest years over the edges' sources)."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for r in tx.run(WATCHED_AFFILIATIONS, ids=ids):
        merged: dict[str, dict[str, Any]] = {}
        for a in r["affiliations"]:
            seen = merged.setdefault(a["id"], {"name": a["name"], "start": None, "end": None})
            if a["start"] is not None:
                seen["start"] = min(a["start"], seen["start"] or a["start"])
            if a["end"] is not None:
                seen["end"] = max(a["end"], seen["end"] or a["end"])
        found[str(r["id"])] = merged
    return found


def derive_scientists_tracked(
    tx: ManagedTransaction, ids: list[str], max_authors: int, at: datetime
) -> int:
    """`derived.derive_scientists`, and the affiliation events of the watched ones among
    `ids`, in one transaction; how many events."""
    before = _affiliations(tx, ids)
    derived.derive_scientists(tx, ids, max_authors)
    if not before:
        return 0
    after = _affiliations(tx, list(before))
    events = [
        e
        for sid, was in before.items()
        for e in affiliation_events(sid, was, after.get(sid, {}), at)
    ]
    write_events(tx, events)
    return len(events)


def _teams(tx: ManagedTransaction, ids: Sequence[str]) -> dict[tuple[str, str, str], Any]:
    return {
        (str(r["entity"]), str(r["kind"]), str(r["team"])): r
        for r in tx.run(WATCHED_TEAMS, ids=list(ids))
    }


def replace_teams_tracked(
    tx: ManagedTransaction,
    institution_ids: Sequence[str],
    teams: Sequence[Team],
    members: Sequence[TeamMembership],
    topics: Sequence[TeamTopic],
    at: datetime,
) -> int:
    """`team.replace_teams`, and a NEW_TEAM event for each watched scientist or institution
    in a team it was not in before, in one transaction; how many events."""
    before = _teams(tx, institution_ids)
    team.replace_teams(tx, institution_ids, teams, members, topics)
    events = []
    for (entity, kind, tid), r in sorted(_teams(tx, institution_ids).items()):
        if (entity, kind, tid) in before:
            continue
        name = r["name"] or tid
        events.append(
            Event(
                id=event_id(EventKind.NEW_TEAM, entity, tid),
                kind=EventKind.NEW_TEAM,
                entity_id=entity,
                entity_kind=EntityKind(kind),
                at=at,
                summary=f"new team {name} at {r['place'] or r['institution']}",
                facts={
                    "team": tid,
                    "teamName": r["name"],
                    "institution": r["institution"],
                    "place": r["place"],
                },
            )
        )
    write_events(tx, events)
    return len(events)


def tier_event(row: dict[str, Any], at: datetime) -> Event:
    """The TIER_CHANGE event of a row of graph.write.evaluation.WRITE_SCORES: its id names
    the change and the scoring (model version and latest year), so a re-run writes it once."""
    before, after = row["before"], row["after"]
    return Event(
        id=event_id(
            EventKind.TIER_CHANGE, row["id"], f"{before or 'NONE'}-{after or 'NONE'}@{row['stamp']}"
        ),
        kind=EventKind.TIER_CHANGE,
        entity_id=row["id"],
        entity_kind=EntityKind.SCIENTIST,
        at=at,
        summary=f"tier {before or 'none'} -> {after or 'none'} (evaluation model {row['version']})",
        facts={"before": before, "after": after, "model": row["version"], "stamp": row["stamp"]},
    )
