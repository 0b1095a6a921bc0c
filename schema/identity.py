"""A curator's decision on who is who: these mentions are one person, or these are two.

Decisions are nodes of their own (source "curator"), which no ingest job writes or deletes,
so they survive any re-ingestion. They name mentions, whose ids are stable across loads (a
byline: work id and author position; a text mention: document and character offsets), not
the clusters the disambiguator happens to produce; every run of the disambiguator reads them
and obeys them: a merge joins its mentions before clustering starts, a split keeps its two
sides apart whatever the evidence says.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from schema.base import DomainModel, NonEmptyStr


class IdentityDecisionKind(StrEnum):
    MERGE = "merge"  # left and right are one person
    SPLIT = "split"  # left and right are different people


class IdentityDecision(DomainModel):
    source: NonEmptyStr = "curator"
    kind: IdentityDecisionKind
    left: tuple[NonEmptyStr, ...] = Field(min_length=1, description="Mention ids.")
    right: tuple[NonEmptyStr, ...] = Field(min_length=1, description="Mention ids.")
    curator: NonEmptyStr
    reason: str | None = None
    decided_at: datetime

    @model_validator(mode="after")
    def _sides_differ(self) -> IdentityDecision:
        if set(self.left) & set(self.right):
            raise ValueError("a mention cannot be on both sides of a decision")
        return self

    @property
    def id(self) -> str:
        """Stable key: the same decision recorded twice is one node."""
        sides = sorted((",".join(sorted(self.left)), ",".join(sorted(self.right))))
        text = "|".join([self.kind.value, *sides])
        return "identity-" + hashlib.sha256(text.encode()).hexdigest()[:16]
