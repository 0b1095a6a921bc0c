"""The one audit path of people's writes: `audited` runs a write transaction function and
records its `(:Audit)` node in the same transaction, so a write and its audit commit or fail
together. The entry is made by the caller before the transaction (its id and time), so a
retried transaction writes the same node once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from neo4j import AsyncManagedTransaction

from schema.audit import AuditEntry
from schema.labels import Label

R = TypeVar("R")

RECORD_AUDIT = f"""
MERGE (a:{Label.AUDIT} {{id: $id}})
ON CREATE SET a += $props, a.at = datetime($at)
"""


async def record_audit(tx: AsyncManagedTransaction, entry: AuditEntry) -> None:
    props = entry.model_dump(mode="json", exclude={"id", "at"})
    await tx.run(RECORD_AUDIT, id=entry.id, at=entry.at.isoformat(), props=props)


async def audited(
    tx: AsyncManagedTransaction,
    entry: AuditEntry,
    work: Callable[..., Awaitable[R]],
    *args: Any,
    **kwargs: Any,
) -> R:
    """Run `work(tx, *args, **kwargs)`, then record `entry`; an error of `work` records
    nothing (the transaction rolls back)."""
    result = await work(tx, *args, **kwargs)
    await record_audit(tx, entry)
    return result
