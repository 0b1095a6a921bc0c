"""whoami: the caller's role and key name, so a page shows only the views the role may use.

No graph query of its own: the key was looked up (graph.write.apikey, through api.auth's
cache) before the request reached the schema, and the answer is that lookup's.
"""

from __future__ import annotations

import strawberry

from api.context import Info
from api.types.whoami import Viewer


@strawberry.type
class WhoamiQuery:
    @strawberry.field(description="The caller: its key's role, name and id (or anonymous access).")
    def whoami(self, info: Info) -> Viewer:
        principal = info.context.principal
        # The access rule refuses every field without a principal; never reached then.
        assert principal is not None
        return Viewer.from_principal(principal)
