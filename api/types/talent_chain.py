"""The talentChain answer: an industry's segments in chain order, each with its topics and the
scientists, teams and institutions worldwide ranked by their evidence in the segment, and how
many of them sit in the home region.

These types exist only as parts of that one answer, so they share a file (the one-type-per-file
habit is for the entity types that many answers reuse). Each list field reads through a
per-request DataLoader over segment keys: a chain of 8 segments costs one query per list kind,
not one per segment or item.
"""

from __future__ import annotations

from typing import Any

import strawberry

from api.context import Info
from api.types.industry import ChainSegment, Industry
from api.types.institution import Institution
from api.types.scientist import Scientist
from api.types.team import Team
from api.types.topic import Topic
from graph.repositories.chain import (
    Ranked,
    Ranking,
    RankKey,
    segment_institutions,
    segment_scientists,
    segment_teams,
    segment_topics,
)
from schema.industry import ChainSegment as ChainSegmentModel
from schema.institution import Institution as InstitutionModel
from schema.scientist import Scientist as ScientistModel
from schema.team import Team as TeamModel

_SCORE = (
    "Sum over the matching works of 1 + log10(1 + citations): every matching work counts, "
    "a cited one more."
)


@strawberry.type(description="A scientist ranked by works on a segment's topics.")
class RankedScientist:
    scientist: Scientist
    matching_works: int = strawberry.field(
        description="Works this scientist authored that are about the segment's topics."
    )
    citations: int = strawberry.field(description="Citations of those works.")
    score: float = strawberry.field(description=_SCORE)
    in_region: bool | None = strawberry.field(
        description="Whether a latest affiliation is in the region (null without a region)."
    )

    @classmethod
    def from_ranked(cls, ranked: Ranked[ScientistModel]) -> RankedScientist:
        return cls(
            scientist=Scientist.from_model(ranked.node),
            matching_works=ranked.matching_works,
            citations=ranked.citations,
            score=ranked.score,
            in_region=ranked.in_region,
        )


@strawberry.type(description="A team ranked by its members' works on a segment's topics.")
class RankedTeam:
    team: Team
    matching_works: int = strawberry.field(
        description="Works a member wrote at the team's institution about the segment's topics."
    )
    citations: int = strawberry.field(description="Citations of those works.")
    score: float = strawberry.field(description=_SCORE)
    in_region: bool | None = strawberry.field(
        description="Whether the team is based at an institution in the region."
    )

    @classmethod
    def from_ranked(cls, ranked: Ranked[TeamModel]) -> RankedTeam:
        return cls(
            team=Team.from_model(ranked.node),
            matching_works=ranked.matching_works,
            citations=ranked.citations,
            score=ranked.score,
            in_region=ranked.in_region,
        )


@strawberry.type(description="An institution ranked by its works on a segment's topics.")
class RankedInstitution:
    institution: Institution
    matching_works: int = strawberry.field(
        description="Works with the institution among their authorships' institutions, about "
        "the segment's topics."
    )
    citations: int = strawberry.field(description="Citations of those works.")
    score: float = strawberry.field(description=_SCORE)
    in_region: bool | None = strawberry.field(
        description="Whether the institution is in the region."
    )

    @classmethod
    def from_ranked(cls, ranked: Ranked[InstitutionModel]) -> RankedInstitution:
        return cls(
            institution=Institution.from_model(ranked.node),
            matching_works=ranked.matching_works,
            citations=ranked.citations,
            score=ranked.score,
            in_region=ranked.in_region,
        )


@strawberry.type(description="How many of one kind of ranked entity sit in the region.")
class RegionCount:
    top: int = strawberry.field(description="How many of the returned top list are in it.")
    top_size: int = strawberry.field(description="The length of the returned top list.")
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

    def _key(self) -> RankKey:
        return RankKey(str(self.segment.id), self.region_id, self.first)

    @strawberry.field(description="The topics the segment needs, directly or by subfield.")
    async def topics(self, info: Info) -> list[Topic]:
        found = await info.context.loader(segment_topics).load(str(self.segment.id))
        return [Topic.from_model(t) for t in found]

    @strawberry.field(description="The top scientists worldwide, best first.")
    async def scientists(self, info: Info) -> list[RankedScientist]:
        ranking = await info.context.loader(segment_scientists).load(self._key())
        return [RankedScientist.from_ranked(r) for r in ranking.top]

    @strawberry.field(description="The top teams worldwide, best first.")
    async def teams(self, info: Info) -> list[RankedTeam]:
        ranking = await info.context.loader(segment_teams).load(self._key())
        return [RankedTeam.from_ranked(r) for r in ranking.top]

    @strawberry.field(description="The top institutions worldwide, best first.")
    async def institutions(self, info: Info) -> list[RankedInstitution]:
        ranking = await info.context.loader(segment_institutions).load(self._key())
        return [RankedInstitution.from_ranked(r) for r in ranking.top]

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
