"""Per-request context: a Reader over the shared driver and fresh DataLoaders.

DataLoaders live exactly one request: their caches must never leak data between users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from graph.reader import Reader, ReadPool
from graph.repositories import scientist as scientists
from graph.repositories.scientist import PageKey
from schema.scientist import Scientist
from schema.work import Work


@dataclass
class Loaders:
    scientist: DataLoader[str, Scientist | None]
    work_count: DataLoader[str, int]
    work_page: DataLoader[PageKey, list[Work]]


def build_loaders(reader: Reader) -> Loaders:
    async def load_scientists(ids: list[str]) -> list[Scientist | None]:
        return await reader(scientists.scientists_by_id, ids)

    async def load_work_counts(ids: list[str]) -> list[int]:
        return await reader(scientists.work_counts, ids)

    async def load_work_pages(pages: list[PageKey]) -> list[list[Work]]:
        return await reader(scientists.work_pages, pages)

    return Loaders(
        scientist=DataLoader(load_fn=load_scientists),
        work_count=DataLoader(load_fn=load_work_counts),
        work_page=DataLoader(load_fn=load_work_pages),
    )


class Context(BaseContext):
    def __init__(self, pool: ReadPool) -> None:
        super().__init__()
        self.reader = pool.reader()
        self.loaders = build_loaders(self.reader)


Info: TypeAlias = StrawberryInfo[Context, None]
