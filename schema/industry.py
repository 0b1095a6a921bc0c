"""Industries and their chains: an industry (`semiconductors`) is a sequence of segments
(`semiconductors/wafer-fabrication`), each upstream, midstream or downstream, each needing
research topics.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from schema import ids
from schema.base import Count, CuratedModel, NonEmptyStr, TopicId
from schema.topic import SubfieldId

_SLUG = re.compile(ids.SLUG)
_SEGMENT = re.compile(rf"{ids.SLUG}/{ids.SLUG}")


def slug(value: str) -> str:
    """A lower-case, hyphen-separated slug such as `new-energy-vehicles`; else an error."""
    return ids.matching(
        _SLUG,
        value,
        "a slug (expected lower-case letters and digits joined by single hyphens, "
        "e.g. new-energy-vehicles)",
    )


def segment_id(value: str) -> str:
    """`<industry-slug>/<segment-slug>`, e.g. `semiconductors/wafer-fabrication`."""
    return ids.matching(
        _SEGMENT,
        value,
        "a chain segment id (expected <industry-slug>/<segment-slug>, "
        "e.g. semiconductors/wafer-fabrication)",
    )


Slug = Annotated[str, AfterValidator(slug)]
SegmentId = Annotated[str, AfterValidator(segment_id)]


class Industry(CuratedModel):
    id: Slug = Field(description="A slug, e.g. semiconductors.")
    name_en: NonEmptyStr
    name_zh: NonEmptyStr
    description: str | None = None


class ChainSegment(CuratedModel):
    id: SegmentId = Field(description="<industry-slug>/<segment-slug>.")
    industry_id: Slug
    name_en: NonEmptyStr
    name_zh: NonEmptyStr
    stage: Literal["upstream", "midstream", "downstream"]
    order: Count = Field(description="Position along the chain, from upstream.")
    topic_ids: tuple[TopicId, ...] = ()
    subfield_ids: tuple[SubfieldId, ...] = ()
    keywords: tuple[NonEmptyStr, ...] = ()

    @model_validator(mode="after")
    def _id_under_industry(self) -> ChainSegment:
        prefix = self.id.split("/", 1)[0]
        if prefix != self.industry_id:
            raise ValueError(
                f"chain segment id {self.id!r} is not under industry {self.industry_id!r} "
                f"(expected {self.industry_id}/<segment-slug>)"
            )
        return self
