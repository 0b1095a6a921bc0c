"""The audit trail of people's writes (cases, curation, and what comes next): who did what to
which entity, and when, with the API key that did it. No I/O."""

from __future__ import annotations

import secrets
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from schema.apikey import Role


class Actor(BaseModel):
    """Who writes: an API key's name, id and role (the CLI passes its own name, no key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    key_id: str | None = None
    role: Role
    # The district (or city) the key is bound to, if any (schema/apikey.py).
    district: str | None = None

    @property
    def admin(self) -> bool:
        return self.role.includes(Role.ADMIN)

    def covers(self, district: str) -> bool:
        """Whether `district` is the key's district, or one of its city's districts."""
        mine = self.district
        return mine is not None and (district == mine or district.startswith(mine + "/"))


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    at: datetime
    action: str  # the mutation or command, e.g. createCase, mergeScientists
    entity: str  # the id (or ids) it wrote
    key_id: str | None = None
    key_name: str
    role: Role
    summary: str | None = None


def new_audit_id() -> str:
    return "aud-" + secrets.token_hex(8)
