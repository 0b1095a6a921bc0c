"""Errors the API shows to clients. Expected failures are union members with a message
(`NotFound`, `InvalidId`, `InvalidRange`; for people's writes `InvalidInput`,
`VersionConflict`, `Forbidden`), all implementing the `Failure` interface; bad
arguments of nested fields raise `UserInputError`, whose message is shown, and so is a read
that ran past the query timeout (`graph.errors.QueryTimeoutError`), and Neo4j being
unreachable (`graph.errors.UnavailableError`: code UNAVAILABLE, HTTP 503); everything else is masked
("Unexpected error." with the request id, api/guard.py) and logged with its traceback."""

from __future__ import annotations

from enum import StrEnum

import strawberry
from graphql import GraphQLError

from graph.errors import QueryTimeoutError, UnavailableError

# Seconds a client is told to wait (`Retry-After`) when Neo4j cannot be reached.
RETRY_AFTER_SECONDS = 5


class ErrorCode(StrEnum):
    """The `extensions.code` of an error, and the `code` label of the errors metric."""

    UNAUTHENTICATED = "UNAUTHENTICATED"  # no or an unknown API key (HTTP 401)
    FORBIDDEN = "FORBIDDEN"  # the caller's role may not ask the field (api/access.py)
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"  # too deep, too many aliases, too costly (api/limits.py)
    BAD_USER_INPUT = "BAD_USER_INPUT"  # UserInputError, or `first` out of range
    TIMEOUT = "TIMEOUT"  # a read ran past the query timeout
    INVALID = "GRAPHQL_VALIDATION_FAILED"  # syntax and validation errors of graphql-core
    UNAVAILABLE = "UNAVAILABLE"  # Neo4j cannot be reached now: retry later (HTTP 503)
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # the request body is over the limit (HTTP 413)
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"  # the body did not arrive in time (HTTP 408)
    INTERNAL = "INTERNAL_SERVER_ERROR"  # everything unexpected (masked)


class UserInputError(GraphQLError):
    """A client mistake (bad cursor, page size out of range): its message is safe to show."""


@strawberry.interface(description="An expected failure: the message says what was wrong.")
class Failure:
    message: str


@strawberry.type(description="No entity has this identifier.")
class NotFound(Failure):
    id: strawberry.ID


@strawberry.type(description="The identifier is not in any format this field accepts.")
class InvalidId(Failure):
    id: strawberry.ID


@strawberry.type(description="A range argument is out of bounds or reversed (from > to).")
class InvalidRange(Failure):
    argument: str


@strawberry.type(
    description="An input a write cannot take: `field` names it (in the API's "
    "spelling), the message says why."
)
class InvalidInput(Failure):
    field: str


@strawberry.type(
    description="The write was based on an old version: someone changed the entity since it "
    "was read. Read it again (currentVersion) and redo the change."
)
class VersionConflict(Failure):
    current_version: int


@strawberry.type(description="Your key may ask this field, but not do this to this entity.")
class Forbidden(Failure):
    pass


def should_mask(error: GraphQLError) -> bool:
    """Mask every error but the ones raised on purpose for clients."""
    original = error.original_error
    if original is None:
        return False  # validation and parse errors from graphql-core itself
    return not isinstance(original, UserInputError | QueryTimeoutError | UnavailableError)
