"""Curators' identity decisions: merge two scientists into one, or split them apart (admin).

A decision is recorded and applied at once (graph.write.identity): identifiers, works and
Author-record affiliations move; the ties derived from works (co-authors, expertise, teams,
affiliations from authorships) are recomputed by the next `talentmap derive` or ingest, which
also re-apply every decision after a reload.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from api.audit import audited_write
from api.context import Info
from api.errors import Failure, InvalidId, NotFound
from api.ids import IdKind, parse_id, resolve_id
from api.types.scientist import Scientist
from graph.queries.entities import resolve_ids
from graph.read.scientist import scientists_by_id
from graph.write.identity import CurationConflictError, curate_async, find_identities
from schema.identity import IdentityDecision as DecisionModel
from schema.identity import IdentityDecisionKind, IdentityScope


@strawberry.type(description="The decision contradicts an earlier one (a merge across a split).")
class CurationConflict(Failure):
    pass


@strawberry.type(description="A curator's decision that two scientists are one, or two.")
class IdentityDecision:
    id: strawberry.ID
    kind: str = strawberry.field(description="merge or split.")
    left: strawberry.ID = strawberry.field(
        description="The first scientist: the one a merge keeps."
    )
    right: strawberry.ID = strawberry.field(
        description="The second scientist: the one a merge makes an alias of the first."
    )
    curator: str
    reason: str | None
    decided_at: datetime
    scientists: list[Scientist] = strawberry.field(
        description="The scientists the two ids stand for now: one after a merge, two after a "
        "split."
    )


CurationResult = Annotated[
    IdentityDecision | NotFound | InvalidId | CurationConflict,
    strawberry.union("CurationResult"),
]


async def _identity(info: Info, raw: str) -> str | NotFound | InvalidId:
    """The own id of the scientist `raw` names, merged ones included (not who absorbed it)."""
    return await resolve_id(info, IdKind.SCIENTIST, raw, lookup=find_identities)


async def _decide(
    info: Info, kind: IdentityDecisionKind, left: str, right: str, reason: str | None
) -> CurationResult:
    sides = [await _identity(info, left), await _identity(info, right)]
    for side in sides:
        if not isinstance(side, str):
            return side
    left_id, right_id = str(sides[0]), str(sides[1])
    if left_id == right_id:
        return InvalidId(
            id=strawberry.ID(right), message=f"{left!r} and {right!r} are the same scientist"
        )
    principal = info.context.principal
    decision = DecisionModel(
        kind=kind,
        scope=IdentityScope.SCIENTIST,
        left=(left_id,),
        right=(right_id,),
        curator=principal.name if principal else "anonymous",
        reason=reason or None,
        decided_at=datetime.now(UTC),
    )
    try:
        await audited_write(
            info,
            "mergeScientists" if kind is IdentityDecisionKind.MERGE else "splitScientists",
            f"{left_id} {right_id}",
            curate_async,
            decision,
            summary=reason or None,
        )
    except CurationConflictError as e:
        return CurationConflict(message=str(e))
    # Looked up after the write, through loaders not used before it in this request.
    keys = [parse_id(IdKind.SCIENTIST, x) for x in (left_id, right_id)]
    now = await info.context.loader(resolve_ids).load_many(keys)
    found = await info.context.loader(scientists_by_id).load_many(
        list(dict.fromkeys(x for x in now if x is not None))
    )
    return IdentityDecision(
        id=strawberry.ID(decision.id),
        kind=decision.kind.value,
        left=strawberry.ID(left_id),
        right=strawberry.ID(right_id),
        curator=decision.curator,
        reason=decision.reason,
        decided_at=decision.decided_at,
        scientists=[Scientist.from_model(m) for m in found if m is not None],
    )


@strawberry.type
class CurationMutation:
    @strawberry.mutation(
        description="Merge two scientists (any identifier of each): `merge` becomes an alias of "
        "`keep`, its works and identifiers move to it. Recorded as a decision that every later "
        "ingest re-applies; derived ties are recomputed by the next derive step. Admin only."
    )
    async def merge_scientists(
        self, info: Info, keep: strawberry.ID, merge: strawberry.ID, reason: str | None = None
    ) -> CurationResult:
        return await _decide(info, IdentityDecisionKind.MERGE, str(keep), str(merge), reason)

    @strawberry.mutation(
        description="Split two scientists: undo a merge of the two (each gets its own works and "
        "identifiers back) and keep them apart from now on, whatever later ingests bring. "
        "Admin only."
    )
    async def split_scientists(
        self, info: Info, a: strawberry.ID, b: strawberry.ID, reason: str | None = None
    ) -> CurationResult:
        return await _decide(info, IdentityDecisionKind.SPLIT, str(a), str(b), reason)
