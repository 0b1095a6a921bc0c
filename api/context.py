"""Per-request context: a Reader over the shared driver, the request's DataLoaders, and who
is asking (`principal`), with the process's limits and metrics for the schema extensions.

DataLoaders live exactly one request: their caches must never leak data between users.
`loader(batch)` gives the request's DataLoader for a repository batch function (one that
takes a transaction and a list of keys and returns one result per key, in key order), made on
first use; resolvers never run queries themselves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeAlias, TypeVar, cast

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from api.auth import Principal
from api.limits import Limits
from api.metrics import Metrics
from graph.reader import ReadPool, Tx

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Batch: TypeAlias = Callable[[Tx, Sequence[K]], Awaitable[Sequence[V]]]


class Context(BaseContext):
    def __init__(
        self,
        pool: ReadPool,
        *,
        principal: Principal | None = None,
        limits: Limits | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__()
        self.reader = pool.reader()
        self.principal = principal
        self.limits = limits or Limits()
        self.metrics = metrics
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    def loader(self, batch: Batch[K, V]) -> DataLoader[K, V]:
        """The request's DataLoader over `batch`: one query per batch of keys."""
        found = self._loaders.get(batch)
        if found is None:
            reader = self.reader

            async def load(keys: list[K]) -> Sequence[V]:
                return await reader(batch, keys)

            found = self._loaders[batch] = DataLoader(load_fn=load)
        return cast(DataLoader[K, V], found)


Info: TypeAlias = StrawberryInfo[Context, None]
