"""Recruitment cases (全流程跟踪): one introduction followed from first sight to landing.

A case targets a scientist, team or institution for a district (and park) under one of the
city's programmes (百校/千才/万企: cooperation, talent, enterprise). It moves through
`IDENTIFIED → CONTACTED → VISITED → NEGOTIATING → AGREED → LANDED`, one step at a time, or is
`DROPPED` with a reason from any open stage. Nothing is deleted: closing is a stage, and every
change is an immutable `CaseEvent` saying who changed what from what to what.

Pure rules here (no I/O): which moves are allowed, what an update changes, what is valid input.
The graph layer applies them inside the transaction that holds the case's lock.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from schema.base import NonEmptyStr


class CaseStage(StrEnum):
    IDENTIFIED = "IDENTIFIED"
    CONTACTED = "CONTACTED"
    VISITED = "VISITED"
    NEGOTIATING = "NEGOTIATING"
    AGREED = "AGREED"
    LANDED = "LANDED"
    DROPPED = "DROPPED"

    @property
    def open(self) -> bool:
        return self not in (CaseStage.LANDED, CaseStage.DROPPED)


# The pipeline in order; LANDED and DROPPED close a case.
PIPELINE = (
    CaseStage.IDENTIFIED,
    CaseStage.CONTACTED,
    CaseStage.VISITED,
    CaseStage.NEGOTIATING,
    CaseStage.AGREED,
    CaseStage.LANDED,
)


class TargetKind(StrEnum):
    SCIENTIST = "SCIENTIST"
    TEAM = "TEAM"
    INSTITUTION = "INSTITUTION"


class Programme(StrEnum):
    """The seed's three lines (section 二): 百校进苏, 千才留苏, 万企聚苏."""

    COOPERATION = "COOPERATION"
    TALENT = "TALENT"
    ENTERPRISE = "ENTERPRISE"


class TalentTier(StrEnum):
    """The city's talent classes (千才留苏): TOP 顶尖人才/战略科学家, LEADING 领军人才, YOUNG
    青年科技人才, ENGINEER 卓越工程师. One list for both uses: the tier the evaluation model
    computes (ingest/derived/evaluation.py) and the class a recruiter gives a case's target
    (the region profile's targets count landed cases by it)."""

    TOP = "TOP"
    LEADING = "LEADING"
    YOUNG = "YOUNG"
    ENGINEER = "ENGINEER"


class Priority(StrEnum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"


class CaseAction(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    MOVED = "MOVED"


class CaseRuleError(ValueError):
    """An input a case cannot take: `field` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _link(value: str) -> str:
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) link")
    return text


Link = Annotated[str, AfterValidator(_link)]
Note = Annotated[str, Field(max_length=10_000)]


def new_case_id() -> str:
    return "case-" + secrets.token_hex(8)


def new_event_id() -> str:
    return "cev-" + secrets.token_hex(8)


class CaseFields(BaseModel):
    """What people edit on a case (all but target, stage, owner's key and bookkeeping)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    district: NonEmptyStr
    park: NonEmptyStr | None = None
    programme: Programme
    tier: TalentTier | None = None
    owner: NonEmptyStr
    priority: Priority = Priority.NORMAL
    next_action: NonEmptyStr | None = None
    next_action_due: date | None = None
    notes: Note | None = None
    links: tuple[Link, ...] = ()


# The fields an update may change, in the order events list them.
EDITABLE = tuple(name for name in CaseFields.model_fields)


class Case(CaseFields):
    id: NonEmptyStr
    target_kind: TargetKind
    target_id: NonEmptyStr
    owner_key: str | None = None
    stage: CaseStage = CaseStage.IDENTIFIED
    drop_reason: str | None = None
    version: int = Field(default=1, ge=1)
    created_at: datetime
    updated_at: datetime
    landed_at: datetime | None = None

    def properties(self) -> dict[str, Any]:
        """The node's properties as Neo4j stores them (dates as ISO text, converted in Cypher)."""
        return self.model_dump(mode="json")


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    before: Any = None
    after: Any = None


class CaseEvent(BaseModel):
    """One change of a case, immutable: who, when, what changed from what to what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    case_id: str
    version: int
    action: CaseAction
    at: datetime
    actor: str
    actor_key: str | None = None
    changes: tuple[FieldChange, ...] = ()
    note: str | None = None


def check_due(due: date | None, today: date) -> None:
    if due is not None and due < today:
        raise CaseRuleError(
            "nextActionDue", f"the due date {due.isoformat()} is in the past (today {today})"
        )


def check_move(current: CaseStage, stage: CaseStage, note: str | None) -> None:
    """Allowed: the next stage of the pipeline, or DROPPED (with a reason) from an open one."""
    if not current.open:
        raise CaseRuleError("stage", f"the case is {current}: a closed case does not move")
    if stage is CaseStage.DROPPED:
        if not (note and note.strip()):
            raise CaseRuleError("note", "dropping a case needs a reason (note)")
        return
    following = PIPELINE[PIPELINE.index(current) + 1]
    if stage is not following:
        raise CaseRuleError(
            "stage",
            f"a case moves from {current} to {following} (or DROPPED with a reason), "
            f"not to {stage}",
        )


def _plain(value: Any) -> Any:
    """A value as events store it: JSON-safe."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def camel(name: str) -> str:
    """The API's name of a field (next_action_due: nextActionDue)."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def diff(before: CaseFields, after: CaseFields) -> tuple[FieldChange, ...]:
    """The editable fields that differ, in declaration order, named as the API names them."""
    changes: list[FieldChange] = []
    for name in EDITABLE:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes.append(FieldChange(field=camel(name), before=_plain(old), after=_plain(new)))
    return tuple(changes)


def initial(fields: CaseFields) -> tuple[FieldChange, ...]:
    """The changes of a new case: each field given, from nothing."""
    return tuple(
        FieldChange(field=camel(name), before=None, after=_plain(value))
        for name in EDITABLE
        if (value := getattr(fields, name)) not in (None, ())
    )


def now() -> datetime:
    return datetime.now(UTC)


class TargetQualifier(StrEnum):
    AT_LEAST = "AT_LEAST"  # 以上
    ABOUT = "ABOUT"  # 左右


class Target(BaseModel):
    """A goal of the region profile (`targets:`): landed cases of `kinds` (and of `tiers`,
    when given) from `since` to the end of `year`, against `value`."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: NonEmptyStr
    name_en: NonEmptyStr
    name_zh: NonEmptyStr
    since: int = Field(ge=2000, le=2100)
    year: int = Field(ge=2000, le=2100)
    value: int = Field(ge=1)
    qualifier: TargetQualifier
    kinds: tuple[TargetKind, ...] = Field(min_length=1)
    tiers: tuple[TalentTier, ...] = ()

    def counts(self, kind: str, tier: str | None) -> bool:
        """Whether a landed case of this kind and tier counts towards the target."""
        return kind in self.kinds and (not self.tiers or tier in self.tiers)


# The columns of `talentmap cases export` (and of an import: see ingest/cases.py), in order.
EXPORT_COLUMNS = (
    "id",
    "target_kind",
    "target_id",
    "district",
    "park",
    "programme",
    "tier",
    "owner",
    "stage",
    "drop_reason",
    "priority",
    "next_action",
    "next_action_due",
    "notes",
    "links",
    "version",
    "created_at",
    "updated_at",
    "landed_at",
)


def export_row(case: Case) -> dict[str, Any]:
    """A case as the exports write it: dates and times as ISO text, links joined by spaces."""
    row = case.model_dump(mode="json", include=set(EXPORT_COLUMNS))
    row["links"] = " ".join(row["links"])
    return row
