"""IngestRun nodes: one per job run, recording what was loaded, when, and how it ended."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from neo4j import ManagedTransaction

from schema.labels import Label

START_RUN = f"""
MERGE (r:{Label.INGEST_RUN} {{id: $id}})
SET r.source = $source, r.inputs = $inputs, r.started_at = datetime($now), r.status = 'running'
"""
FINISH_RUN = f"""
MATCH (r:{Label.INGEST_RUN} {{id: $id}})
SET r.finished_at = datetime($now), r.records = $records, r.rejected = $rejected,
    r.status = 'finished'
"""


def start_run(tx: ManagedTransaction, source: str, inputs: list[str]) -> str:
    run_id = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    tx.run(START_RUN, id=run_id, source=source, inputs=inputs, now=now).consume()
    return run_id


def finish_run(tx: ManagedTransaction, run_id: str, records: int, rejected: int) -> None:
    now = datetime.now(UTC).isoformat()
    tx.run(FINISH_RUN, id=run_id, records=records, rejected=rejected, now=now).consume()
