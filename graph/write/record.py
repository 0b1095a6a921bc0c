"""Writing names-only paper records (ingest.records): works, their records people, authorships,
the institutions the affiliation matcher found, and the topics a venue implies or the title
classifier finds.

A work that has its OpenAlex record (`openalex_digest` set) keeps everything OpenAlex said:
the record only adds its provenance (`record_sources`, `record_files`). A work known only from
records gets the record's values and links, each with `source: "records:<format>"` and the
file; its record links are replaced when its record changes (`record_digest`), and an
unchanged record is skipped. When the OpenAlex record arrives later, the works job replaces the
record's links with its own (graph.write.work), so both orders end with OpenAlex's data.
Every statement is idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.newest import DIGEST
from schema.labels import Label, Rel

RECORD_DIGEST = "record_digest"
VENUE_SOURCE = "venue"
CLASSIFIER_SOURCE = "classifier"
# The ABOUT links a record's work gets (never OpenAlex's own).
RECORD_TOPIC_SOURCES = (VENUE_SOURCE, CLASSIFIER_SOURCE)

# For each key: whether the work has its OpenAlex record, and the record digest it was last
# written from.
STORED_WORKS = f"""
UNWIND $ids AS wid
MATCH (w:{Label.WORK} {{id: wid}})
RETURN w.id AS id, w.{DIGEST} IS NOT NULL AS openalex, w.{RECORD_DIGEST} AS digest
"""
# Provenance on every work a record names (OpenAlex's or not): which formats and files.
ADD_PROVENANCE = f"""
UNWIND $rows AS row
MERGE (w:{Label.WORK} {{id: row.id}})
SET w.record_sources = [x IN coalesce(w.record_sources, []) WHERE x <> row.source] + row.source,
    w.record_files = [x IN coalesce(w.record_files, []) WHERE x <> row.file] + row.file
"""
# A work known only from records: the record's values. Its record links are dropped first and
# written again below (the record is the whole truth about them).
UPSERT_RECORD_WORKS = f"""
UNWIND $rows AS row
MERGE (w:{Label.WORK} {{id: row.id}})
SET w += row.props, w.{RECORD_DIGEST} = row.digest, w.needs_derive = true
REMOVE w.stub
WITH w, row
CALL (w, row) {{
  OPTIONAL MATCH (w)<-[a:{Rel.AUTHORED} {{source: row.source}}]-(s:{Label.SCIENTIST})
  SET s.needs_derive = true
  DELETE a
}}
CALL (w, row) {{
  OPTIONAL MATCH (w)-[b:{Rel.BY_INSTITUTION} {{source: row.source}}]->(i:{Label.INSTITUTION})
  SET i.needs_derive = true
  DELETE b
}}
CALL (w) {{
  OPTIONAL MATCH (w)-[t:{Rel.ABOUT}]->(:{Label.TOPIC})
  WHERE t.source IN {list(RECORD_TOPIC_SOURCES)!r}
  DELETE t
}}
"""
# Records people: created with their first byline's values; the evidence the disambiguator
# reads for later bylines (institution names, co-authors' name keys, years) accumulates.
UPSERT_RECORD_SCIENTISTS = f"""
UNWIND $rows AS row
MERGE (s:{Label.SCIENTIST} {{id: row.id}})
ON CREATE SET s += row.props
SET s.name_block = row.name_block,
    s.record_affiliations = [x IN coalesce(s.record_affiliations, [])
                             WHERE NOT x IN row.affiliations] + row.affiliations,
    s.record_coauthors = ([x IN coalesce(s.record_coauthors, [])
                           WHERE NOT x IN row.coauthors] + row.coauthors)[..$max_coauthors],
    s.record_years = [x IN coalesce(s.record_years, []) WHERE NOT x IN row.years] + row.years,
    s.needs_derive = true
"""
UPSERT_RECORD_AUTHORSHIPS = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.scientist_id}})
MATCH (w:{Label.WORK} {{id: row.work_id}})
MERGE (s)-[a:{Rel.AUTHORED}]->(w)
SET a += row.props
"""
LINK_RECORD_INSTITUTIONS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MATCH (i:{Label.INSTITUTION} {{id: row.institution_id}})
MERGE (w)-[b:{Rel.BY_INSTITUTION}]->(i)
SET b += row.props, i.needs_derive = true
"""
# Topics a record's venue implies (source "venue") or the classifier finds in its title
# (source "classifier"): inferred, never primary.
LINK_RECORD_TOPICS = f"""
UNWIND $rows AS row
MATCH (w:{Label.WORK} {{id: row.work_id}})
MATCH (t:{Label.TOPIC} {{id: row.topic_id}})
MERGE (w)-[r:{Rel.ABOUT}]->(t)
SET r.score = row.score, r.primary = false, r.source = row.source, r.inferred = true,
    r.venue = row.venue
"""
# The records people of these name blocks, with the evidence stored on them.
RECORD_CANDIDATES = f"""
UNWIND $blocks AS block
MATCH (s:{Label.SCIENTIST} {{name_block: block}})
WHERE s.source STARTS WITH $prefix
RETURN s.id AS id, s.name AS name, coalesce(s.record_affiliations, []) AS affiliations,
       coalesce(s.record_coauthors, []) AS coauthors, coalesce(s.record_years, []) AS years
ORDER BY id
"""
MAX_COAUTHORS = 200


def stored_works(tx: ManagedTransaction, ids: Sequence[str]) -> dict[str, tuple[bool, str | None]]:
    """For the works of `ids` in the graph: (has its OpenAlex record, record digest)."""
    return {r["id"]: (bool(r["openalex"]), r["digest"]) for r in tx.run(STORED_WORKS, ids=ids)}


def record_candidates(
    tx: ManagedTransaction, blocks: Sequence[str], prefix: str
) -> list[dict[str, Any]]:
    """The people of these name blocks that records introduced (source starting `prefix`)."""
    return [r.data() for r in tx.run(RECORD_CANDIDATES, blocks=list(blocks), prefix=prefix)]


def write_records_batch(
    tx: ManagedTransaction,
    provenance: Sequence[dict[str, Any]],
    works: Sequence[dict[str, Any]],
    scientists: Sequence[dict[str, Any]],
    authorships: Sequence[dict[str, Any]],
    institutions: Sequence[dict[str, Any]],
    topics: Sequence[dict[str, Any]],
) -> None:
    """One batch of records (rows built by ingest.records.resolve); idempotent."""
    tx.run(ADD_PROVENANCE, rows=list(provenance)).consume()
    tx.run(UPSERT_RECORD_WORKS, rows=list(works)).consume()
    tx.run(UPSERT_RECORD_SCIENTISTS, rows=list(scientists), max_coauthors=MAX_COAUTHORS).consume()
    tx.run(UPSERT_RECORD_AUTHORSHIPS, rows=list(authorships)).consume()
    tx.run(LINK_RECORD_INSTITUTIONS, rows=list(institutions)).consume()
    tx.run(LINK_RECORD_TOPICS, rows=list(topics)).consume()
