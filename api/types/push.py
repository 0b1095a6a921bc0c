"""District recommendations and the push lists sent to districts."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from api.context import Info
from api.types.connection import PageInfo
from api.types.watch import EntityKind, TrackedEntity, load_entity
from schema import push as model


@strawberry.type(
    description="Why a candidate ranks where it does: in English words (`text`), and as a code "
    "with the numbers and names behind it, for a page to put in its own language (null where "
    "a code has no such number, and in lists pushed before these fields existed)."
)
class Reason:
    code: str = strawberry.field(description="EVIDENCE, COOPERATION, PATH or MOBILITY.")
    text: str
    value: float
    rank: int | None = strawberry.field(description="EVIDENCE: its place in the segment.")
    works: int | None = strawberry.field(
        description="EVIDENCE: matching works; COOPERATION: works shared with the district."
    )
    citations: int | None = strawberry.field(description="EVIDENCE: their citations.")
    partners: list[str] = strawberry.field(
        description="COOPERATION: the district's institutions it shares most works with."
    )
    hops: int | None = strawberry.field(description="PATH: hops to someone in the district.")
    institution: str | None = strawberry.field(description="MOBILITY: where it moved.")
    years: int | None = strawberry.field(description="MOBILITY: within how many years.")

    @classmethod
    def from_model(cls, m: model.Reason) -> Reason:
        return cls(
            code=m.code,
            text=m.text,
            value=m.value,
            rank=m.rank,
            works=m.works,
            citations=m.citations,
            partners=list(m.partners),
            hops=m.hops,
            institution=m.institution,
            years=m.years,
        )


@strawberry.type(
    description="A candidate outside the district: score = evidence x reach x mobility."
)
class Recommendation:
    entity_id: strawberry.ID
    kind: EntityKind
    name: str | None
    segment: strawberry.ID = strawberry.field(description="The focus segment it fits best.")
    segment_name: str | None
    segment_name_zh: str | None
    score: float
    evidence: float = strawberry.field(description="Its talent-chain score in the segment.")
    reach: float = strawberry.field(
        description="1 + cooperation with the district's institutions + introduction path."
    )
    mobility: float
    reasons: list[Reason]

    @strawberry.field(description="The scientist, team or institution.")
    async def entity(self, info: Info) -> TrackedEntity | None:
        return await load_entity(info, self.kind, str(self.entity_id))

    @classmethod
    def from_model(cls, m: model.Recommendation) -> Recommendation:
        return cls(
            entity_id=strawberry.ID(m.entity_id),
            kind=m.kind,
            name=m.name,
            segment=strawberry.ID(m.segment_id),
            segment_name=m.segment_name,
            segment_name_zh=m.segment_name_zh,
            score=m.score,
            evidence=m.evidence,
            reach=m.reach,
            mobility=m.mobility,
            reasons=[Reason.from_model(r) for r in m.reasons],
        )


@strawberry.type
class RecommendationEdge:
    node: Recommendation
    cursor: str


@strawberry.type
class RecommendationConnection:
    total_count: int
    edges: list[RecommendationEdge]
    page_info: PageInfo


@strawberry.type(description="One pushed candidate.")
class PushEntry:
    rank: int
    entity_id: strawberry.ID
    kind: EntityKind
    name: str | None
    score: float
    reasons: list[Reason]
    new_since_last: bool = strawberry.field(
        description="Not in the previous push list of the same district and segment."
    )

    @classmethod
    def from_model(cls, m: model.PushEntry) -> PushEntry:
        return cls(
            rank=m.rank,
            entity_id=strawberry.ID(m.entity_id),
            kind=m.kind,
            name=m.name,
            score=m.score,
            reasons=[Reason.from_model(r) for r in m.reasons],
            new_since_last=m.new_since_last,
        )


@strawberry.type(description="What a district was sent for a segment, dated and versioned.")
class PushList:
    id: strawberry.ID
    district: strawberry.ID
    segment: strawberry.ID
    segment_name: str | None
    segment_name_zh: str | None
    version: int
    as_of: date
    pushed_at: datetime
    pushed_by: str
    model_version: str
    previous_id: strawberry.ID | None
    entries: list[PushEntry]

    @strawberry.field(description="The entries the previous list did not have.")
    def new_since_last(self) -> list[PushEntry]:
        return [e for e in self.entries if e.new_since_last]

    @strawberry.field(description="Where the page's export button points (role-checked).")
    def xlsx_url(self) -> str:
        return f"/export/pushlists/{self.id}.xlsx"

    @classmethod
    def from_model(cls, m: model.PushList) -> PushList:
        return cls(
            id=strawberry.ID(m.id),
            district=strawberry.ID(m.district),
            segment=strawberry.ID(m.segment),
            segment_name=m.segment_name,
            segment_name_zh=m.segment_name_zh,
            version=m.version,
            as_of=m.as_of,
            pushed_at=m.pushed_at,
            pushed_by=m.pushed_by,
            model_version=m.model_version,
            previous_id=None if m.previous_id is None else strawberry.ID(m.previous_id),
            entries=[PushEntry.from_model(e) for e in m.entries],
        )


@strawberry.type
class PushListEdge:
    node: PushList
    cursor: str


@strawberry.type
class PushListConnection:
    total_count: int
    edges: list[PushListEdge]
    page_info: PageInfo


@strawberry.type(description="The push lists one push wrote, one per segment.")
class Pushed:
    push_lists: list[PushList]
