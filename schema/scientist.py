"""A scientist: a person who authors works, known by OpenAlex id and, where given, ORCID.

Two paths write a scientist node. Works name their authors (a partial view: name, ORCID), and an
OpenAlex Author record describes the person in full; once an Author record is loaded, it owns
the node (`authority = 'openalex'`) and the works path leaves it alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, computed_field

from schema import ids
from schema.base import AuthorId, Count, DomainModel, NonEmptyStr, Orcid, TopicId
from schema.institution import Institution


class ScientistAuthority(StrEnum):
    """Which record owns a scientist node's values."""

    OPENALEX = "openalex"  # an OpenAlex Author record


# People known only from text (`talentmap ingest text`) have no OpenAlex id: their key is
# "text-" and 16 hex digits of a hash of their name key and the document that introduced them.
_TEXT_ID = re.compile(r"text-[0-9a-f]{16}")
# People known only from names-only paper records (`talentmap ingest records`): "rec-" and 16
# hex digits of a hash of their first byline (work key and author position).
_RECORD_ID = re.compile(r"rec-[0-9a-f]{16}")


def text_scientist_id(value: str) -> str:
    """A text person's key, `text-` and 16 hex digits."""
    return ids.matching(_TEXT_ID, value, "a text person's id (text- and 16 hex digits)")


def record_scientist_id(value: str) -> str:
    """A records person's key, `rec-` and 16 hex digits."""
    return ids.matching(_RECORD_ID, value, "a records person's id (rec- and 16 hex digits)")


def scientist_id(value: str) -> str:
    """Our key for a scientist: an OpenAlex author id, a text person's `text-…` key or a
    records person's `rec-…` key."""
    if _TEXT_ID.fullmatch(value.strip()):
        return text_scientist_id(value)
    if _RECORD_ID.fullmatch(value.strip()):
        return record_scientist_id(value)
    return ids.openalex_id(value, ids.OpenAlexKind.AUTHOR)


ScientistId = Annotated[str, AfterValidator(scientist_id)]


class Scientist(DomainModel):
    id: ScientistId = Field(
        description="Our key; the OpenAlex author id (A…) for OpenAlex people, text-… for "
        "people known only from text documents."
    )
    name: NonEmptyStr
    alternative_names: tuple[NonEmptyStr, ...] = ()
    # Romanised forms of hanzi names (张伟 -> "Zhang Wei", "Wei Zhang"), for search.
    name_pinyin: tuple[NonEmptyStr, ...] = ()
    orcid: Orcid | None = None
    openalex_id: AuthorId | None = None
    authority: ScientistAuthority | None = Field(
        default=None, description="The record that owns the node; none for people seen in works."
    )
    works_count: Count | None = None
    cited_by_count: Count | None = None
    h_index: Count | None = None
    i10_index: Count | None = None
    # From the loaded works, by the derived step, for people no author record gives the
    # values above to (records and authorship-only people).
    computed_works_count: Count | None = None
    computed_cited_by_count: Count | None = None
    computed_h_index: Count | None = None
    two_year_mean_citedness: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    last_known_institution_ids: tuple[NonEmptyStr, ...] = Field(
        default=(), description="Institution keys (ROR id, else OpenAlex id)."
    )
    topic_ids: tuple[TopicId, ...] = Field(
        default=(), description="The person's top topics, most works first."
    )

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def names(self) -> tuple[str, ...]:
        """Every name in one list, the field the full-text index reads: one field keeps the
        scores of hanzi, pinyin and Latin names comparable (per-field statistics would make a
        rarely filled field like name_pinyin score low)."""
        return tuple(dict.fromkeys((self.name, *self.alternative_names, *self.name_pinyin)))


# Not pydantic models: bundles of validated models for one write, not nodes of their own.


@dataclass(frozen=True)
class AuthorAffiliation:
    """An institution an Author record lists, with the years of the person's works there.

    `institution` is the record's minimal view, used only to create a node that does not exist
    yet; None when the record gives too little for one (the node is then created bare)."""

    institution_id: str
    years: tuple[int, ...]
    institution: Institution | None = None


@dataclass(frozen=True)
class AuthorRecord:
    """One OpenAlex Author record: the person and the institutions it lists."""

    scientist: Scientist
    affiliations: tuple[AuthorAffiliation, ...] = ()
