"""Units of work for callers outside graph/: they pass a repository's transaction function and
its arguments, and never touch the driver themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import Neo4jError, ServiceUnavailable

from graph.errors import GraphError

# What a unit of work receives, for callers outside graph/ that annotate one.
Transaction = ManagedTransaction

P = ParamSpec("P")
R = TypeVar("R")


class Writer:
    """Runs transaction functions as managed write transactions (retried by the driver on
    transient errors, so each function must be idempotent)."""

    def __init__(self, driver: Driver, database: str) -> None:
        self._driver = driver
        self._database = database

    def __call__(
        self,
        work: Callable[Concatenate[ManagedTransaction, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        try:
            with self._driver.session(database=self._database) as session:
                return session.execute_write(work, *args, **kwargs)
        except ServiceUnavailable as e:
            raise GraphError(f"Neo4j became unreachable: {e}") from e
        except Neo4jError as e:
            raise GraphError(f"Neo4j refused a write ({e.code}): {e.message}") from e
