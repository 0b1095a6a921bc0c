"""Errors the API shows to clients. Expected failures of a lookup are union members
(`NotFound`, `InvalidId`); bad arguments raise `UserInputError`, whose message is shown;
everything else is masked by the schema's MaskErrors extension and logged."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError


class UserInputError(GraphQLError):
    """A client mistake (bad cursor, page size out of range): its message is safe to show."""


@strawberry.type(description="No entity has this identifier.")
class NotFound:
    id: strawberry.ID
    message: str


@strawberry.type(description="The identifier is not in any format this field accepts.")
class InvalidId:
    id: strawberry.ID
    message: str


def should_mask(error: GraphQLError) -> bool:
    """Mask every error but the ones raised on purpose for clients."""
    original = error.original_error
    if original is None:
        return False  # validation and parse errors from graphql-core itself
    return not isinstance(original, UserInputError)
