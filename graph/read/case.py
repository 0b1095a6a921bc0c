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

from graph.nodes import by_ids_query
from graph.paging import Page
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

CASES_BY_ID = by_ids_query(Label.CASE, "c", CASE_PROJECTION)
EVENTS_OF_CASES = f"""
UNWIND $ids AS key
OPTIONAL MATCH (:{Label.CASE} {{id: key}})-[:{Rel.HAS_EVENT}]->(e:{Label.CASE_EVENT})
WITH key, e ORDER BY e.version, e.at
RETURN key, collect(e {{.*, at: toString(e.at)}}) AS events
"""
# Pages of cases, one per key; filters are parameters, and a null one matches everything.
LIST_CASES = f"""
UNWIND $keys AS k
CALL (k) {{
  MATCH (c:{Label.CASE})
  WHERE (k.stages IS NULL OR c.stage IN k.stages)
    AND (k.district IS NULL OR c.district = k.district OR c.district STARTS WITH k.district + '/')
    AND (k.programme IS NULL OR c.programme = k.programme)
    AND (k.owner IS NULL OR c.owner = k.owner)
    AND (k.target IS NULL OR c.target_id = k.target)
    AND (NOT k.overdue OR (c.next_action_due < date(k.today)
                           AND NOT c.stage IN ['LANDED', 'DROPPED']))
  WITH c ORDER BY c.updated_at DESC, c.id
  WITH collect(c) AS found
  RETURN size(found) AS total,
         [c IN found[k.offset..k.offset + k.limit] | {CASE_PROJECTION}] AS page
}}
RETURN k.i AS i, total, page
"""
AUDIT_LOG = f"""
MATCH (a:{Label.AUDIT})
WITH a ORDER BY a.at DESC, a.id DESC
WITH collect(a) AS found
RETURN size(found) AS total,
       [a IN found[$offset..$offset + $limit] | a {{.*, at: toString(a.at)}}] AS page
"""
# For each region: its profile's targets (JSON text written by the region load) and the cases
# landed in it (its own id, or a district of it), by target kind, tier and day.
REGION_PROGRESS = f"""
UNWIND $regions AS region
OPTIONAL MATCH (r:{Label.CITY} {{id: region}})
CALL (region) {{
  MATCH (c:{Label.CASE} {{stage: 'LANDED'}})
  WHERE c.district = region OR c.district STARTS WITH region + '/'
  RETURN collect({{kind: c.target_kind, tier: c.tier, day: toString(date(c.landed_at))}}) AS landed
}}
RETURN region, r.targets AS targets, landed
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
    """Which cases a list shows (None matches everything), and which page of them."""

    stages: tuple[CaseStage, ...] | None = None
    district: str | None = None
    programme: Programme | None = None
    owner: str | None = None
    target: str | None = None
    overdue: bool = False
    today: date | None = None
    offset: int = 0
    limit: int = 20


async def list_cases(tx: Tx, queries: Sequence[CaseQuery]) -> list[Page[Case]]:
    """For each query, the cases it selects, most recently changed first (batched for the
    request's DataLoader: one query for all)."""
    keys = [
        {
            "i": i,
            "stages": None if q.stages is None else [str(s) for s in q.stages],
            "district": q.district,
            "programme": None if q.programme is None else str(q.programme),
            "owner": q.owner,
            "target": q.target,
            "overdue": q.overdue,
            "today": (q.today or date.today()).isoformat(),
            "offset": q.offset,
            "limit": q.limit,
        }
        for i, q in enumerate(queries)
    ]
    found = {r["i"]: r for r in await fetch(tx, LIST_CASES, keys=keys)}
    return [
        Page(
            total=int(found[i]["total"]),
            items=tuple(case_from_row(c) for c in found[i]["page"]),
        )
        for i in range(len(queries))
    ]


@dataclass(frozen=True)
class RegionProgress:
    """A region's targets (JSON text; None without a profile) and its landed cases: (target
    kind, tier, day landed)."""

    targets: str | None
    landed: tuple[tuple[str, str | None, date], ...]


async def audit_log(tx: Tx, offset: int, limit: int) -> tuple[int, list[AuditEntry]]:
    """Audit entries, newest first: (total, the page)."""
    rows = await fetch(tx, AUDIT_LOG, offset=offset, limit=limit)
    row = rows[0]
    entries = [
        AuditEntry.model_validate({k: v for k, v in a.items() if k in AuditEntry.model_fields})
        for a in row["page"]
    ]
    return int(row["total"]), entries


async def region_progress(tx: Tx, regions: Sequence[str]) -> list[RegionProgress]:
    """Each region's targets and landed cases, in key order (batched for DataLoaders)."""
    rows = {r["region"]: r for r in await fetch(tx, REGION_PROGRESS, regions=list(regions))}
    return [
        RegionProgress(
            targets=rows[r]["targets"],
            landed=tuple(
                (x["kind"], x["tier"], date.fromisoformat(x["day"])) for x in rows[r]["landed"]
            ),
        )
        for r in regions
    ]


ALL_CASES = f"""
MATCH (c:{Label.CASE})
RETURN {CASE_PROJECTION} AS c
ORDER BY c.created_at, c.id
"""


def all_cases(tx: ManagedTransaction) -> list[Case]:
    """Every case, oldest first (the CLI's export; a write unit of work, as the CLI's are)."""
    return [case_from_row(dict(r["c"])) for r in tx.run(ALL_CASES)]
