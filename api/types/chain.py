"""The talentChain answer: an industry's segments in chain order, each with its topics and the
scientists, teams and institutions worldwide ranked by their evidence in the segment, and how
many of them sit in the home region.

These types exist only as parts of that one answer, so they share a file (the one-type-per-file
habit is for the entity types that many answers reuse). The ranked lists are cursor
connections whose edges carry the evidence for the rank. Each list field reads through a
per-request DataLoader over segment keys: a chain of 8 segments costs one query per list kind,
not one per segment or item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from pydantic import BaseModel

from api.context import Batch, Info
from api.types.connection import PageInfo, edge_connection, page_window
from api.types.heat import TopicHeat
from api.types.industry import ChainSegment, Industry
from api.types.institution import Institution
from api.types.scientist import Scientist
from api.types.team import Team
from api.types.topic import Topic
from graph.queries.chain import (
    Ranking,
    RankKey,
    segment_institutions,
    segment_scientists,
    segment_teams,
    segment_topics,
)
from graph.queries.heat import heats
from schema.industry import ChainSegment as ChainSegmentModel

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# The page size of the ranked lists: talentChain's `first` gives their default, at most this.
MAX_RANKED = 50

_SCORE = (
    "Sum over the matching works of 1 + log10(1 + citations): every matching work counts, "
    "a cited one more."
)


@strawberry.type(
    description="A scientist, team or institution ranked by its works on a segment's topics, "
    "with the evidence for its rank."
)
class RankedEdge(Generic[T]):
    node: T
    cursor: str
    matching_works: int = strawberry.field(
        description="Works about the segment's topics: a scientist's works; a team's works a "
        "member wrote at the team's institution; an institution's works with it among their "
        "authorships' institutions."
    )
    citations: int = strawberry.field(description="Citations of those works.")
    score: float = strawberry.field(description=_SCORE)
    in_region: bool | None = strawberry.field(
        description="Whether it is in the region (a scientist: a latest affiliation; a team: "
        "its institution); null without a region."
    )
    segment_score: float | None = strawberry.field(
        description="A scientist's evaluation score for the segment (Scientist.evaluation "
        "with this segment), which orders the scientists; null for teams and institutions "
        "(ranked by `score`) and for scientists without an evaluation (listed last)."
    )


@strawberry.type(
    description="A segment's ranking worldwide, best first: scientists by the evaluation "
    "model's segment score, teams and institutions by their evidence `score` (ties: id)."
)
class RankedConnection(Generic[T]):
    total_count: int = strawberry.field(description="All those with matching works worldwide.")
    edges: list[RankedEdge[T]]
    page_info: PageInfo


def _connection(ranking: Ranking[M], offset: int, node: Callable[[M], T]) -> RankedConnection[T]:
    return edge_connection(
        RankedConnection,
        ranking.top,
        ranking.total,
        offset,
        lambda r, cursor: RankedEdge(
            node=node(r.node),
            cursor=cursor,
            matching_works=r.matching_works,
            citations=r.citations,
            score=r.score,
            in_region=r.in_region,
            segment_score=r.segment_score,
        ),
    )


@strawberry.type(description="How many of one kind of ranked entity sit in the region.")
class RegionCount:
    top: int = strawberry.field(
        description="How many of the top list (talentChain's `first`) are in it."
    )
    top_size: int = strawberry.field(description="The length of that top list.")
    in_region: int = strawberry.field(
        description="How many of all those with matching works worldwide are in it."
    )
    total: int = strawberry.field(description="All those with matching works worldwide.")
    gap: bool = strawberry.field(description="True when the region has none of them.")

    @classmethod
    def from_ranking(cls, ranking: Ranking[Any]) -> RegionCount:
        inside = ranking.in_region or 0
        return cls(
            top=sum(1 for r in ranking.top if r.in_region),
            top_size=len(ranking.top),
            in_region=inside,
            total=ranking.total,
            gap=inside == 0,
        )


@strawberry.type(description="A segment's coverage in the region, so the gaps stand out.")
class RegionCounts:
    region_id: strawberry.ID
    scientists: RegionCount
    teams: RegionCount
    institutions: RegionCount
    gap: bool = strawberry.field(
        description="True when the region has no scientist, team or institution with works "
        "on the segment's topics."
    )


@strawberry.type(description="One segment of the chain with its talent, ranked worldwide.")
class TalentChainSegment:
    segment: ChainSegment
    region_id: strawberry.Private[str | None]
    first: strawberry.Private[int]

    def _key(self, offset: int = 0, limit: int | None = None) -> RankKey:
        size = self.first if limit is None else limit
        return RankKey(str(self.segment.id), self.region_id, offset, size)

    async def _ranked(
        self,
        info: Info,
        batch: Batch[RankKey, Ranking[M]],
        first: int | None,
        after: str | None,
        node: Callable[[M], T],
    ) -> RankedConnection[T]:
        offset, limit = page_window(first, after, default=self.first, maximum=MAX_RANKED)
        ranking = await info.context.loader(batch).load(self._key(offset, limit))
        return _connection(ranking, offset, node)

    @strawberry.field(
        description="The segment's technology heat (as topicHeat with the segment's id); null "
        "before the derived step computed it."
    )
    async def heat(
        self, info: Info, from_year: int | None = None, to_year: int | None = None
    ) -> TopicHeat | None:
        found = await info.context.loader(heats).load(str(self.segment.id))
        return TopicHeat.from_model(found, from_year, to_year) if found else None

    @strawberry.field(description="The topics the segment needs, directly or by subfield.")
    async def topics(self, info: Info) -> list[Topic]:
        found = await info.context.loader(segment_topics).load(str(self.segment.id))
        return [Topic.from_model(t) for t in found]

    @strawberry.field(
        description="The scientists worldwide with works on the segment's topics, by the "
        "evaluation model's segment score (`segmentScore`), best first; "
        f"`first` defaults to talentChain's `first` (at most {MAX_RANKED})."
    )
    async def scientists(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> RankedConnection[Scientist]:
        return await self._ranked(info, segment_scientists, first, after, Scientist.from_model)

    @strawberry.field(
        description="The teams worldwide with works on the segment's topics, best first; "
        f"`first` defaults to talentChain's `first` (at most {MAX_RANKED})."
    )
    async def teams(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> RankedConnection[Team]:
        return await self._ranked(info, segment_teams, first, after, Team.from_model)

    @strawberry.field(
        description="The institutions worldwide with works on the segment's topics, best "
        f"first; `first` defaults to talentChain's `first` (at most {MAX_RANKED})."
    )
    async def institutions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> RankedConnection[Institution]:
        return await self._ranked(info, segment_institutions, first, after, Institution.from_model)

    @strawberry.field(
        description="How many of the top and of all matching scientists, teams and "
        "institutions are in the region; null without a region."
    )
    async def region_counts(self, info: Info) -> RegionCounts | None:
        if self.region_id is None:
            return None
        key = self._key()
        scientists = await info.context.loader(segment_scientists).load(key)
        teams = await info.context.loader(segment_teams).load(key)
        institutions = await info.context.loader(segment_institutions).load(key)
        counts = [RegionCount.from_ranking(r) for r in (scientists, teams, institutions)]
        return RegionCounts(
            region_id=strawberry.ID(self.region_id),
            scientists=counts[0],
            teams=counts[1],
            institutions=counts[2],
            gap=all(c.gap for c in counts),
        )

    @classmethod
    def from_model(
        cls, model: ChainSegmentModel, region_id: str | None, first: int
    ) -> TalentChainSegment:
        return cls(segment=ChainSegment.from_model(model), region_id=region_id, first=first)


@strawberry.type(description="An industry's chain with the talent for each segment.")
class TalentChain:
    industry: Industry
    region_id: strawberry.ID | None = strawberry.field(
        description="The home region the counts are for, if one was given."
    )
    segments: list[TalentChainSegment] = strawberry.field(
        description="The segments in chain order, upstream first."
    )
