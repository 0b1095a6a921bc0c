"""The API's side of the one audit path: every people-write (cases, curation) runs through
`audited_write`, which records an `(:Audit)` node with the caller's API key id and name in the
write's own transaction (graph.write.audit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from api.context import Info
from graph.write.audit import audited
from schema.apikey import Role
from schema.audit import Actor, AuditEntry, new_audit_id

R = TypeVar("R")


def actor(info: Info) -> Actor:
    """Who asks: the key's name, id and role (anonymous access, when granted, has no key)."""
    principal = info.context.principal
    if principal is None:  # the access rule refuses every field first; never reached
        return Actor(name="anonymous", role=Role.VIEWER)
    return Actor(
        name=principal.name,
        key_id=principal.key_id,
        role=principal.role,
        district=principal.district,
    )


async def audited_write(
    info: Info,
    action: str,
    entity: str,
    work: Callable[..., Awaitable[R]],
    *args: Any,
    summary: str | None = None,
    **kwargs: Any,
) -> R:
    """Run the write transaction function `work` with its audit entry, in one transaction."""
    who = actor(info)
    entry = AuditEntry(
        id=new_audit_id(),
        at=datetime.now(UTC),
        action=action,
        entity=entity,
        key_id=who.key_id,
        key_name=who.name,
        role=who.role,
        summary=summary,
    )
    return await info.context.reader.write(audited, entry, work, *args, **kwargs)
