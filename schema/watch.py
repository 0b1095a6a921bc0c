"""Watchlists and the events of watched entities (实时跟踪). No I/O.

A person saves scientists, teams and institutions to named watchlists (theirs, or shared:
everyone with a key sees a shared list; only its owner, or an admin, changes it). After every
ingest, the derived step turns changes to watched entities into `Event`s: a new work, a new
affiliation or a move, a first co-authored work with an institution of the home region (a city
with a region profile), a new team. An event is about an entity, not a list: every list that
watches it shows it. Its id is made from what it says (`work:A1:W2`), so a re-run of the
derived step writes no second event for the same change.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schema.base import NonEmptyStr


class EntityKind(StrEnum):
    """What a watchlist holds and a push list ranks."""

    SCIENTIST = "SCIENTIST"
    TEAM = "TEAM"
    INSTITUTION = "INSTITUTION"


class EventKind(StrEnum):
    NEW_WORK = "NEW_WORK"
    NEW_AFFILIATION = "NEW_AFFILIATION"
    # A new affiliation that is now the latest one (the largest end year), where another was.
    MOVE = "MOVE"
    # The first co-authored work with an institution of the home region.
    REGION_TIE = "REGION_TIE"
    NEW_TEAM = "NEW_TEAM"
    # The evaluation model put a scientist who had been scored in another tier (or none).
    TIER_CHANGE = "TIER_CHANGE"


class Watchlist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: NonEmptyStr = Field(max_length=200)
    shared: bool = False
    owner: str
    owner_key: str | None = None
    created_at: datetime
    entity_ids: tuple[str, ...] = ()
    # Where its events are delivered (schema/webhook.py), and from when: events found
    # before the webhook was set are not sent.
    webhook_url: str | None = None
    webhook_since: datetime | None = None

    def visible_to(self, name: str, admin: bool) -> bool:
        return self.shared or admin or self.owner == name

    def editable_by(self, name: str, admin: bool) -> bool:
        return admin or self.owner == name


class Event(BaseModel):
    """One change to a watched entity: `facts` are the numbers and ids, `summary` the words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: EventKind
    entity_id: str
    entity_kind: EntityKind
    at: datetime
    summary: str
    facts: dict[str, Any] = Field(default_factory=dict)


def new_watchlist_id() -> str:
    return "wl-" + secrets.token_hex(8)


def event_id(kind: EventKind, entity_id: str, subject: str = "") -> str:
    """The id of the event of `kind` about `entity_id` and `subject` (a work, institution or
    team id): the same change always has the same id."""
    prefix = {
        EventKind.NEW_WORK: "work",
        EventKind.NEW_AFFILIATION: "aff",
        EventKind.MOVE: "move",
        EventKind.REGION_TIE: "tie",
        EventKind.NEW_TEAM: "team",
        EventKind.TIER_CHANGE: "tier",
    }[kind]
    return f"{prefix}:{entity_id}" + (f":{subject}" if subject else "")


def affiliation_events(
    scientist_id: str,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    at: datetime,
) -> list[Event]:
    """The events of a scientist's affiliations changing from `before` to `after` (each
    institution id -> {name, start, end}): a NEW_AFFILIATION per institution not there before,
    or a MOVE when it is now among the latest ones (the largest end year) and the scientist had
    affiliations before. A first derive (nothing before) says nothing: nothing changed that
    anyone watched."""
    if not before:
        return []
    latest = max((a.get("end") or 0 for a in after.values()), default=0)
    events = []
    for iid in sorted(set(after) - set(before)):
        aff = after[iid]
        moved = (aff.get("end") or 0) == latest and latest > 0
        kind = EventKind.MOVE if moved else EventKind.NEW_AFFILIATION
        name = aff.get("name") or iid
        years = f"{aff.get('start')}-{aff.get('end')}" if aff.get("start") else "years unknown"
        summary = (
            f"moved to {name} (works there {years})"
            if moved
            else f"new affiliation with {name} (works there {years})"
        )
        events.append(
            Event(
                id=event_id(kind, scientist_id, iid),
                kind=kind,
                entity_id=scientist_id,
                entity_kind=EntityKind.SCIENTIST,
                at=at,
                summary=summary,
                facts={
                    "institution": iid,
                    "institutionName": aff.get("name"),
                    "startYear": aff.get("start"),
                    "endYear": aff.get("end"),
                    "previous": sorted(before),
                },
            )
        )
    return events
