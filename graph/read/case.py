"""Recruitment cases as the API reads them: by id (batched for DataLoaders), their events
(oldest first), filtered pages of cases, the audit log, and landed cases counted against the
region profile's targets."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from neo4j import ManagedTransaction

from graph.reader import Tx, fetch
from schema.audit import AuditEntry
from schema.case import Case, CaseEvent, CaseStage, FieldChange, Programme
from schema.labels import Label, Rel

# A case node as a map, temporals as ISO text (the model parses them back).
CASE_PROJECTION = """c {
  .*,
  created_at: toString(c.created_at),
  updated_at: toString(c.updated_at),
  landed_at: toString(c.landed_at),
  next_action_due: toString(c.next_action_due)
}"""

CASES_BY_ID = f"""
UNWIND $ids AS key
OPTIONAL MATCH (c:{Label.CASE} {{id: key}})
RETURN key, CASE WHEN c IS NULL THEN null ELSE {CASE_PROJECTION} END AS c
"""
EVENTS_OF_CASES = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.CASE} {{id: key}})-[:{Rel.HAS_EVENT}]->(e:{Label.CASE_EVENT})
WITH key, e ORDER BY e.version, e.at
RETURN key, collect(e {{.*, at: toString(e.at)}}) AS events
"""
# Filters are parameters; a null one matches everything.
LIST_CASES = f"""
MATCH (c:{Label.CASE})
WHERE ($stages IS NULL OR c.stage IN $stages)
  AND ($district IS NULL OR c.district = $district OR c.district STARTS WITH $district + '/')
  AND ($programme IS NULL OR c.programme = $programme)
  AND ($owner IS NULL OR c.owner = $owner)
  AND ($target IS NULL OR c.target_id = $target)
  AND (NOT $overdue OR (c.next_action_due < date($today)
                        AND NOT c.stage IN ['LANDED', 'DROPPED']))
WITH c ORDER BY c.updated_at DESC, c.id
WITH collect(c) AS found
RETURN size(found) AS total,
       [c IN found[$offset..$offset + $limit] | {CASE_PROJECTION}] AS page
"""
AUDIT_LOG = f"""
MATCH (a:{Label.AUDIT})
WITH a ORDER BY a.at DESC, a.id DESC
WITH collect(a) AS found
RETURN size(found) AS total,
       [a IN found[$offset..$offset + $limit] | a {{.*, at: toString(a.at)}}] AS page
"""
# The targets of a region profile (a city's `targets`, JSON text written by the region load).
REGION_TARGETS = f"""
MATCH (r:{Label.CITY} {{id: $region}})
RETURN r.targets AS targets
"""
# Cases landed in a region in [since, until], counted by target kind and tier.
LANDED_COUNTS = f"""
MATCH (c:{Label.CASE} {{stage: 'LANDED'}})
WHERE (c.district = $region OR c.district STARTS WITH $region + '/')
  AND date(c.landed_at) >= date($since) AND date(c.landed_at) <= date($until)
RETURN c.target_kind AS kind, c.tier AS tier, count(*) AS landed
"""


def case_from_row(row: dict[str, Any]) -> Case:
    return Case.model_validate({k: v for k, v in row.items() if k in Case.model_fields})


def event_from_row(row: dict[str, Any]) -> CaseEvent:
    changes = [FieldChange.model_validate(c) for c in json.loads(row.get("changes") or "[]")]
    return CaseEvent.model_validate(
        {
            **{k: v for k, v in row.items() if k in CaseEvent.model_fields and k != "changes"},
            "changes": changes,
        }
    )


async def cases_by_id(tx: Tx, ids: Sequence[str]) -> list[Case | None]:
    rows = await fetch(tx, CASES_BY_ID, ids=list(ids))
    found = {r["key"]: r["c"] for r in rows}
    return [None if found.get(i) is None else case_from_row(found[i]) for i in ids]


async def case_events(tx: Tx, ids: Sequence[str]) -> list[list[CaseEvent]]:
    rows = await fetch(tx, EVENTS_OF_CASES, ids=list(ids))
    found = {r["key"]: r["events"] for r in rows}
    return [[event_from_row(e) for e in found.get(i) or []] for i in ids]


@dataclass(frozen=True)
class CaseQuery:
    """Which cases a list shows; None matches everything."""

    stages: tuple[CaseStage, ...] | None = None
    district: str | None = None
    programme: Programme | None = None
    owner: str | None = None
    target: str | None = None
    overdue: bool = False
    today: date | None = None


async def list_cases(tx: Tx, query: CaseQuery, offset: int, limit: int) -> tuple[int, list[Case]]:
    """The cases `query` selects, most recently changed first: (total, the page)."""
    rows = await fetch(
        tx,
        LIST_CASES,
        stages=None if query.stages is None else [str(s) for s in query.stages],
        district=query.district,
        programme=None if query.programme is None else str(query.programme),
        owner=query.owner,
        target=query.target,
        overdue=query.overdue,
        today=(query.today or date.today()).isoformat(),
        offset=offset,
        limit=limit,
    )
    row = rows[0]
    return int(row["total"]), [case_from_row(c) for c in row["page"]]


async def audit_log(tx: Tx, offset: int, limit: int) -> tuple[int, list[AuditEntry]]:
    """Audit entries, newest first: (total, the page)."""
    rows = await fetch(tx, AUDIT_LOG, offset=offset, limit=limit)
    row = rows[0]
    entries = [
        AuditEntry.model_validate({k: v for k, v in a.items() if k in AuditEntry.model_fields})
        for a in row["page"]
    ]
    return int(row["total"]), entries


async def region_targets(tx: Tx, region: str) -> str | None:
    """The JSON text of the region's targets; None when the city has no targets or is absent."""
    rows = await fetch(tx, REGION_TARGETS, region=region)
    return None if not rows else rows[0]["targets"]


async def landed_counts(
    tx: Tx, region: str, since: date, until: date
) -> list[tuple[str, str | None, int]]:
    rows = await fetch(
        tx, LANDED_COUNTS, region=region, since=since.isoformat(), until=until.isoformat()
    )
    return [(r["kind"], r["tier"], int(r["landed"])) for r in rows]


ALL_CASES = f"""
MATCH (c:{Label.CASE})
RETURN {CASE_PROJECTION} AS c
ORDER BY c.created_at, c.id
"""


def all_cases(tx: ManagedTransaction) -> list[Case]:
    """Every case, oldest first (the CLI's export; a write unit of work, as the CLI's are)."""
    return [case_from_row(dict(r["c"])) for r in tx.run(ALL_CASES)]
