"""Recruitment cases: create, update, move. Recruiters create cases and edit their own; an
admin edits all and reassigns. Every change is versioned (a stale `version` is refused with
`VersionConflict`), recorded as an immutable `CaseEvent`, and audited (api/audit.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import strawberry

from api.audit import actor, audited_write
from api.context import Info
from api.errors import Forbidden, InvalidId, InvalidInput, NotFound, VersionConflict
from api.ids import IdKind, resolve_id
from api.types.case import Case, CaseInput, CaseStage, CaseUpdate
from graph.write.case import (
    CaseForbiddenError,
    CaseNotFoundError,
    VersionConflictError,
    create_case,
    move_case,
    update_case,
)
from schema import case as model

CreateCaseResult = Annotated[Case | InvalidInput | Forbidden, strawberry.union("CreateCaseResult")]
ChangeCaseResult = Annotated[
    Case | NotFound | InvalidInput | VersionConflict | Forbidden,
    strawberry.union("ChangeCaseResult"),
]

_TARGET_IDS = {
    model.TargetKind.SCIENTIST: IdKind.SCIENTIST,
    model.TargetKind.TEAM: IdKind.TEAM,
    model.TargetKind.INSTITUTION: IdKind.INSTITUTION,
}


def _today() -> date:
    return datetime.now(UTC).date()


async def _run_change(
    info: Info, action: str, entity: str, work: Any, **kwargs: Any
) -> ChangeCaseResult:
    try:
        changed: model.Case = await audited_write(info, action, entity, work, **kwargs)
    except CaseNotFoundError as e:
        return NotFound(id=strawberry.ID(entity), message=str(e))
    except VersionConflictError as e:
        return VersionConflict(message=str(e), current_version=e.current)
    except CaseForbiddenError as e:
        return Forbidden(message=str(e))
    except model.CaseRuleError as e:
        return InvalidInput(field=e.field, message=e.message)
    return Case.from_model(changed)


@strawberry.type
class CaseMutation:
    @strawberry.mutation(
        description="Open a case at IDENTIFIED (recruiter). Refused with InvalidInput for an "
        "unknown target or district and a due date in the past."
    )
    async def create_case(self, info: Info, input: CaseInput) -> CreateCaseResult:
        who = actor(info)
        owner = (input.owner or "").strip() or who.name
        if owner != who.name and not who.admin:
            return Forbidden(message="only an admin opens a case for someone else")
        target_kind = model.TargetKind(input.target_kind)
        target = await resolve_id(info, _TARGET_IDS[target_kind], str(input.target))
        if isinstance(target, NotFound | InvalidId):
            return InvalidInput(field="target", message=target.message)
        values = {
            "district": str(input.district),
            "park": input.park,
            "programme": input.programme,
            "tier": input.tier,
            "owner": owner,
            "priority": input.priority,
            "next_action": input.next_action,
            "next_action_due": input.next_action_due,
            "notes": input.notes,
            "links": tuple(input.links or ()),
        }
        case_id = model.new_case_id()
        try:
            created: model.Case = await audited_write(
                info,
                "createCase",
                case_id,
                create_case,
                case_id=case_id,
                target_kind=target_kind,
                target_id=target,
                values=values,
                actor=who,
                event_id=model.new_event_id(),
                at=datetime.now(UTC),
                today=_today(),
            )
        except model.CaseRuleError as e:
            return InvalidInput(field=e.field, message=e.message)
        return Case.from_model(created)

    @strawberry.mutation(
        description="Change a case's fields, given the version you read (recruiter: own cases; "
        "admin: all, and reassigns with `owner`)."
    )
    async def update_case(
        self, info: Info, id: strawberry.ID, version: int, input: CaseUpdate
    ) -> ChangeCaseResult:
        values: dict[str, Any] = {}
        for name in model.EDITABLE:
            value = getattr(input, name, strawberry.UNSET)
            if value is strawberry.UNSET:
                continue
            if name == "district" and value is not None:
                value = str(value)
            if name == "links":
                value = tuple(value or ())
            values[name] = value
        return await _run_change(
            info,
            "updateCase",
            str(id),
            update_case,
            case_id=str(id),
            version=version,
            values=values,
            actor=actor(info),
            event_id=model.new_event_id(),
            at=datetime.now(UTC),
            today=_today(),
        )

    @strawberry.mutation(
        description="Move a case to its next stage, or to DROPPED with the note as reason "
        "(recruiter: own cases; admin: all)."
    )
    async def move_case(
        self,
        info: Info,
        id: strawberry.ID,
        version: int,
        stage: CaseStage,
        note: str | None = None,
    ) -> ChangeCaseResult:
        return await _run_change(
            info,
            "moveCase",
            str(id),
            move_case,
            case_id=str(id),
            version=version,
            stage=model.CaseStage(stage),
            note=note,
            actor=actor(info),
            event_id=model.new_event_id(),
            at=datetime.now(UTC),
        )
