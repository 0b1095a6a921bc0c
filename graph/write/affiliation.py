"""The affiliation matcher in the graph.

- The registry: every institution with a ROR id, with its names, acronyms, place and ROR parents
  (`PART_OF` edges), as plain records (`ingest.matching.affiliations.Entry.from_graph`), and
  its node id.
- Authorships to match: `AUTHORED` edges with raw affiliation strings the record links to no
  institution (`unlinked_affiliation`, ingest.openalex.works). What the matcher made of them is
  stored on the edge, apart from the record's own `institution_ids`: `matched_institution_ids`
  with `matched_confidences` (parallel lists: Neo4j properties cannot hold maps) and
  `matched_strings`, the strings they were matched from. An edge whose `matched_strings` equal
  its `unlinked_affiliation` is done (also when the matcher abstained); a new record with other
  strings makes it pending again, and until it is matched again its old matches are not used
  (graph.write.derived).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel

_REGISTRY = f"""
MATCH (n:{Label.INSTITUTION})
WHERE n.ror_id IS NOT NULL AND coalesce(n.name, n.ror_name) IS NOT NULL
OPTIONAL MATCH (n)-[:{Rel.PART_OF}]->(p:{Label.INSTITUTION})
WITH n, [x IN collect(p.ror_id) WHERE x IS NOT NULL] AS parents
RETURN n.ror_id AS ror_id, coalesce(n.name, n.ror_name) AS name, coalesce(n.labels, []) AS labels,
       coalesce(n.aliases, []) AS aliases, coalesce(n.acronyms, []) AS acronyms,
       n.city AS city, n.country_code AS country_code, n.country_name AS country_name,
       n.status AS status, parents, n.id AS id
ORDER BY ror_id
"""


def affiliation_registry(tx: ManagedTransaction) -> list[dict[str, Any]]:
    """One record per institution with a ROR id (see `ingest.matching.affiliations.Entry`); `id` is
    the institution's node id."""
    return [record.data() for record in tx.run(_REGISTRY)]


# Kept in one place: the pending test of the count and of the page query.
_PENDING = """size(coalesce(a.unlinked_affiliation, [])) > 0
  AND (a.matched_strings IS NULL OR a.matched_strings <> a.unlinked_affiliation)"""
PENDING_COUNT = f"""
MATCH (:{Label.SCIENTIST})-[a:{Rel.AUTHORED}]->(:{Label.WORK})
WHERE {_PENDING}
RETURN count(a) AS pending
"""
# Works in id order from `after` (an index range seek), the pending authorships among them.
PENDING_PAGE = f"""
MATCH (w:{Label.WORK})
WHERE w.id > $after
WITH w ORDER BY w.id LIMIT $limit
OPTIONAL MATCH (s:{Label.SCIENTIST})-[a:{Rel.AUTHORED}]->(w)
WHERE {_PENDING}
WITH w, s, a ORDER BY w.id, a.position
RETURN w.id AS work_id, collect(CASE WHEN a IS NULL THEN NULL ELSE
         {{scientist_id: s.id, strings: a.unlinked_affiliation}} END) AS authorships
"""
# The scientist is marked for the derive step when what its authorship yields changes (what
# it yielded: its matches if they were made from its current strings, else nothing).
RECORD = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.scientist_id}})-[a:{Rel.AUTHORED}]->
      (:{Label.WORK} {{id: row.work_id}})
WITH s, a, row,
     CASE WHEN a.matched_strings = a.unlinked_affiliation
          THEN [coalesce(a.matched_institution_ids, []), coalesce(a.matched_confidences, [])]
          ELSE [[], []] END AS before
SET a.matched_institution_ids = row.ids, a.matched_confidences = row.confidences,
    a.matched_strings = row.strings
FOREACH (_ IN CASE WHEN before <> [row.ids, row.confidences] THEN [1] ELSE [] END |
  SET s.needs_derive = true)
"""
FORGET = f"""
MATCH (:{Label.SCIENTIST})-[a:{Rel.AUTHORED}]->(:{Label.WORK})
WHERE a.matched_strings IS NOT NULL
REMOVE a.matched_strings
RETURN count(a) AS forgotten
"""


@dataclass(frozen=True)
class PendingAuthorship:
    scientist_id: str
    work_id: str
    strings: tuple[str, ...]


@dataclass(frozen=True)
class AuthorshipMatch:
    """What the matcher made of one authorship's strings: institution node ids with their
    confidences (both empty when it abstained)."""

    scientist_id: str
    work_id: str
    strings: tuple[str, ...]
    institution_ids: tuple[str, ...]
    confidences: tuple[float, ...]


def pending_count(tx: ManagedTransaction) -> int:
    """How many authorships have unlinked raw affiliation strings and no match of them yet."""
    record = tx.run(PENDING_COUNT).single()
    return int(record["pending"]) if record else 0


def pending_page(
    tx: ManagedTransaction, after: str, limit: int
) -> tuple[list[PendingAuthorship], str | None]:
    """The pending authorships of the next `limit` works after work id `after`, and the last
    work id read (None when no work is left)."""
    found: list[PendingAuthorship] = []
    last: str | None = None
    for record in tx.run(PENDING_PAGE, after=after, limit=limit):
        last = record["work_id"]
        for a in record["authorships"]:
            found.append(PendingAuthorship(a["scientist_id"], last, tuple(a["strings"])))
    return found, last


def record_matches(tx: ManagedTransaction, matches: Sequence[AuthorshipMatch]) -> None:
    """Store what the matcher made of these authorships (idempotent)."""
    rows = [
        {
            "scientist_id": m.scientist_id,
            "work_id": m.work_id,
            "strings": list(m.strings),
            "ids": list(m.institution_ids),
            "confidences": list(m.confidences),
        }
        for m in matches
    ]
    tx.run(RECORD, rows=rows).consume()


def forget_matches(tx: ManagedTransaction) -> int:
    """Make every matched authorship pending again (to re-match after the registry grew)."""
    record = tx.run(FORGET).single()
    return int(record["forgotten"]) if record else 0
