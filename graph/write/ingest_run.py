"""IngestRun nodes: one per job run, recording what was loaded, when, how it ended, and how
far it got (the checkpoint a re-run of the same inputs resumes from)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from neo4j import ManagedTransaction

from schema.labels import Label

START_RUN = f"""
CREATE (r:{Label.INGEST_RUN} {{id: $id}})
SET r.source = $source, r.inputs = $inputs, r.fingerprint = $fingerprint,
    r.started_at = datetime($now), r.status = 'running', r.checkpoint = $checkpoint,
    r.resumed_from = $resumed_from
WITH r
OPTIONAL MATCH (old:{Label.INGEST_RUN} {{id: $resumed_from}})
SET old.status = 'interrupted'
"""
CHECKPOINT = f"MATCH (r:{Label.INGEST_RUN} {{id: $id}}) SET r.checkpoint = $checkpoint"
FINISH_RUN = f"""
MATCH (r:{Label.INGEST_RUN} {{id: $id}})
SET r.finished_at = datetime($now), r.status = 'finished', r.records_read = $read,
    r.records_written = $written, r.records_quarantined = $quarantined, r.seconds = $seconds
"""
# The newest unfinished run of the same source over the same, unchanged inputs.
FIND_INTERRUPTED = f"""
MATCH (r:{Label.INGEST_RUN} {{source: $source, fingerprint: $fingerprint, status: 'running'}})
RETURN r.id AS id, r.checkpoint AS checkpoint
ORDER BY r.started_at DESC LIMIT 1
"""


@dataclass(frozen=True)
class Interrupted:
    run_id: str
    checkpoint: dict[str, int]


def start_run(
    tx: ManagedTransaction,
    source: str,
    inputs: list[str],
    fingerprint: str,
    resumed: Interrupted | None = None,
) -> str:
    run_id = str(uuid.uuid4())
    tx.run(
        START_RUN,
        id=run_id,
        source=source,
        inputs=inputs,
        fingerprint=fingerprint,
        now=datetime.now(UTC).isoformat(),
        checkpoint=json.dumps(resumed.checkpoint if resumed else {}),
        resumed_from=resumed.run_id if resumed else None,
    ).consume()
    return run_id


def checkpoint(tx: ManagedTransaction, run_id: str, positions: dict[str, int]) -> None:
    """Positions (per input file) up to which everything is committed."""
    tx.run(CHECKPOINT, id=run_id, checkpoint=json.dumps(positions)).consume()


def finish_run(
    tx: ManagedTransaction,
    run_id: str,
    *,
    read: int,
    written: int,
    quarantined: int,
    seconds: float,
) -> None:
    tx.run(
        FINISH_RUN,
        id=run_id,
        now=datetime.now(UTC).isoformat(),
        read=read,
        written=written,
        quarantined=quarantined,
        seconds=round(seconds, 3),
    ).consume()


def find_interrupted(tx: ManagedTransaction, source: str, fingerprint: str) -> Interrupted | None:
    record = tx.run(FIND_INTERRUPTED, source=source, fingerprint=fingerprint).single()
    if record is None:
        return None
    positions = json.loads(record["checkpoint"] or "{}")
    return Interrupted(run_id=record["id"], checkpoint={k: int(v) for k, v in positions.items()})
