"""The GraphQL schema: root types, extensions, and the exported SDL."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from api.context import Info
from api.errors import InvalidId, NotFound, should_mask
from api.types.scientist import Scientist
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id

ScientistResult = Annotated[Scientist | NotFound | InvalidId, strawberry.union("ScientistResult")]


@strawberry.type
class Query:
    @strawberry.field(
        description="A scientist by OpenAlex author id, short (A5023888391) or URL form."
    )
    async def scientist(self, info: Info, id: strawberry.ID) -> ScientistResult:
        try:
            key = openalex_id(str(id), OpenAlexKind.AUTHOR)
        except InvalidIdError as e:
            return InvalidId(id=id, message=str(e))
        model = await info.context.loaders.scientist.load(key)
        if model is None:
            return NotFound(id=id, message=f"no scientist has the id {id!r}")
        return Scientist.from_model(model)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong on our side; a client's own mistake is answered, not logged."""
        unexpected = [e for e in errors if should_mask(e)]
        super().process_errors(unexpected, execution_context)


schema = Schema(query=Query, extensions=[lambda: MaskErrors(should_mask_error=should_mask)])
