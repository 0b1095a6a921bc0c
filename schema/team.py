"""A team: a lead scientist and the people who work with them, at an institution.

Teams are derived, not imported: `team_id` gives the same id for the same lead and institution
on every run, so re-deriving updates the team instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from schema import ids
from schema.base import AuthorId, Count, DomainModel, NonEmptyStr, TopicId, Year

_TEAM_ID_HEX = 16


_TEAM_ID = re.compile(r"team-[0-9a-f]{12,40}")


def team_key(value: str) -> str:
    return ids.matching(_TEAM_ID, value, "a team id (expected team- and 12 to 40 hex digits)")


def _institution_ref(value: str) -> str:
    """An Institution node's key: a ROR id, or else an OpenAlex institution id (I…)."""
    try:
        return ids.ror_id(value)
    except ids.InvalidIdError:
        pass
    try:
        return ids.openalex_id(value, ids.OpenAlexKind.INSTITUTION)
    except ids.InvalidIdError:
        raise ids.InvalidIdError(
            f"{value!r} is not an institution id (expected a ROR id or an OpenAlex I<digits>)"
        ) from None


TeamId = Annotated[str, AfterValidator(team_key)]
InstitutionRef = Annotated[str, AfterValidator(_institution_ref)]


def team_id(lead_scientist_id: str, institution_id: str | None) -> str:
    """`team-` and 16 hex digits of sha256("<lead>|<institution>"), ids in canonical form.

    The ids are normalised first (URL or short form, any case), so the same team gets the
    same id however its ids were written; a team with no institution hashes "<lead>|".
    """
    lead = ids.openalex_id(lead_scientist_id, ids.OpenAlexKind.AUTHOR)
    institution = _institution_ref(institution_id) if institution_id else ""
    digest = hashlib.sha256(f"{lead}|{institution}".encode()).hexdigest()
    return "team-" + digest[:_TEAM_ID_HEX]


class _Years(Protocol):
    @property
    def first_year(self) -> int | None: ...

    @property
    def last_year(self) -> int | None: ...


def _check_years(model: _Years) -> None:
    first, last = model.first_year, model.last_year
    if first is not None and last is not None and first > last:
        raise ValueError(f"first_year {first} is after last_year {last}")


class Team(DomainModel):
    id: TeamId = Field(description="team- and hex digits; see `team_id`.")
    name: NonEmptyStr
    lead_scientist_id: AuthorId
    institution_id: InstitutionRef | None = Field(
        default=None, description="The Institution node's id: ROR id, else OpenAlex I…."
    )
    topic_ids: tuple[TopicId, ...] = ()
    first_year: Year | None = None
    last_year: Year | None = None
    works: Count = Field(default=0, description="Works at the institution by two or more members.")
    members: Count = 0

    @model_validator(mode="after")
    def _years_in_order(self) -> Team:
        _check_years(self)
        return self


class TeamMembership(BaseModel):
    """A scientist's place in a team: the MEMBER_OF relationship's evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    scientist_id: AuthorId
    team_id: TeamId
    role: Literal["lead", "member"]
    first_year: Year | None = None
    last_year: Year | None = None

    @model_validator(mode="after")
    def _years_in_order(self) -> TeamMembership:
        _check_years(self)
        return self


# What team detection reads and writes besides the nodes: rows between the graph and
# `ingest.derived.teams`, made from values the graph already holds (validated when they were
# loaded), so plain dataclasses, without a validation pass over every work of a large institution.


@dataclass(frozen=True, slots=True)
class TopicScore:
    topic_id: str
    score: float


@dataclass(frozen=True, slots=True)
class TeamWork:
    """A work as team detection sees it: its authors at one institution, year and topics."""

    work_id: str
    year: int | None
    author_ids: tuple[str, ...]
    topics: tuple[TopicScore, ...] = ()


@dataclass(frozen=True, slots=True)
class InstitutionWorks:
    """An institution's works with two or more of its authors: what its teams are found in."""

    institution_id: str
    name: str | None = None
    works: tuple[TeamWork, ...] = ()
    scientist_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TeamTopic:
    """What a team works on: the WORKS_ON relationship's evidence (works, summed ABOUT score)."""

    team_id: str
    topic_id: str
    works: int
    score: float
