"""Reading teams, their members and topics, batched by key for per-request DataLoaders.

(`graph.write.team` finds and writes them.) One `UNWIND` query per call, results in key
order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.nodes import model_or_none
from graph.reader import Tx, fetch
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.team import Team
from schema.topic import Topic


@dataclass(frozen=True)
class TeamMember:
    """A MEMBER_OF edge seen from the team: the person, their role and years."""

    scientist: Scientist
    role: str
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class TeamTopicScore:
    """A WORKS_ON edge: the team's works about the topic and their summed topic score."""

    topic: Topic
    works: int
    score: float


TEAMS_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (t:{Label.TEAM} {{id: key}})
RETURN key, properties(t) AS props
"""
# The lead first, then by first year, then id.
MEMBERS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.TEAM} {{id: key}})<-[m:{Rel.MEMBER_OF}]-(s:{Label.SCIENTIST})
WITH key, m, s
ORDER BY CASE m.role WHEN 'lead' THEN 0 ELSE 1 END, m.first_year, s.id
RETURN key, [x IN collect({{props: properties(s), role: m.role, first_year: m.first_year,
                           last_year: m.last_year}})
             WHERE x.props IS NOT NULL] AS items
"""
TOPICS = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.TEAM} {{id: key}})-[r:{Rel.WORKS_ON}]->(t:{Label.TOPIC})
WITH key, r, t ORDER BY r.works DESC, r.score DESC, t.id
RETURN key, [x IN collect({{props: properties(t), works: r.works, score: r.score}})
             WHERE x.props IS NOT NULL] AS items
"""


async def teams_by_id(tx: Tx, ids: Sequence[str]) -> list[Team | None]:
    rows = {r["key"]: r["props"] for r in await fetch(tx, TEAMS_BY_ID, ids=list(ids))}
    return [model_or_none(Team, rows.get(key)) for key in ids]


async def _lists(tx: Tx, query: str, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
    rows = {r["key"]: r["items"] for r in await fetch(tx, query, ids=list(ids))}
    return [rows.get(key) or [] for key in ids]


async def members(tx: Tx, ids: Sequence[str]) -> list[list[TeamMember]]:
    """Each team's members, the lead first."""
    result = []
    for items in await _lists(tx, MEMBERS, ids):
        found = []
        for item in items:
            scientist = model_or_none(Scientist, item["props"])
            if scientist is not None:
                found.append(
                    TeamMember(scientist, item["role"], item["first_year"], item["last_year"])
                )
        result.append(found)
    return result


async def topics(tx: Tx, ids: Sequence[str]) -> list[list[TeamTopicScore]]:
    """Each team's topics (its top five), most works first."""
    result = []
    for items in await _lists(tx, TOPICS, ids):
        found = []
        for item in items:
            topic = model_or_none(Topic, item["props"])
            if topic is not None:
                found.append(
                    TeamTopicScore(topic, int(item["works"] or 0), float(item["score"] or 0))
                )
        result.append(found)
    return result
