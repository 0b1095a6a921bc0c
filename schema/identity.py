"""A curator's decision on who is who: these mentions are one person, or these are two.

Decisions are nodes of their own (source "curator"), which no ingest job writes or deletes,
so they survive any re-ingestion. They name mentions, whose ids are stable across loads (a
byline: work id and author position; a text mention: document and character offsets), not
the clusters the disambiguator happens to produce; every run of the disambiguator reads them
and obeys them: a merge joins its mentions before clustering starts, a split keeps its two
sides apart whatever the evidence says.

Decisions about whole scientists (`scope = "scientist"`, one scientist id a side) are what
curators make through `talentmap curate` and the admin mutations: a merge keeps the left
scientist and makes the right one its alias; a split undoes a merge of the two and keeps them
apart from then on. For each pair the latest decision counts; `plan_identities` turns the
decisions into the scientist each id now stands for, which graph.write.identity applies
after every load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from schema.base import DomainModel, NonEmptyStr


class IdentityDecisionKind(StrEnum):
    MERGE = "merge"  # left and right are one person
    SPLIT = "split"  # left and right are different people


class IdentityScope(StrEnum):
    MENTION = "mention"  # sides are mention ids, for the disambiguator
    SCIENTIST = "scientist"  # sides are scientist ids (one each), applied to the graph


class IdentityDecision(DomainModel):
    source: NonEmptyStr = "curator"
    kind: IdentityDecisionKind
    scope: IdentityScope = IdentityScope.MENTION
    left: tuple[NonEmptyStr, ...] = Field(min_length=1, description="Mention ids.")
    right: tuple[NonEmptyStr, ...] = Field(min_length=1, description="Mention ids.")
    curator: NonEmptyStr
    reason: str | None = None
    decided_at: datetime

    @model_validator(mode="after")
    def _sides_differ(self) -> IdentityDecision:
        if set(self.left) & set(self.right):
            raise ValueError("a mention cannot be on both sides of a decision")
        if self.scope == IdentityScope.SCIENTIST and (len(self.left), len(self.right)) != (1, 1):
            raise ValueError("a decision about scientists names one scientist on each side")
        return self

    @property
    def id(self) -> str:
        """Stable key: the same decision recorded twice is one node."""
        sides = sorted((",".join(sorted(self.left)), ",".join(sorted(self.right))))
        text = "|".join([self.kind.value, *sides])
        return "identity-" + hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class IdentityPlan:
    """What scientist-scope decisions say now: the scientist each named id stands for (itself
    unless merged), and the merges that a later split of their members overrules."""

    canonical: dict[str, str] = field(default_factory=dict)
    overruled: list[IdentityDecision] = field(default_factory=list)

    def aliases(self) -> dict[str, str]:
        """Merged id -> the id of the scientist that absorbed it."""
        return {x: c for x, c in self.canonical.items() if x != c}


def plan_identities(decisions: Iterable[IdentityDecision]) -> IdentityPlan:
    """Replay the scientist decisions oldest first. For each pair only its latest decision
    counts (a split undoes an earlier merge, a new merge an earlier split); a merge joins the
    groups of its two sides, the left side's scientist surviving, unless some split keeps two
    of their members apart (then the merge is overruled: chains cannot undo a split)."""
    ordered = sorted(
        (d for d in decisions if d.scope == IdentityScope.SCIENTIST),
        key=lambda d: (d.decided_at, d.id),
    )
    latest = {frozenset((d.left[0], d.right[0])): d for d in ordered}
    apart = {pair for pair, d in latest.items() if d.kind == IdentityDecisionKind.SPLIT}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    plan = IdentityPlan()
    for d in ordered:
        if d.kind != IdentityDecisionKind.MERGE or latest[frozenset((d.left[0], d.right[0]))] != d:
            continue
        keep, other = find(d.left[0]), find(d.right[0])
        if keep == other:
            continue
        ids = {x for pair in latest for x in pair}
        kept = [x for x in ids if find(x) == keep]
        gone = [x for x in ids if find(x) == other]
        if any(frozenset((x, y)) in apart for x in kept for y in gone):
            plan.overruled.append(d)
            continue
        parent[other] = keep
    plan.canonical = {x: find(x) for pair in latest for x in sorted(pair)}
    return plan
