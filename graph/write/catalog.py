"""Writing OpenAlex Source (journal, repository, ...) and Funder records.

A record owns its node: it sets every value it has and removes what it lacks, when it is at
least as new as the record stored before (graph.newest), so the final node
depends only on which records were loaded, never on their order or batches. Works only create
these nodes when missing (graph.write.work), so a record loaded before or after the
works that name its node ends the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import ManagedTransaction

from graph.newest import newest_rows, record_row, upsert_records_query
from schema.labels import Label
from schema.venue import Funder, PublicationSource

UPSERT_SOURCES = upsert_records_query(Label.SOURCE)
UPSERT_FUNDERS = upsert_records_query(Label.FUNDER)


def write_sources(tx: ManagedTransaction, sources: Sequence[PublicationSource]) -> int:
    """Upsert one batch of Source records; returns how many were written (at least as new as
    the stored ones). Idempotent, so safe as a retried transaction function."""
    rows = newest_rows(record_row(s.properties()) for s in sources)
    return len(list(tx.run(UPSERT_SOURCES, rows=rows)))


def write_funders(tx: ManagedTransaction, funders: Sequence[Funder]) -> int:
    """Upsert one batch of Funder records; returns how many were written. Idempotent."""
    rows = newest_rows(record_row(f.properties()) for f in funders)
    return len(list(tx.run(UPSERT_FUNDERS, rows=rows)))
