"""Writing scientists from their OpenAlex Author records.

An Author record owns its scientist node: it sets every value the record has and removes what
it lacks (`authority = 'openalex'`), and the works path (graph.write.work) no longer
touches the node. The final node depends only on which records were loaded, never on their
order, files or batches, nor on whether works were loaded before or after:

- **Newest record wins.** A record replaces the stored one when its `updated_at` (compared as
  the stored ISO strings) is later, or equal with a content digest at least as large, so even
  two different records of the same date converge whatever their order. An older record that
  arrives later changes nothing, its affiliations included.
- **Affiliations** are the record's: `AFFILIATED_WITH {source: 'openalex_author', start_year,
  end_year, years, confidence}` edges, one per institution it lists; the edges of that source
  that a newer record no longer lists are removed. Edges of other sources (those derived from
  authorships, `source: 'openalex_authorship'`) are left alone.
- **Institutions** the record lists are created when missing, with the record's minimal view;
  an existing node is never changed (ROR, OpenAlex institution records and works own them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from graph.newest import newest_rows, record_row, upsert_records_query
from graph.write.flows import mark_scientists as mark_flows
from graph.write.work import node_rows
from schema.labels import Label, Rel
from schema.scientist import AuthorAffiliation, AuthorRecord, ScientistAuthority

AUTHOR_SOURCE = "openalex_author"

# The newest record wins (graph.newest); `openalex_digest` marks a node an Author
# record wrote.
UPSERT_AUTHORS = upsert_records_query(Label.SCIENTIST)
REPLACE_AFFILIATIONS = f"""
UNWIND $rows AS row
MATCH (s:{Label.SCIENTIST} {{id: row.id}})
CALL (s, row) {{
  OPTIONAL MATCH (s)-[stale:{Rel.AFFILIATED_WITH} {{source: $source}}]->(i:{Label.INSTITUTION})
  WHERE NOT i.id IN [a IN row.affiliations | a.institution_id]
  DELETE stale
}}
CALL (s, row) {{
  UNWIND row.affiliations AS a
  MERGE (i:{Label.INSTITUTION} {{id: a.institution_id}})
  ON CREATE SET i += a.institution
  MERGE (s)-[r:{Rel.AFFILIATED_WITH} {{source: $source}}]->(i)
  SET r = a.props
}}
"""


def write_authors_batch(tx: ManagedTransaction, records: Sequence[AuthorRecord]) -> int:
    """Upsert one batch of Author records; returns how many were at least as new as the stored
    ones (and so written). Idempotent, so safe as a retried transaction function."""
    # The same person twice in a batch: the rule the graph applies across batches.
    rows = {row["id"]: row for row in newest_rows(_row(record) for record in records)}
    written = [str(r["id"]) for r in tx.run(UPSERT_AUTHORS, rows=list(rows.values()))]
    if not written:
        return 0
    tx.run(
        REPLACE_AFFILIATIONS, rows=[rows[key] for key in written], source=AUTHOR_SOURCE
    ).consume()
    # Their affiliation histories changed: their moves are due (ingest/derived/flows.py).
    mark_flows(tx, written)
    return len(written)


def _row(record: AuthorRecord) -> dict[str, Any]:
    props = record.scientist.properties()
    props["authority"] = ScientistAuthority.OPENALEX.value
    affiliations = [
        _affiliation(a) for a in sorted(record.affiliations, key=lambda a: a.institution_id)
    ]
    return record_row(props, affiliations=affiliations)


def _affiliation(affiliation: AuthorAffiliation) -> dict[str, Any]:
    years = sorted(set(affiliation.years))
    institution = (
        node_rows([affiliation.institution], partial=True)[0]["props"]
        if affiliation.institution is not None
        else {}
    )
    return {
        "institution_id": affiliation.institution_id,
        "institution": institution,
        "props": {
            "source": AUTHOR_SOURCE,
            "start_year": years[0] if years else None,
            "end_year": years[-1] if years else None,
            "years": years or None,
            "confidence": 1.0,
        },
    }
