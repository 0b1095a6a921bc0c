"""Read units of work for the API: repositories' async read functions run through one
`Reader` per request, which also counts queries (the N+1 guard in tests), times them (the
`observe` callback, e.g. a metrics histogram; graph/ knows nothing of the API) and bounds them
(a transaction timeout Neo4j enforces).

Reads run as auto-commit queries in a session (`Tx` is that session's `run`), not in managed
transactions: a managed transaction costs BEGIN and COMMIT on top of the query, an extra round
trip to the server that made a trivial read about twice as slow (8.5 vs 14.8 ms p50 for
`RETURN 1` through the async driver on this machine). The timeout travels with each query.
A unit of work that runs several queries gets one snapshot per query, which reads of a graph
that loads change in whole batches can afford. Writes (`Reader.write`) keep managed
transactions and their retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeAlias, TypeVar

from neo4j import (
    READ_ACCESS,
    AsyncDriver,
    AsyncManagedTransaction,
    AsyncResult,
    AsyncSession,
    Query,
    unit_of_work,
)
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graph.errors import GraphError, QueryTimeoutError, UnavailableError

P = ParamSpec("P")
# Seconds past the query timeout after which the client gives up on a unit of work itself:
# more than Neo4j's own check of transaction timeouts (every 2 s by default) takes to stop it.
CLIENT_GRACE = 3.0
# After Neo4j was found unreachable, units of work fail at once for this many seconds instead
# of each waiting for a connection: a request meets the outage once, not at every level.
BREAKER_SECONDS = 1.0


class Breaker:
    """The process's memory that Neo4j was just unreachable (see BREAKER_SECONDS)."""

    def __init__(self, seconds: float = BREAKER_SECONDS) -> None:
        self.seconds = seconds
        self._open_until = 0.0

    def trip(self) -> None:
        self._open_until = time.monotonic() + self.seconds

    def reset(self) -> None:
        self._open_until = 0.0

    @property
    def open(self) -> bool:
        return time.monotonic() < self._open_until


class Tx(Protocol):
    """What repositories' read functions take: something that runs a query with parameters
    (an auto-commit session for reads, a managed transaction for the API's writes)."""

    async def run(self, query: str, parameters: dict[str, Any] | None = None) -> AsyncResult: ...


class _AutoCommit:
    """Each query an auto-commit transaction of its own, bounded by `timeout`."""

    def __init__(self, session: AsyncSession, timeout: float | None) -> None:
        self._session = session
        self._timeout = timeout

    async def run(self, query: str, parameters: dict[str, Any] | None = None) -> AsyncResult:
        return await self._session.run(Query(query, timeout=self._timeout), parameters)


R = TypeVar("R")
# Called after each unit of work with the transaction function's name and the seconds it took.
Observer: TypeAlias = Callable[[str, float], None]


class Reader:
    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        *,
        timeout: float | None = None,
        observe: Observer | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        self._driver = driver
        self._database = database
        self._timeout = timeout
        self._observe = observe
        self._breaker = breaker or Breaker()
        self.queries = 0

    async def __call__(
        self,
        work: Callable[Concatenate[Tx, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run `work`'s queries as auto-commit reads (see the module docstring)."""
        self.queries += 1
        return await self._run(work, False, *args, **kwargs)

    async def write(
        self,
        work: Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run `work` in a managed write transaction: only for the API's own bookkeeping
        (when an API key was last used) and admins' curation mutations, never for loads."""
        return await self._run(work, True, *args, **kwargs)

    async def _run(
        self,
        work: Callable[Concatenate[Any, P], Awaitable[R]],
        write: bool,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        if self._breaker.open:
            raise UnavailableError("the graph database is unreachable now; retry shortly")
        try:
            return await self._bounded(work, write, *args, **kwargs)
        except UnavailableError:
            self._breaker.trip()
            raise

    async def _bounded(
        self,
        work: Callable[Concatenate[Any, P], Awaitable[R]],
        write: bool,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        started = time.perf_counter()
        try:
            # Neo4j stops a query at the timeout; the client-side bound (a little later) ends
            # a unit of work that waits on a server that stopped answering altogether.
            async with asyncio.timeout(
                None if self._timeout is None else self._timeout + CLIENT_GRACE
            ):
                return await self._unit(work, write, *args, **kwargs)
        except TimeoutError as e:
            self._breaker.trip()  # Neo4j did not even stop the query itself: not serving
            raise QueryTimeoutError(self._timeout or 0.0) from e
        except (ServiceUnavailable, SessionExpired, OSError) as e:
            # The driver's words (addresses) go to the log through the cause, not to clients.
            raise UnavailableError("the graph database is unreachable now; retry shortly") from e
        except Neo4jError as e:
            if self._timeout is not None and "TransactionTimedOut" in (e.code or ""):
                raise QueryTimeoutError(self._timeout) from e
            if "DatabaseUnavailable" in (e.code or ""):
                message = "the graph database is unavailable now; retry shortly"
                raise UnavailableError(message) from e
            raise GraphError(f"Neo4j refused a read ({e.code}): {e.message}") from e
        finally:
            if self._observe is not None:
                self._observe(getattr(work, "__name__", "unknown"), time.perf_counter() - started)

    async def _unit(
        self,
        work: Callable[Concatenate[Any, P], Awaitable[R]],
        write: bool,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        if write:
            bounded = work if self._timeout is None else unit_of_work(timeout=self._timeout)(work)
            async with self._driver.session(database=self._database) as session:
                return await session.execute_write(bounded, *args, **kwargs)
        async with self._driver.session(
            database=self._database, default_access_mode=READ_ACCESS
        ) as session:
            return await work(_AutoCommit(session, self._timeout), *args, **kwargs)


async def fetch(tx: Tx, query: str, **params: Any) -> list[dict[str, Any]]:
    """The rows of `query` as dicts. Values come as the driver decodes them (maps and lists as
    dicts and lists, a node as a read-only mapping of its properties): not through
    `Record.data()`, whose recursive copy of every nested map cost the API tens of
    milliseconds on large answers (profiled on talentChain)."""
    result = await tx.run(query, params)
    return [dict(zip(record.keys(), record, strict=True)) async for record in result]


class ReadPool:
    """The API's handle on Neo4j: one driver (a connection pool) for the process, and a fresh
    `Reader` per request, each with the pool's timeout, observer and breaker."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        *,
        timeout: float | None = None,
        observe: Observer | None = None,
    ) -> None:
        self._driver = driver
        self._database = database
        self._timeout = timeout
        self._observe = observe
        self._breaker = Breaker()

    def reader(self) -> Reader:
        return Reader(
            self._driver,
            self._database,
            timeout=self._timeout,
            observe=self._observe,
            breaker=self._breaker,
        )

    async def ready(self) -> bool:
        """Whether Neo4j answers a query now (within the timeout)."""
        try:
            async with asyncio.timeout(self._timeout):
                # No bookmarks: after a restore (talentmap db restore) the database's
                # transaction ids start lower than any bookmark this driver kept, and a
                # bookmark would make the probe wait for a version that never comes.
                records, _, _ = await self._driver.execute_query(
                    "RETURN 1 AS ok", database_=self._database, bookmark_manager_=None
                )
        except (Neo4jError, ServiceUnavailable, SessionExpired, OSError, TimeoutError):
            return False
        ok = bool(records and records[0]["ok"] == 1)
        if ok:
            self._breaker.reset()
        return ok

    async def close(self) -> None:
        await self._driver.close()
