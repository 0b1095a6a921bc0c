"""Recruitment cases (全流程跟踪): one case, filtered lists, progress against the region
profile's targets, and the audit log of people's writes (admin)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import strawberry

from api.context import Info
from api.errors import InvalidId, NotFound
from api.ids import IdKind, resolve_id
from api.types.case import (
    AuditConnection,
    AuditEdge,
    AuditEntry,
    Case,
    CaseConnection,
    CaseEdge,
    CaseFilter,
    TargetProgress,
    TargetsProgress,
)
from api.types.connection import edge_connection, page_window
from graph.read.case import CaseQuery, audit_log, cases_by_id, list_cases, region_progress
from schema import case as model

CaseResult = Annotated[Case | NotFound, strawberry.union("CaseResult")]
TargetsProgressResult = Annotated[
    TargetsProgress | NotFound | InvalidId, strawberry.union("TargetsProgressResult")
]


@strawberry.type
class CaseQueryRoot:
    @strawberry.field(description="A recruitment case by its id (case-…).")
    async def case(self, info: Info, id: strawberry.ID) -> CaseResult:
        found = await info.context.loader(cases_by_id).load(str(id))
        if found is None:
            return NotFound(id=id, message=f"no case has the id {str(id)!r}")
        return Case.from_model(found)

    @strawberry.field(description="Cases, most recently changed first.")
    async def cases(
        self,
        info: Info,
        filter: CaseFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CaseConnection:
        offset, limit = page_window(first, after)
        given = filter or CaseFilter()
        query = CaseQuery(
            stages=None if given.stages is None else tuple(given.stages),
            district=None if given.district is None else str(given.district),
            programme=given.programme,
            owner=given.owner,
            target=None if given.target is None else str(given.target),
            overdue=given.overdue,
            today=date.today(),
            offset=offset,
            limit=limit,
        )
        page = await info.context.loader(list_cases).load(query)
        return edge_connection(
            CaseConnection,
            list(page.items),
            page.total,
            offset,
            lambda c, cursor: CaseEdge(node=Case.from_model(c), cursor=cursor),
        )

    @strawberry.field(
        description="Cases landed in the region against the goals its profile sets for `year` "
        "(the `targets:` of the region file: for Suzhou, section 一(三) of the guidance)."
    )
    async def targets_progress(
        self, info: Info, region: strawberry.ID, year: int
    ) -> TargetsProgressResult:
        found = await resolve_id(info, IdKind.REGION, str(region))
        if not isinstance(found, str):
            return found
        state = await info.context.loader(region_progress).load(found)
        goals = [
            model.Target.model_validate(t)
            for t in json.loads(state.targets or "[]")
            if int(t["year"]) == year
        ]
        progress: list[TargetProgress] = []
        for goal in goals:
            since, until = date(goal.since, 1, 1), date(goal.year, 12, 31)
            landed = sum(
                1
                for kind, tier, day in state.landed
                if since <= day <= until and goal.counts(kind, tier)
            )
            progress.append(
                TargetProgress(
                    id=strawberry.ID(goal.id),
                    name_en=goal.name_en,
                    name_zh=goal.name_zh,
                    since=goal.since,
                    year=goal.year,
                    target=goal.value,
                    qualifier=goal.qualifier,
                    landed=landed,
                    share=landed / goal.value,
                )
            )
        return TargetsProgress(region=strawberry.ID(found), year=year, targets=progress)

    @strawberry.field(description="Every people-write, newest first: who, what, when (admin).")
    async def audit_log(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AuditConnection:
        offset, limit = page_window(first, after)
        total, page = await info.context.reader(audit_log, offset, limit)
        return edge_connection(
            AuditConnection,
            page,
            total,
            offset,
            lambda a, cursor: AuditEdge(node=AuditEntry.from_model(a), cursor=cursor),
        )
