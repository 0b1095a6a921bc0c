"""The derived step's reads and writes for talent flows (ingest/derived/flows.py computes).

Mark: `flows_dirty` on a Scientist (its moves are due): set by the derived step for the
scientists whose ties it recomputes and by Author-record loads; migration 22 indexes it.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from schema.labels import Label, Rel

MARK = f"UNWIND $ids AS sid MATCH (s:{Label.SCIENTIST} {{id: sid}}) SET s.flows_dirty = true"
# The next chunk in the mark's index order, not sorted: each scientist's moves are computed
# alone, so the order does not matter, and sorting by id read every marked scientist for
# every chunk (at 1M authorships, 217K marked: 170 ms a chunk against 20 ms; quadratic in
# the marked, which made the phase grow 10x faster than the rows at 10M).
DIRTY = f"MATCH (s:{Label.SCIENTIST} {{flows_dirty: true}}) RETURN s.id AS id LIMIT $limit"
# Evidence pairs (year, institution): the Author record's years, and each work's year with the
# institutions its authorship names; with the countries of the institutions seen.
HISTORIES = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[a:{Rel.AFFILIATED_WITH} {{source: 'openalex_author'}}]->
                 (i:{Label.INSTITUTION})
  UNWIND coalesce(a.years, []) AS year
  RETURN collect([year, i.id]) AS recorded
}}
CALL (s) {{
  OPTIONAL MATCH (s)-[a:{Rel.AUTHORED}]->(w:{Label.WORK})
  WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false)
  UNWIND coalesce(a.institution_ids, []) AS iid
  RETURN collect([w.publication_year, iid]) AS authored
}}
WITH s, recorded + authored AS evidence
CALL (evidence) {{
  UNWIND evidence AS e
  WITH DISTINCT e[1] AS iid
  OPTIONAL MATCH (i:{Label.INSTITUTION} {{id: iid}})
  RETURN collect([iid, i.country_code]) AS countries
}}
RETURN s.id AS id, evidence, countries
"""
REPLACE_MOVES = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.id}})
CALL (s) {{
  OPTIONAL MATCH (s)-[:{Rel.MOVED}]->(old:{Label.MOVE})
  DETACH DELETE old
}}
CALL (s, row) {{
  UNWIND row.moves AS mv
  MATCH (a:{Label.INSTITUTION} {{id: mv.from}}), (b:{Label.INSTITUTION} {{id: mv.to}})
  CREATE (s)-[:{Rel.MOVED}]->(m:{Label.MOVE} {{id: mv.id, scientist_id: s.id, year: mv.year,
    before_years: mv.before_years, before_countries: mv.before_countries}})
  CREATE (m)-[:{Rel.MOVED_FROM}]->(a), (m)-[:{Rel.MOVED_TO}]->(b)
}}
"""
CLEAR = f"UNWIND $ids AS sid MATCH (s:{Label.SCIENTIST} {{id: sid}}) REMOVE s.flows_dirty"


def mark_scientists(tx: ManagedTransaction, ids: list[str]) -> None:
    tx.run(MARK, ids=ids).consume()


def dirty_scientists(tx: ManagedTransaction, limit: int) -> list[str]:
    return [str(r["id"]) for r in tx.run(DIRTY, limit=limit)]


def histories(
    tx: ManagedTransaction, ids: list[str]
) -> tuple[dict[str, list[tuple[int, str]]], dict[str, str | None]]:
    """Each scientist's evidence pairs, and the country code of every institution in them."""
    found: dict[str, list[tuple[int, str]]] = {}
    country: dict[str, str | None] = {}
    for r in tx.run(HISTORIES, ids=ids):
        found[str(r["id"])] = [(int(y), str(i)) for y, i in r["evidence"] if y and i]
        country.update({str(i): c for i, c in r["countries"]})
    return found, country


def write_moves(tx: ManagedTransaction, rows: list[dict[str, Any]], ids: list[str]) -> None:
    """Replace these scientists' moves and clear their marks."""
    tx.run(REPLACE_MOVES, rows=rows).consume()
    tx.run(CLEAR, ids=ids).consume()
