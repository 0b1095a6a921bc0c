"""Recruitment cases, their history, the audit log and progress against the region's targets."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from api.context import Info
from api.types.connection import PageInfo
from api.types.watch import load_entity
from graph.read.case import case_events
from schema import case as model
from schema.audit import AuditEntry as AuditModel
from schema.watch import EntityKind

if TYPE_CHECKING:
    from api.types.institution import Institution
    from api.types.scientist import Scientist
    from api.types.team import Team

# The schema's enums registered as GraphQL enums (strawberry marks the class and returns it),
# then named here as plain aliases, which mypy reads as the types they are.
strawberry.enum(model.CaseStage, description="Where a case stands.")
strawberry.enum(model.TargetKind, name="CaseTargetKind")
strawberry.enum(model.Programme, description="The city's lines: 百校进苏, 千才留苏, 万企聚苏.")
strawberry.enum(
    model.TalentTier,
    description="The city's talent classes (千才留苏): TOP 顶尖人才/战略科学家, LEADING 领军人才, "
    "YOUNG 青年科技人才, ENGINEER 卓越工程师; computed by the evaluation model, or given by a "
    "recruiter to a case's target.",
)
strawberry.enum(model.Priority, name="CasePriority")
strawberry.enum(model.CaseAction)
strawberry.enum(model.TargetQualifier)
CaseStage = model.CaseStage
TargetKind = model.TargetKind
Programme = model.Programme
TalentTier = model.TalentTier
Priority = model.Priority
CaseAction = model.CaseAction
TargetQualifier = model.TargetQualifier

CaseTarget = Annotated[
    Annotated["Scientist", strawberry.lazy("api.types.scientist")]
    | Annotated["Team", strawberry.lazy("api.types.team")]
    | Annotated["Institution", strawberry.lazy("api.types.institution")],
    strawberry.union("CaseTarget"),
]


@strawberry.type(description="One field of a change: its value before and after (JSON).")
class FieldChange:
    field: str
    before: JSON | None
    after: JSON | None


@strawberry.type(description="One change of a case, immutable: who, when, what.")
class CaseEvent:
    id: strawberry.ID
    version: int = strawberry.field(description="The case's version this change made.")
    action: CaseAction
    at: datetime
    actor: str = strawberry.field(description="The name of the API key that made it.")
    changes: list[FieldChange]
    note: str | None

    @classmethod
    def from_model(cls, m: model.CaseEvent) -> CaseEvent:
        return cls(
            id=strawberry.ID(m.id),
            version=m.version,
            action=m.action,
            at=m.at,
            actor=m.actor,
            changes=[FieldChange(field=c.field, before=c.before, after=c.after) for c in m.changes],
            note=m.note,
        )


@strawberry.type(description="A recruitment case: one target followed to landing (or dropped).")
class Case:
    id: strawberry.ID
    target_kind: TargetKind
    target_id: strawberry.ID
    district: strawberry.ID
    park: str | None
    programme: Programme
    tier: TalentTier | None
    owner: str = strawberry.field(description="The API key name of the recruiter in charge.")
    stage: CaseStage
    drop_reason: str | None
    priority: Priority
    next_action: str | None
    next_action_due: date | None
    notes: str | None = strawberry.field(description="Free text, stored as given.")
    links: list[str]
    version: int = strawberry.field(description="Pass it back with every change.")
    created_at: datetime
    updated_at: datetime
    landed_at: datetime | None

    @strawberry.field(description="The scientist, team or institution the case is about.")
    async def target(self, info: Info) -> CaseTarget | None:
        # Targets and watched entities are the same three kinds, by the same names.
        return await load_entity(info, EntityKind(self.target_kind), str(self.target_id))

    @strawberry.field(description="Whether the next action is due before today (open cases).")
    def overdue(self) -> bool:
        return (
            self.next_action_due is not None
            and self.next_action_due < date.today()
            and model.CaseStage(self.stage).open
        )

    @strawberry.field(description="The history, oldest first: every change ever made.")
    async def events(self, info: Info) -> list[CaseEvent]:
        found = await info.context.loader(case_events).load(str(self.id))
        return [CaseEvent.from_model(e) for e in found]

    @classmethod
    def from_model(cls, m: model.Case) -> Case:
        return cls(
            id=strawberry.ID(m.id),
            target_kind=m.target_kind,
            target_id=strawberry.ID(m.target_id),
            district=strawberry.ID(m.district),
            park=m.park,
            programme=m.programme,
            tier=m.tier,
            owner=m.owner,
            stage=m.stage,
            drop_reason=m.drop_reason,
            priority=m.priority,
            next_action=m.next_action,
            next_action_due=m.next_action_due,
            notes=m.notes,
            links=list(m.links),
            version=m.version,
            created_at=m.created_at,
            updated_at=m.updated_at,
            landed_at=m.landed_at,
        )


@strawberry.type
class CaseEdge:
    node: Case
    cursor: str


@strawberry.type
class CaseConnection:
    total_count: int
    edges: list[CaseEdge]
    page_info: PageInfo


@strawberry.input(description="Every condition given must hold.")
class CaseFilter:
    stages: list[CaseStage] | None = None
    district: strawberry.ID | None = strawberry.field(
        default=None, description="A district, or a city for all of its districts."
    )
    programme: Programme | None = None
    owner: str | None = None
    target: strawberry.ID | None = strawberry.field(
        default=None, description="Our own id of the target (A…, team-…, ROR id)."
    )
    overdue: bool = strawberry.field(
        default=False, description="Only open cases whose next action is past due."
    )


@strawberry.input(description="A new case; it starts at IDENTIFIED.")
class CaseInput:
    target: strawberry.ID = strawberry.field(description="Any identifier of the target.")
    target_kind: TargetKind
    district: strawberry.ID
    programme: Programme
    park: str | None = None
    tier: TalentTier | None = None
    owner: str | None = strawberry.field(
        default=None, description="Defaults to you; only an admin names someone else."
    )
    priority: Priority = model.Priority.NORMAL
    next_action: str | None = None
    next_action_due: date | None = None
    notes: str | None = None
    links: list[str] | None = None


@strawberry.input(
    description="Fields to change; a field left out stays as it is, null clears an optional one."
)
class CaseUpdate:
    district: strawberry.ID | None = strawberry.UNSET
    park: str | None = strawberry.UNSET
    programme: Programme | None = strawberry.UNSET
    tier: TalentTier | None = strawberry.UNSET
    owner: str | None = strawberry.field(
        default=strawberry.UNSET, description="Reassign (admin only)."
    )
    priority: Priority | None = strawberry.UNSET
    next_action: str | None = strawberry.UNSET
    next_action_due: date | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET
    links: list[str] | None = strawberry.UNSET


@strawberry.type(description="One people-write: who (API key id and name) did what, when.")
class AuditEntry:
    id: strawberry.ID
    at: datetime
    action: str
    entity: str
    key_id: str | None
    key_name: str
    role: str
    summary: str | None

    @classmethod
    def from_model(cls, m: AuditModel) -> AuditEntry:
        return cls(
            id=strawberry.ID(m.id),
            at=m.at,
            action=m.action,
            entity=m.entity,
            key_id=m.key_id,
            key_name=m.key_name,
            role=str(m.role),
            summary=m.summary,
        )


@strawberry.type
class AuditEdge:
    node: AuditEntry
    cursor: str


@strawberry.type
class AuditConnection:
    total_count: int
    edges: list[AuditEdge]
    page_info: PageInfo


@strawberry.type(description="One goal of the region profile and the cases landed towards it.")
class TargetProgress:
    id: strawberry.ID
    name_en: str
    name_zh: str
    since: int
    year: int
    target: int
    qualifier: TargetQualifier
    landed: int = strawberry.field(
        description="Cases landed in the region from 1 January of `since` to the end of `year` "
        "whose target kind (and tier, when the goal names tiers) count."
    )
    share: float = strawberry.field(description="landed / target.")


@strawberry.type
class TargetsProgress:
    region: strawberry.ID
    year: int
    targets: list[TargetProgress]
