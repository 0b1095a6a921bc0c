"""The GraphQL schema: the root query merged from `api/queries/`, extensions, the exported SDL."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.errors import should_mask
from api.queries.entities import EntityQuery
from api.queries.search import SearchQuery

Query = merge_types("Query", (EntityQuery, SearchQuery))


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong on our side; a client's own mistake is answered, not logged."""
        unexpected = [e for e in errors if should_mask(e)]
        super().process_errors(unexpected, execution_context)


schema = Schema(query=Query, extensions=[lambda: MaskErrors(should_mask_error=should_mask)])
