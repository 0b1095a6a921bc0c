"""Error masking, without a database: an unexpected failure must not leak its message."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from graphql import GraphQLError

from api.errors import UserInputError, should_mask
from api.schema import schema


def test_should_mask() -> None:
    assert should_mask(GraphQLError("boom", original_error=RuntimeError("db password is x")))
    assert not should_mask(GraphQLError("bad", original_error=UserInputError("first > 100")))
    assert not should_mask(GraphQLError("Cannot query field 'nope' on type 'Query'."))


def test_unexpected_errors_are_masked() -> None:
    async def explode(key: str) -> Any:
        raise RuntimeError("secret connection detail")

    context = SimpleNamespace(loader=lambda batch: SimpleNamespace(load=explode))
    result = asyncio.run(
        schema.execute('{ scientist(id: "A5023888391") { __typename } }', context_value=context)
    )
    assert result.errors is not None
    assert [e.message for e in result.errors] == ["Unexpected error."]
