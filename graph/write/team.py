"""Teams: reading an institution's co-authored works, and replacing its teams.

`ingest.derived.teams` finds the teams; these statements feed it and store what it found. An
institution's teams are recomputed as a whole from its works: the ones found are upserted
(MERGE on the constrained `Team.id`, which hashes lead and institution, so a re-run updates the
same nodes), their MEMBER_OF and WORKS_ON are replaced, and the institution's teams that were
not found again are deleted. Running it twice on the same graph changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.write.derived import AUTHORSHIP_SOURCE
from schema.labels import Label, Rel
from schema.team import (
    InstitutionWorks,
    Team,
    TeamMembership,
    TeamTopic,
    TeamWork,
    TopicScore,
)

# Works with two or more authors at the institution (BY_INSTITUTION.authors counts its
# authorships there), authors in id order.
INSTITUTION_WORKS = f"""
UNWIND $ids AS iid
MATCH (i:{Label.INSTITUTION} {{id: iid}})<-[b:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
WHERE b.authors >= 2 AND w.authors_count <= $max_authors
CALL (i, w) {{
  MATCH (s:{Label.SCIENTIST})-[a:{Rel.AUTHORED}]->(w)
  WHERE i.id IN a.institution_ids
  WITH s ORDER BY s.id
  RETURN collect([s.id, s.name]) AS authors
}}
WITH i, w, authors
WHERE size(authors) >= 2
RETURN i.id AS institution, i.name AS name, w.id AS work, w.publication_year AS year, authors,
       [(w)-[t:{Rel.ABOUT}]->(x:{Label.TOPIC}) | [x.id, t.score]] AS topics
ORDER BY institution, work
"""
# A work that stops naming an institution no longer links to it, so loading it cannot mark the
# institution; its authors are marked, though, and their authorship affiliations (as last
# derived) still count the work there. Run before those affiliations are recomputed.
MARK_CHANGED_INSTITUTIONS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})-[r:{Rel.AFFILIATED_WITH} {{source: $source}}]
      ->(i:{Label.INSTITUTION})
WHERE i.needs_derive IS NULL
  AND COUNT {{ (s)-[a:{Rel.AUTHORED}]->(:{Label.WORK}) WHERE i.id IN a.institution_ids }}
      <> r.works
SET i.needs_derive = true
"""
DROP_STALE_TEAMS = f"""
UNWIND $rows AS row
MATCH (:{Label.INSTITUTION} {{id: row.institution_id}})<-[:{Rel.BASED_AT}]-(t:{Label.TEAM})
WHERE NOT t.id IN row.keep
DETACH DELETE t
"""
UPSERT_TEAMS = f"""
UNWIND $rows AS row
MATCH (i:{Label.INSTITUTION} {{id: row.props.institution_id}})
MERGE (t:{Label.TEAM} {{id: row.id}})
SET t += row.props
MERGE (t)-[:{Rel.BASED_AT}]->(i)
"""
REPLACE_MEMBERS = f"""
UNWIND $rows AS row
MATCH (t:{Label.TEAM} {{id: row.id}})
CALL (t, row) {{
  MATCH (s:{Label.SCIENTIST})-[m:{Rel.MEMBER_OF}]->(t)
  WHERE NOT s.id IN [x IN row.members | x.scientist_id]
  DELETE m
}}
CALL (t, row) {{
  UNWIND row.members AS member
  MATCH (s:{Label.SCIENTIST} {{id: member.scientist_id}})
  MERGE (s)-[m:{Rel.MEMBER_OF}]->(t)
  SET m.role = member.role, m.first_year = member.first_year, m.last_year = member.last_year
}}
"""
REPLACE_TOPICS = f"""
UNWIND $rows AS row
MATCH (t:{Label.TEAM} {{id: row.id}})
CALL (t, row) {{
  MATCH (t)-[r:{Rel.WORKS_ON}]->(x:{Label.TOPIC})
  WHERE NOT x.id IN [y IN row.topics | y.topic_id]
  DELETE r
}}
CALL (t, row) {{
  UNWIND row.topics AS topic
  MATCH (x:{Label.TOPIC} {{id: topic.topic_id}})
  MERGE (t)-[r:{Rel.WORKS_ON}]->(x)
  SET r.works = topic.works, r.score = topic.score
}}
"""


def institution_works(
    tx: ManagedTransaction, institution_ids: Sequence[str], max_authors: int
) -> list[InstitutionWorks]:
    """Each institution's works with two or more of its authors, in the order of the ids (an
    institution without such works comes back empty, so its old teams can be dropped)."""
    names: dict[str, str | None] = {}
    works: dict[str, list[TeamWork]] = {iid: [] for iid in institution_ids}
    people: dict[str, dict[str, str]] = {iid: {} for iid in institution_ids}
    for record in tx.run(INSTITUTION_WORKS, ids=list(institution_ids), max_authors=max_authors):
        iid = record["institution"]
        names[iid] = record["name"]
        people[iid].update((person, name) for person, name in record["authors"] if name)
        works[iid].append(
            TeamWork(
                work_id=record["work"],
                year=record["year"],
                author_ids=tuple(person for person, _ in record["authors"]),
                topics=tuple(TopicScore(topic, score) for topic, score in record["topics"]),
            )
        )
    return [
        InstitutionWorks(iid, names.get(iid), tuple(works[iid]), people[iid])
        for iid in institution_ids
    ]


def mark_changed_institutions(tx: ManagedTransaction, scientist_ids: Sequence[str]) -> None:
    """Mark the institutions where these scientists' count of works changed since the last
    derive (see MARK_CHANGED_INSTITUTIONS)."""
    tx.run(MARK_CHANGED_INSTITUTIONS, ids=list(scientist_ids), source=AUTHORSHIP_SOURCE).consume()


def replace_teams(
    tx: ManagedTransaction,
    institution_ids: Sequence[str],
    teams: Sequence[Team],
    members: Sequence[TeamMembership],
    topics: Sequence[TeamTopic],
) -> None:
    """Make these the only teams of these institutions. Idempotent (a retried transaction)."""
    keep: defaultdict[str, list[str]] = defaultdict(list)
    for team in teams:
        if team.institution_id:
            keep[team.institution_id].append(team.id)
    stale_rows = [{"institution_id": iid, "keep": keep[iid]} for iid in institution_ids]
    tx.run(DROP_STALE_TEAMS, rows=stale_rows).consume()

    team_rows = [{"id": team.id, "props": team.properties()} for team in teams]
    tx.run(UPSERT_TEAMS, rows=team_rows).consume()
    members_of: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for member in members:
        members_of[member.team_id].append(member.model_dump(mode="json", exclude={"team_id"}))
    topics_of: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for topic in topics:
        topics_of[topic.team_id].append(
            {"topic_id": topic.topic_id, "works": topic.works, "score": topic.score}
        )
    tx.run(
        REPLACE_MEMBERS, rows=[{"id": t.id, "members": members_of[t.id]} for t in teams]
    ).consume()
    tx.run(REPLACE_TOPICS, rows=[{"id": t.id, "topics": topics_of[t.id]} for t in teams]).consume()
