"""Read units of work for the API: repositories' async transaction functions run through one
`Reader` per request, which also counts queries (the N+1 guard in tests and metrics)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeAlias, TypeVar

from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graph.errors import GraphError

P = ParamSpec("P")
# What repositories' read functions take; `api/` names it without importing the driver.
Tx: TypeAlias = AsyncManagedTransaction
R = TypeVar("R")


class Reader:
    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self._driver = driver
        self._database = database
        self.queries = 0

    async def __call__(
        self,
        work: Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        self.queries += 1
        try:
            async with self._driver.session(database=self._database) as session:
                return await session.execute_read(work, *args, **kwargs)
        except ServiceUnavailable as e:
            raise GraphError(f"Neo4j is unreachable: {e}") from e
        except Neo4jError as e:
            raise GraphError(f"Neo4j refused a read ({e.code}): {e.message}") from e


async def fetch(tx: AsyncManagedTransaction, query: str, **params: Any) -> list[dict[str, Any]]:
    result = await tx.run(query, params)
    return [record.data() async for record in result]


class ReadPool:
    """The API's handle on Neo4j: one driver (a connection pool) for the process, and a fresh
    `Reader` per request."""

    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self._driver = driver
        self._database = database

    def reader(self) -> Reader:
        return Reader(self._driver, self._database)

    async def ready(self) -> bool:
        """Whether Neo4j answers a query now."""
        try:
            records, _, _ = await self._driver.execute_query(
                "RETURN 1 AS ok", database_=self._database
            )
        except (Neo4jError, ServiceUnavailable, OSError):
            return False
        return bool(records and records[0]["ok"] == 1)

    async def close(self) -> None:
        await self._driver.close()
