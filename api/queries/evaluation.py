"""evaluation: a scientist's score, tier and components under the evaluation model, overall or
for a chain segment (Scientist.evaluation is the same from a scientist)."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, resolve_id, resolve_optional
from api.types.evaluation import Evaluation, EvaluationResult
from graph.queries.evaluation import EvalKey, evaluations


async def evaluate(
    info: Info, scientist: str, segment: strawberry.ID | None
) -> Evaluation | NotFound | InvalidId:
    """The evaluation of a resolved scientist id, for `segment` when given."""
    segment_id = await resolve_optional(info, IdKind.SEGMENT, segment)
    if isinstance(segment_id, NotFound | InvalidId):
        return segment_id
    found = await info.context.loader(evaluations).load(EvalKey(scientist, segment_id))
    if found is None:
        return NotFound(
            id=strawberry.ID(scientist),
            message=f"scientist {scientist!r} has no evaluation (no loaded works with topics)",
        )
    return Evaluation.from_model(found)


@strawberry.type
class EvaluationQuery:
    @strawberry.field(
        description="A scientist's score, tier (TOP, LEADING, YOUNG, ENGINEER or none) and "
        "components under the evaluation model (data/evaluation/*.yaml), overall or for a "
        "chain segment (<industry>/<segment>)."
    )
    async def evaluation(
        self, info: Info, scientist: strawberry.ID, segment: strawberry.ID | None = None
    ) -> EvaluationResult:
        resolved = await resolve_id(info, IdKind.SCIENTIST, str(scientist))
        if not isinstance(resolved, str):
            return resolved
        return await evaluate(info, resolved, segment)
