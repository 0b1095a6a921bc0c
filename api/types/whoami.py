"""whoami's answer: the caller as the API sees it (the role decides which views a page shows)."""

from __future__ import annotations

import strawberry

from api.auth import Principal
from schema.apikey import Role as RoleModel

# Registered as a GraphQL enum (strawberry marks the class), then named as a plain alias.
strawberry.enum(
    RoleModel, name="Role", description="viewer < recruiter < admin; each includes the ones before."
)
Role = RoleModel


@strawberry.type(description="The caller: the role of its key (or of anonymous access).")
class Viewer:
    role: Role
    name: str = strawberry.field(description="The key's name; `anonymous` without a key.")
    key_id: strawberry.ID | None = strawberry.field(description="The key's id; null without one.")
    anonymous: bool

    @classmethod
    def from_principal(cls, principal: Principal) -> Viewer:
        return cls(
            role=principal.role,
            name=principal.name,
            key_id=strawberry.ID(principal.key_id) if principal.key_id else None,
            anonymous=principal.anonymous,
        )
