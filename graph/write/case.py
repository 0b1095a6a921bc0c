"""Recruitment cases in the graph: `(:Case)-[:TARGETS]->(scientist, team or institution)`,
`(:Case)-[:FOR_DISTRICT]->(:District)`, `(:Case)-[:HAS_EVENT {version}]->(:CaseEvent)`.

Every change runs in one transaction that first takes the case's write lock
(`SET c._lock = true`, Neo4j's documented guard against lost updates: reads after it see the
last committed state), then checks the caller's version against the stored one, so of two
clients updating the same version at once exactly one wins and the other gets
`VersionConflictError` with the version that won. The change and its `CaseEvent` are written
together; events are never changed or deleted. Ids and times come from the caller, so a
transaction the driver retries writes the same nodes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from neo4j import AsyncManagedTransaction, ManagedTransaction
from pydantic import ValidationError

from graph.read.case import CASE_PROJECTION, case_from_row
from schema.apikey import Role
from schema.audit import Actor, AuditEntry
from schema.case import (
    EDITABLE,
    Case,
    CaseAction,
    CaseEvent,
    CaseFields,
    CaseRuleError,
    CaseStage,
    FieldChange,
    TargetKind,
    camel,
    check_due,
    check_move,
    diff,
    initial,
)
from schema.labels import Label, Rel

TARGET_LABELS = {
    TargetKind.SCIENTIST: Label.SCIENTIST,
    TargetKind.TEAM: Label.TEAM,
    TargetKind.INSTITUTION: Label.INSTITUTION,
}


class CaseError(Exception):
    """Root of the expected failures of a case write."""


class CaseNotFoundError(CaseError):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case has the id {case_id!r}")
        self.case_id = case_id


class VersionConflictError(CaseError):
    def __init__(self, case_id: str, given: int, current: int) -> None:
        super().__init__(
            f"case {case_id} is at version {current}, not {given}: someone changed it since "
            "you read it; read it again and redo your change"
        )
        self.current = current


class CaseForbiddenError(CaseError):
    pass


EXISTS_DISTRICT = f"MATCH (d:{Label.DISTRICT} {{id: $id}}) RETURN d.id AS id"
EXISTS_TARGET = {
    kind: f"MATCH (t:{label} {{id: $id}}) RETURN t.id AS id"
    for kind, label in TARGET_LABELS.items()
}
READ_CASE = f"MATCH (c:{Label.CASE} {{id: $id}}) RETURN {CASE_PROJECTION} AS c"
LOCK_CASE = f"""
MATCH (c:{Label.CASE} {{id: $id}})
SET c._lock = true
RETURN {CASE_PROJECTION} AS c
"""


# Dates travel as ISO text (in `props`) and are stored as Neo4j temporals.
def _set_case(props: str) -> str:
    return f"""SET c += {props},
    c.created_at = datetime({props}.created_at),
    c.updated_at = datetime({props}.updated_at),
    c.landed_at = CASE WHEN {props}.landed_at IS NULL THEN null
                       ELSE datetime({props}.landed_at) END,
    c.next_action_due = CASE WHEN {props}.next_action_due IS NULL THEN null
                             ELSE date({props}.next_action_due) END"""


SAVE_CASE = f"""
MERGE (c:{Label.CASE} {{id: $id}})
{_set_case("$props")}
REMOVE c._lock
WITH c
CALL (c) {{
  MATCH (c)-[r:{Rel.FOR_DISTRICT}]->(d)
  WHERE d.id <> $props.district
  DELETE r
}}
WITH c
MATCH (d:{Label.DISTRICT} {{id: $props.district}})
MERGE (c)-[:{Rel.FOR_DISTRICT}]->(d)
"""


def link_target_query(kind: TargetKind) -> str:
    return f"""
MATCH (c:{Label.CASE} {{id: $id}}), (t:{TARGET_LABELS[kind]} {{id: $target}})
MERGE (c)-[:{Rel.TARGETS}]->(t)
"""


RECORD_EVENT = f"""
MATCH (c:{Label.CASE} {{id: $case_id}})
MERGE (e:{Label.CASE_EVENT} {{id: $id}})
ON CREATE SET e += $props, e.at = datetime($at)
MERGE (c)-[:{Rel.HAS_EVENT} {{version: $props.version}}]->(e)
"""


def _props(case: Case) -> dict[str, Any]:
    return {k: v for k, v in case.properties().items() if k != "id"}


async def _save(tx: AsyncManagedTransaction, case: Case) -> None:
    await tx.run(SAVE_CASE, id=case.id, props=_props(case))


def _event_props(event: CaseEvent) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "version": event.version,
        "action": str(event.action),
        "actor": event.actor,
        "actor_key": event.actor_key,
        "changes": json.dumps([c.model_dump(mode="json") for c in event.changes]),
        "note": event.note,
    }


async def _event(tx: AsyncManagedTransaction, event: CaseEvent) -> None:
    await tx.run(
        RECORD_EVENT,
        case_id=event.case_id,
        id=event.id,
        at=event.at.isoformat(),
        props=_event_props(event),
    )


async def _one(tx: AsyncManagedTransaction, query: str, **params: Any) -> dict[str, Any] | None:
    result = await tx.run(query, params)
    record = await result.single()
    return None if record is None else dict(record)


def _fields(values: dict[str, Any]) -> CaseFields:
    """Validated fields, or the first problem as a CaseRuleError naming the API's field."""
    try:
        return CaseFields.model_validate(values)
    except ValidationError as e:
        first = e.errors()[0]
        field = camel(str(first["loc"][0])) if first["loc"] else "input"
        raise CaseRuleError(field, f"{field}: {first['msg']}") from e


async def create_case(
    tx: AsyncManagedTransaction,
    *,
    case_id: str,
    target_kind: TargetKind,
    target_id: str,
    values: dict[str, Any],
    actor: Actor,
    event_id: str,
    at: datetime,
    today: date,
) -> Case:
    """A new case at IDENTIFIED, version 1, with its CREATED event. Refused (CaseRuleError) for
    a target or district not in the graph and a due date in the past."""
    fields = _fields(values)
    check_due(fields.next_action_due, today)
    if await _one(tx, EXISTS_TARGET[target_kind], id=target_id) is None:
        raise CaseRuleError("target", f"no {target_kind.lower()} has the id {target_id!r}")
    if await _one(tx, EXISTS_DISTRICT, id=fields.district) is None:
        raise CaseRuleError("district", f"no district has the id {fields.district!r}")
    existing = await _one(tx, READ_CASE, id=case_id)
    if existing is not None:  # a retried transaction: already written
        return case_from_row(existing["c"])
    case = Case(
        id=case_id,
        target_kind=target_kind,
        target_id=target_id,
        owner_key=actor.key_id if fields.owner == actor.name else None,
        created_at=at,
        updated_at=at,
        **fields.model_dump(),
    )
    changes = (FieldChange(field="stage", before=None, after=str(case.stage)), *initial(fields))
    await _commit(tx, case, CaseAction.CREATED, changes, None, actor, event_id, at)
    await tx.run(link_target_query(target_kind), id=case_id, target=target_id)
    return case


async def _locked(
    tx: AsyncManagedTransaction, case_id: str, version: int, actor: Actor, event_id: str
) -> Case | None:
    """The case, locked, after the checks every change makes; None when this event was
    already written (a retried transaction)."""
    row = await _one(tx, LOCK_CASE, id=case_id)
    if row is None:
        raise CaseNotFoundError(case_id)
    case = case_from_row(row["c"])
    if not (actor.admin or case.owner == actor.name or actor.covers(case.district)):
        raise CaseForbiddenError(
            f"case {case_id} belongs to {case.owner} in {case.district}: a recruiter edits "
            "their own cases and their key's district's (an admin edits all)"
        )
    if await _one(tx, f"MATCH (e:{Label.CASE_EVENT} {{id: $id}}) RETURN e.id", id=event_id):
        return None
    if case.version != version:
        raise VersionConflictError(case_id, version, case.version)
    return case


async def update_case(
    tx: AsyncManagedTransaction,
    *,
    case_id: str,
    version: int,
    values: dict[str, Any],
    actor: Actor,
    event_id: str,
    at: datetime,
    today: date,
    note: str | None = None,
) -> Case:
    """Change the editable fields `values` names (None clears an optional one); the owner only
    by an admin. No change at all writes nothing and keeps the version."""
    case = await _locked(tx, case_id, version, actor, event_id)
    if case is None:
        return await _reread(tx, case_id)
    before = CaseFields.model_validate(case.model_dump(include=set(EDITABLE)))
    after = _fields({**before.model_dump(), **values})
    if after.owner != before.owner and not actor.admin:
        raise CaseForbiddenError("only an admin reassigns a case")
    if (
        after.district != before.district
        and not (actor.admin or case.owner == actor.name)
        and not actor.covers(after.district)
    ):
        raise CaseForbiddenError(
            f"your key's district is {actor.district}: you may not move a case to {after.district}"
        )
    if after.next_action_due != before.next_action_due:
        check_due(after.next_action_due, today)
    if (
        after.district != before.district
        and await _one(tx, EXISTS_DISTRICT, id=after.district) is None
    ):
        raise CaseRuleError("district", f"no district has the id {after.district!r}")
    changes = diff(before, after)
    if not changes:
        await tx.run(f"MATCH (c:{Label.CASE} {{id: $id}}) REMOVE c._lock", id=case_id)
        return case
    updated = case.model_copy(
        update={**after.model_dump(), "version": case.version + 1, "updated_at": at}
    )
    if after.owner != before.owner:
        updated = updated.model_copy(update={"owner_key": None})
    return await _commit(tx, updated, CaseAction.UPDATED, changes, note, actor, event_id, at)


async def move_case(
    tx: AsyncManagedTransaction,
    *,
    case_id: str,
    version: int,
    stage: CaseStage,
    note: str | None,
    actor: Actor,
    event_id: str,
    at: datetime,
) -> Case:
    """Move to the next stage, or DROPPED with the note as its reason (schema.case.check_move)."""
    case = await _locked(tx, case_id, version, actor, event_id)
    if case is None:
        return await _reread(tx, case_id)
    check_move(case.stage, stage, note)
    update: dict[str, Any] = {"stage": stage, "version": case.version + 1, "updated_at": at}
    if stage is CaseStage.DROPPED:
        update["drop_reason"] = (note or "").strip()
    if stage is CaseStage.LANDED:
        update["landed_at"] = at
    changes = (FieldChange(field="stage", before=str(case.stage), after=str(stage)),)
    moved = case.model_copy(update=update)
    return await _commit(tx, moved, CaseAction.MOVED, changes, note, actor, event_id, at)


async def _commit(
    tx: AsyncManagedTransaction,
    case: Case,
    action: CaseAction,
    changes: tuple[FieldChange, ...],
    note: str | None,
    actor: Actor,
    event_id: str,
    at: datetime,
) -> Case:
    """Save the changed case (which releases its lock) with the event of its new version."""
    await _save(tx, case)
    event = CaseEvent(
        id=event_id,
        case_id=case.id,
        version=case.version,
        action=action,
        at=at,
        actor=actor.name,
        actor_key=actor.key_id,
        changes=changes,
        note=note,
    )
    await _event(tx, event)
    return case


async def _reread(tx: AsyncManagedTransaction, case_id: str) -> Case:
    row = await _one(tx, LOCK_CASE, id=case_id)
    assert row is not None
    await tx.run(f"MATCH (c:{Label.CASE} {{id: $id}}) REMOVE c._lock", id=case_id)
    return case_from_row(row["c"])


def import_query(kind: TargetKind) -> str:
    """Cases of one target kind from a spreadsheet, each with its CREATED event and audit
    entry; a case whose id is already in the graph is left as it is (a re-import writes
    nothing)."""
    return f"""
UNWIND $rows AS row
MATCH (t:{TARGET_LABELS[kind]} {{id: row.target}}), (d:{Label.DISTRICT} {{id: row.props.district}})
OPTIONAL MATCH (old:{Label.CASE} {{id: row.id}})
WITH row, t, d WHERE old IS NULL
CREATE (c:{Label.CASE} {{id: row.id}})
{_set_case("row.props")}
CREATE (c)-[:{Rel.TARGETS}]->(t), (c)-[:{Rel.FOR_DISTRICT}]->(d)
CREATE (e:{Label.CASE_EVENT} {{id: row.event_id}})
SET e += row.event, e.at = datetime(row.at)
CREATE (c)-[:{Rel.HAS_EVENT} {{version: 1}}]->(e)
MERGE (a:{Label.AUDIT} {{id: row.audit_id}})
ON CREATE SET a += row.audit, a.at = datetime(row.at)
RETURN count(c) AS created
"""


def _import_row(case: Case, source: str, importer: str, at: datetime) -> dict[str, Any]:
    event = CaseEvent(
        id=f"cev-import-{case.id}",
        case_id=case.id,
        version=1,
        action=CaseAction.CREATED,
        at=at,
        actor=importer,
        changes=(
            FieldChange(field="stage", before=None, after=str(case.stage)),
            *initial(CaseFields.model_validate(case.model_dump(include=set(EDITABLE)))),
        ),
        note=f"imported from {source}",
    )
    audit = AuditEntry(
        id=f"aud-import-{case.id}",
        at=at,
        action="importCase",
        entity=case.id,
        key_name=importer,
        role=Role.ADMIN,
        summary=f"imported from {source}",
    )
    return {
        "id": case.id,
        "target": case.target_id,
        "props": _props(case),
        "event_id": event.id,
        "event": _event_props(event),
        "audit_id": audit.id,
        "audit": audit.model_dump(mode="json", exclude={"id", "at"}),
        "at": at.isoformat(),
    }


def import_cases(
    tx: ManagedTransaction, rows: Sequence[tuple[Case, str]], importer: str, at: datetime
) -> int:
    """Write the cases not yet in the graph (each with where it came from, e.g. `file row
    7`), as created by `importer` at `at`; how many were new. The caller checked targets and
    districts exist (ingest/cases.py)."""
    created = 0
    for kind in TargetKind:
        batch = [_import_row(c, src, importer, at) for c, src in rows if c.target_kind is kind]
        if batch:
            created += int(tx.run(import_query(kind), rows=batch).single(strict=True)["created"])
    return created


def known_ids(tx: ManagedTransaction, kind: TargetKind | None, ids: Sequence[str]) -> set[str]:
    """Which of `ids` are targets of `kind` (districts when `kind` is None) in the graph."""
    label = Label.DISTRICT if kind is None else TARGET_LABELS[kind]
    query = f"UNWIND $ids AS key MATCH (x:{label} {{id: key}}) RETURN x.id AS id"
    return {str(r["id"]) for r in tx.run(query, ids=list(ids))}
