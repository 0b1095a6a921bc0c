"""The derived step's reads and writes for the evaluation model (ingest/derived/evaluation.py
computes).

Marks: `eval_dirty` on a Scientist (its raw components are due) and on a Field (its
scientists' percentiles, scores and tiers are due); migration 21 indexes both, the scientists'
field (`eval_field`) and the stamp (`eval_stamp`: model version @ latest year) that says
whether everyone is due.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph.write import event
from schema.labels import Label, Rel

MARK = f"UNWIND $ids AS sid MATCH (s:{Label.SCIENTIST} {{id: sid}}) SET s.eval_dirty = true"
MARK_ALL = f"""
MATCH (s:{Label.SCIENTIST}) WHERE EXISTS {{ (s)-[:{Rel.AUTHORED}]->(:{Label.WORK}) }}
SET s.eval_dirty = true
"""
LATEST_YEAR = f"""
MATCH (w:{Label.WORK}) WHERE w.publication_year IS NOT NULL
RETURN w.publication_year AS year ORDER BY year DESC LIMIT 1
"""
# Two range seeks on the stamp's index: anyone scored under another model or year.
STALE = f"""
OPTIONAL MATCH (a:{Label.SCIENTIST}) WHERE a.eval_stamp < $stamp
WITH a LIMIT 1
OPTIONAL MATCH (b:{Label.SCIENTIST}) WHERE b.eval_stamp > $stamp
WITH a, b LIMIT 1
RETURN a IS NOT NULL OR b IS NOT NULL AS stale
"""
# In the mark's index order, not sorted by id: the raw components are each scientist's own,
# and a sort read every marked scientist for every chunk (see graph/write/flows.py DIRTY).
DIRTY_SCIENTISTS = (
    f"MATCH (s:{Label.SCIENTIST} {{eval_dirty: true}}) RETURN s.id AS id LIMIT $limit"
)
DIRTY_FIELDS = f"MATCH (f:{Label.FIELD} {{eval_dirty: true}}) RETURN f.id AS id LIMIT $limit"
TOPIC_FIELDS = f"""
MATCH (t:{Label.TOPIC})-[:{Rel.PART_OF}]->(:{Label.SUBFIELD})-[:{Rel.PART_OF}]->(f:{Label.FIELD})
RETURN t.id AS topic, f.id AS field
"""
# Works per primary topic (OpenAlex's, else the highest-scored; ties: smallest id) and year,
# with their citations: the baselines' inputs (topic null for works without topics).
BASELINES = f"""
MATCH (w:{Label.WORK})
WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false)
WITH w, COLLECT {{
  MATCH (w)-[r:{Rel.ABOUT}]->(t:{Label.TOPIC})
  WITH t, r ORDER BY coalesce(r.primary, false) DESC, r.score DESC, t.id
  RETURN t.id LIMIT 1
}}[0] AS topic
RETURN topic, w.publication_year AS year, count(*) AS works,
       sum(coalesce(w.cited_by_count, 0)) AS citations
"""
SCIENTIST_WORKS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[a:{Rel.AUTHORED}]->(w:{Label.WORK})
  WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false)
  WITH a, w WHERE w IS NOT NULL
  RETURN collect({{
    year: w.publication_year, fwci: w.fwci, citations: w.cited_by_count,
    percentile: w.citation_percentile,
    lead: a.author_position IN ['first', 'last'] OR coalesce(a.is_corresponding, false),
    industry: EXISTS {{ MATCH (i:{Label.INSTITUTION}) WHERE i.id IN coalesce(a.institution_ids, [])
                        AND i.type = 'company' }},
    institutions: [(w)-[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION}) | i.id],
    countries: [(w)-[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION}) | i.country_code],
    coauthors: [(w)<-[:{Rel.AUTHORED}]-(o:{Label.SCIENTIST}) WHERE o <> s | o.id],
    topics: [(w)-[r:{Rel.ABOUT}]->(t:{Label.TOPIC}) | {{id: t.id, primary: r.primary,
      score: r.score}}]
  }}) AS works
}}
RETURN s.id AS id, works,
       EXISTS {{ (s)-[:{Rel.MEMBER_OF} {{role: 'lead'}}]->(:{Label.TEAM}) }} AS leads
"""
# Raw values, the field moved to (old and new fields marked), the scientists' marks cleared.
WRITE_RAW = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.id}})
WITH s, row, s.eval_field AS old
SET s += row.props, s.eval_field = row.field
WITH s, [f IN [old, row.field] WHERE f IS NOT NULL] AS touched
UNWIND touched AS fid
MATCH (f:{Label.FIELD} {{id: fid}})
SET f.eval_dirty = true
"""
CLEAR_SCIENTISTS = f"UNWIND $ids AS sid MATCH (s:{Label.SCIENTIST} {{id: sid}}) REMOVE s.eval_dirty"
FIELD_POPULATION = f"""
UNWIND $fields AS field
MATCH (s:{Label.SCIENTIST} {{eval_field: field}})
RETURN field, s.id AS id, s.eval_values AS values, s.eval_works AS works,
       s.eval_industry_share AS share
"""
# The scores; and for the watched scientists scored before, a tier that changed.
WRITE_SCORES = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.id}})
WITH s, row, s.eval_version IS NOT NULL AS scored, s.eval_tier AS before
SET s += row.props
WITH s, row, scored, before
WHERE scored AND coalesce(before, '') <> coalesce(row.props.eval_tier, '')
  AND EXISTS {{ (s)<-[:{Rel.WATCHES}]-(:{Label.WATCHLIST}) }}
RETURN s.id AS id, s.name AS name, before, row.props.eval_tier AS after,
       s.eval_stamp AS stamp, row.props.eval_version AS version
"""
CLEAR_FIELDS = f"UNWIND $fields AS fid MATCH (f:{Label.FIELD} {{id: fid}}) REMOVE f.eval_dirty"
# Scientists who left every field keep their raw values but lose the score.
CLEAR_FIELDLESS = f"""
MATCH (s:{Label.SCIENTIST}) WHERE s.eval_field IS NULL AND s.eval_score IS NOT NULL
  AND s.id IN $ids
REMOVE s.eval_score, s.eval_score_percentile, s.eval_tier, s.eval_percentiles,
       s.eval_rising
"""
SEGMENT_COUNTS = f"""
UNWIND $segments AS segment
MATCH (:{Label.CHAIN_SEGMENT} {{id: segment}})<-[r:{Rel.RANKED_IN}]-(s:{Label.SCIENTIST})
RETURN segment, s.id AS id, r.works AS matching,
       COUNT {{ (s)-[:{Rel.AUTHORED}]->(w:{Label.WORK})
                WHERE w.publication_year IS NOT NULL AND NOT coalesce(w.stub, false) }} AS total
"""
WRITE_SEGMENT_FIT = f"""
UNWIND $rows AS row
MATCH (:{Label.CHAIN_SEGMENT} {{id: row.segment}})<-[r:{Rel.RANKED_IN}]-
      (:{Label.SCIENTIST} {{id: row.id}})
SET r.fit = row.fit, r.fit_percentile = row.fit_percentile
"""


def mark_scientists(tx: ManagedTransaction, ids: list[str]) -> None:
    tx.run(MARK, ids=ids).consume()


def mark_all(tx: ManagedTransaction) -> None:
    tx.run(MARK_ALL).consume()


def latest_year(tx: ManagedTransaction) -> int | None:
    record = tx.run(LATEST_YEAR).single()
    return int(record["year"]) if record else None


def stale(tx: ManagedTransaction, stamp: str) -> bool:
    record = tx.run(STALE, stamp=stamp).single()
    return bool(record and record["stale"])


def dirty_scientists(tx: ManagedTransaction, limit: int) -> list[str]:
    return [str(r["id"]) for r in tx.run(DIRTY_SCIENTISTS, limit=limit)]


def dirty_fields(tx: ManagedTransaction, limit: int) -> list[str]:
    return [str(r["id"]) for r in tx.run(DIRTY_FIELDS, limit=limit)]


def topic_fields(tx: ManagedTransaction) -> dict[str, str]:
    return {str(r["topic"]): str(r["field"]) for r in tx.run(TOPIC_FIELDS)}


def baselines(tx: ManagedTransaction) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(BASELINES)]


def scientist_works(
    tx: ManagedTransaction, ids: list[str]
) -> list[tuple[str, list[dict[str, Any]], bool]]:
    return [
        (str(r["id"]), list(r["works"]), bool(r["leads"])) for r in tx.run(SCIENTIST_WORKS, ids=ids)
    ]


def write_raw(tx: ManagedTransaction, rows: list[dict[str, Any]], ids: list[str]) -> None:
    """Store raw values and fields, mark the fields touched, clear the scientists' marks."""
    tx.run(WRITE_RAW, rows=rows).consume()
    tx.run(CLEAR_FIELDLESS, ids=ids).consume()
    tx.run(CLEAR_SCIENTISTS, ids=ids).consume()


# What the computation gets and gives back: (id, raw values, works, industry share) of a
# field's scientists -> rows {id, props}; (id, matching works, total works) of a segment's
# ranked scientists -> rows {id, fit, fit_percentile}. The populations are read in one
# transaction; the rows are written in transactions of WRITE_CHUNK rows, so a field or segment
# of any size stays under Neo4j's transaction memory (one transaction per batch of fields went
# over 1.4 GiB at 1M authorships: bench/api, 2026-12-07).
Population = list[tuple[str, list[float], int, float]]
SegmentCounts = list[tuple[str, int, int]]
WRITE_CHUNK = 2000


def field_populations(tx: ManagedTransaction, fields: list[str]) -> dict[str, Population]:
    """Each field's scientists with their raw values, works and industry share."""
    population: dict[str, Population] = {f: [] for f in fields}
    for r in tx.run(FIELD_POPULATION, fields=fields):
        population[r["field"]].append(
            (str(r["id"]), [float(v) for v in r["values"]], int(r["works"]), float(r["share"]))
        )
    return population


def write_scores(
    tx: ManagedTransaction, rows: list[dict[str, Any]], at: datetime | None = None
) -> int:
    """Store these scientists' scores (rows {id, props}); a watched scientist whose tier
    changed gets a TIER_CHANGE event (graph.write.event) in the same transaction, so a re-run
    after a crash finds the tier stored and makes no second event. How many rows."""
    changed = [r.data() for r in tx.run(WRITE_SCORES, rows=rows)]
    event.write_events(tx, [event.tier_event(r, at or datetime.now(UTC)) for r in changed])
    return len(rows)


def clear_fields(tx: ManagedTransaction, fields: list[str]) -> None:
    """The fields' scores are all written: clear their marks."""
    tx.run(CLEAR_FIELDS, fields=fields).consume()


def segment_counts(tx: ManagedTransaction, segments: list[str]) -> dict[str, SegmentCounts]:
    """Each segment's ranked scientists: (id, works on the segment's topics, all works)."""
    counts: dict[str, SegmentCounts] = {s: [] for s in segments}
    for r in tx.run(SEGMENT_COUNTS, segments=segments):
        counts[r["segment"]].append((str(r["id"]), int(r["matching"]), int(r["total"])))
    return counts


def write_segment_fit(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> int:
    """Segment fit on RANKED_IN edges (rows {id, segment, fit, fit_percentile}); how many."""
    tx.run(WRITE_SEGMENT_FIT, rows=rows).consume()
    return len(rows)
