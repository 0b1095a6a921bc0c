"""Derived ties, recomputed for what changed.

Loading a work marks it `needs_derive`. `mark_from_works` passes the mark on to the people and
institutions of marked works; then each marked scientist's AFFILIATED_WITH (from authorships'
institution ids, and apart from them, source "matcher", from the institutions the affiliation
matcher found in the raw strings records link to no institution),
COAUTHORED and EXPERT_IN (and, for people without an author record, works count, citations
and h-index computed from the loaded works), and each marked institution's COLLABORATES are
recomputed from the stored works and the mark cleared, one chunk per transaction. A job
killed midway leaves the marks of what it did not finish, so the next run completes it. Every
statement computes the full value of a tie from the graph, so re-running it changes nothing.

Symmetric ties (COAUTHORED, COLLABORATES) are stored once, from the smaller id to the larger.
"""

from __future__ import annotations

from neo4j import ManagedTransaction

from schema.labels import Label, Rel

AUTHORSHIP_SOURCE = "openalex_authorship"
# Affiliations the affiliation matcher read from the raw strings a record links to none of the
# authorship's institutions (graph.write.affiliation); never merged into the structured
# ones.
MATCHER_SOURCE = "matcher"

DIRTY = {
    label: f"MATCH (n:{label} {{needs_derive: true}}) RETURN n.id AS id LIMIT $limit"
    for label in (Label.WORK, Label.SCIENTIST, Label.INSTITUTION, Label.CHAIN_SEGMENT)
}
MARK_FROM_WORKS = f"""
UNWIND $ids AS wid
MATCH (w:{Label.WORK} {{id: wid}})
CALL (w) {{
  MATCH (w)<-[:{Rel.AUTHORED}]-(s:{Label.SCIENTIST})
  SET s.needs_derive = true
}}
CALL (w) {{
  MATCH (w)-[:{Rel.BY_INSTITUTION}]->(i:{Label.INSTITUTION})
  SET i.needs_derive = true
}}
REMOVE w.needs_derive, w.new_record
"""
AFFILIATIONS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[a:{Rel.AUTHORED}]->(w:{Label.WORK})
  UNWIND coalesce(a.institution_ids, []) AS iid
  MATCH (i:{Label.INSTITUTION} {{id: iid}})
  WITH s, i, min(w.publication_year) AS first, max(w.publication_year) AS last,
       count(DISTINCT w) AS works
  MERGE (s)-[r:{Rel.AFFILIATED_WITH} {{source: $source}}]->(i)
  SET r.start_year = first, r.end_year = last, r.works = works, r.confidence = 1.0
  RETURN collect(i.id) AS keep
}}
OPTIONAL MATCH (s)-[stale:{Rel.AFFILIATED_WITH} {{source: $source}}]->(x:{Label.INSTITUTION})
WHERE NOT x.id IN keep
DELETE stale
"""
# The institutions the matcher found in authorships' unlinked raw strings (only matches made
# from the strings the edge has now, and not those the record names itself): one edge per
# institution, source "matcher", with the works' years and the best confidence.
MATCHER_AFFILIATIONS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[a:{Rel.AUTHORED}]->(w:{Label.WORK})
  WHERE a.matched_strings = a.unlinked_affiliation
  UNWIND range(0, size(coalesce(a.matched_institution_ids, [])) - 1) AS k
  WITH s, w, a, a.matched_institution_ids[k] AS iid, a.matched_confidences[k] AS confidence
  WHERE NOT iid IN coalesce(a.institution_ids, [])
  MATCH (i:{Label.INSTITUTION} {{id: iid}})
  WITH s, i, w, confidence ORDER BY w.publication_year
  WITH s, i, collect(DISTINCT w.publication_year) AS years, count(DISTINCT w) AS works,
       max(confidence) AS confidence
  MERGE (s)-[r:{Rel.AFFILIATED_WITH} {{source: $source}}]->(i)
  SET r.start_year = years[0], r.end_year = years[-1], r.years = years, r.works = works,
      r.confidence = confidence
  RETURN collect(i.id) AS keep
}}
OPTIONAL MATCH (s)-[stale:{Rel.AFFILIATED_WITH} {{source: $source}}]->(x:{Label.INSTITUTION})
WHERE NOT x.id IN keep
DELETE stale
"""
# A pair of two marked scientists is computed once, by the one with the smaller id (the other
# is still marked: marks are cleared after their chunk, so it is in this chunk or a later one).
COAUTHORS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[:{Rel.AUTHORED}]->(w:{Label.WORK})<-[:{Rel.AUTHORED}]-(c:{Label.SCIENTIST})
  WHERE w.authors_count <= $max_authors AND c <> s
    AND NOT (c.needs_derive IS NOT NULL AND c.id < s.id)
  WITH s, c, count(DISTINCT w) AS works, min(w.publication_year) AS first,
       max(w.publication_year) AS last
  WHERE c IS NOT NULL
  WITH s, c, works, first, last,
       CASE WHEN s.id < c.id THEN [s, c] ELSE [c, s] END AS pair
  WITH c, works, first, last, pair[0] AS a, pair[1] AS b
  MERGE (a)-[r:{Rel.COAUTHORED}]->(b)
  SET r.works = works, r.first_year = first, r.last_year = last
  RETURN collect(c.id) AS keep
}}
OPTIONAL MATCH (s)-[stale:{Rel.COAUTHORED}]-(x:{Label.SCIENTIST})
WHERE NOT x.id IN keep AND NOT (x.needs_derive IS NOT NULL AND x.id < s.id)
DELETE stale
"""
EXPERTISE = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
CALL (s) {{
  OPTIONAL MATCH (s)-[:{Rel.AUTHORED}]->(w:{Label.WORK})-[a:{Rel.ABOUT}]->(t:{Label.TOPIC})
  // A float sum depends on the order of its terms: a fixed order, and rounding, make
  // re-runs give the same score.
  WITH s, t, w, a ORDER BY w.id
  WITH s, t, count(DISTINCT w) AS works, round(sum(a.score), 6) AS score
  WHERE t IS NOT NULL
  MERGE (s)-[r:{Rel.EXPERT_IN}]->(t)
  SET r.works = works, r.score = score
  RETURN collect(t.id) AS keep
}}
OPTIONAL MATCH (s)-[stale:{Rel.EXPERT_IN}]->(x:{Label.TOPIC})
WHERE NOT x.id IN keep
DELETE stale
"""
# Works count, citations and h-index from the loaded works, for people no author record gives
# them to (`works_count` is the record's): stored beside, never over, the record's values.
COMPUTED_METRICS = f"""
UNWIND $ids AS sid
MATCH (s:{Label.SCIENTIST} {{id: sid}})
WHERE s.works_count IS NULL
CALL (s) {{
  OPTIONAL MATCH (s)-[:{Rel.AUTHORED}]->(w:{Label.WORK})
  WITH DISTINCT w
  WITH w ORDER BY coalesce(w.cited_by_count, 0) DESC
  WITH collect(coalesce(w.cited_by_count, 0)) AS cites, count(w) AS works
  RETURN works, reduce(total = 0, c IN cites | total + c) AS citations,
         size([i IN range(0, size(cites) - 1) WHERE cites[i] >= i + 1]) AS h
}}
SET s.computed_works_count = works, s.computed_cited_by_count = citations,
    s.computed_h_index = h
"""
CLEAR = {
    label: f"UNWIND $ids AS key MATCH (n:{label} {{id: key}}) REMOVE n.needs_derive"
    for label in (Label.SCIENTIST, Label.INSTITUTION)
}
# A work counts as joint for A and B when both are among its authorships' institutions.
COLLABORATIONS = f"""
UNWIND $ids AS iid
MATCH (i:{Label.INSTITUTION} {{id: iid}})
CALL (i) {{
  OPTIONAL MATCH (i)<-[:{Rel.BY_INSTITUTION}]-(w:{Label.WORK})
                 -[:{Rel.BY_INSTITUTION}]->(j:{Label.INSTITUTION})
  WHERE j <> i
  WITH i, j, w.publication_year AS year, count(DISTINCT w) AS n
  WHERE j IS NOT NULL
  ORDER BY year
  WITH i, j, collect(year) AS years, collect(n) AS counts, sum(n) AS works
  WITH j, years, counts, works,
       CASE WHEN i.id < j.id THEN [i, j] ELSE [j, i] END AS pair
  WITH j, years, counts, works, pair[0] AS a, pair[1] AS b
  MERGE (a)-[r:{Rel.COLLABORATES}]->(b)
  SET r.works = works, r.years = years, r.year_counts = counts
  RETURN collect(j.id) AS keep
}}
OPTIONAL MATCH (i)-[stale:{Rel.COLLABORATES}]-(x:{Label.INSTITUTION})
WHERE NOT x.id IN keep
DELETE stale
"""


def dirty(tx: ManagedTransaction, label: Label, limit: int) -> list[str]:
    return [str(r["id"]) for r in tx.run(DIRTY[label], limit=limit)]


def mark_from_works(tx: ManagedTransaction, work_ids: list[str]) -> None:
    tx.run(MARK_FROM_WORKS, ids=work_ids).consume()


def derive_scientists(tx: ManagedTransaction, ids: list[str], max_authors: int) -> None:
    tx.run(AFFILIATIONS, ids=ids, source=AUTHORSHIP_SOURCE).consume()
    tx.run(MATCHER_AFFILIATIONS, ids=ids, source=MATCHER_SOURCE).consume()
    tx.run(COAUTHORS, ids=ids, max_authors=max_authors).consume()
    tx.run(EXPERTISE, ids=ids).consume()
    tx.run(COMPUTED_METRICS, ids=ids).consume()
    tx.run(CLEAR[Label.SCIENTIST], ids=ids).consume()


def derive_institutions(tx: ManagedTransaction, ids: list[str]) -> None:
    tx.run(COLLABORATIONS, ids=ids).consume()
    tx.run(CLEAR[Label.INSTITUTION], ids=ids).consume()
