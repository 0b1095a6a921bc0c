"""Text documents (`talentmap ingest text`) and the mentions found in them.

A `Document` is keyed by the SHA-256 of its bytes, so the same unchanged document read twice,
from any path, is one node; a `TextMention` by its document and character offsets in the
document's plain text, so the mentions of a re-read document are the same nodes too.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from schema.base import Count, DomainModel, NonEmptyStr

TEXT_SOURCE = "text"


class MentionKind(StrEnum):
    PERSON = "PERSON"
    INSTITUTION = "INSTITUTION"
    TOPIC = "TOPIC"
    TITLE = "TITLE"
    YEAR = "YEAR"


def document_id(content: bytes) -> str:
    """`doc-` and the first 16 hex digits of the SHA-256 of the document's bytes."""
    return "doc-" + hashlib.sha256(content).hexdigest()[:16]


class Document(DomainModel):
    source: NonEmptyStr = TEXT_SOURCE
    id: NonEmptyStr = Field(description="doc- and 16 hex digits of the bytes' SHA-256.")
    path: NonEmptyStr = Field(description="Where the document was read (first ingestion).")
    title: str | None = Field(default=None, description="Its first non-empty line.")
    language: NonEmptyStr = Field(description="en or zh (by script).")
    sha256: NonEmptyStr
    chars: Count = Field(description="Length of its plain text, which mention offsets index.")
    ingested_at: datetime


class TextMention(DomainModel):
    source: NonEmptyStr = TEXT_SOURCE
    id: NonEmptyStr = Field(description="<document id>:<start>-<end>.")
    document_id: NonEmptyStr
    start: Count = Field(description="First character in the document's plain text.")
    end: Count = Field(description="One past the last character.")
    text: NonEmptyStr
    kind: MentionKind
    confidence: float = Field(ge=0, le=1)
    rule: str = Field(default="", description="The extraction rule that found it.")
    entity_key: str | None = Field(
        default=None, description="What it names when no node stands for it: a title key, a year."
    )

    @model_validator(mode="after")
    def _span(self) -> TextMention:
        if self.end <= self.start:
            raise ValueError(f"mention {self.id}: end {self.end} is not after start {self.start}")
        return self

    @staticmethod
    def key(document: str, start: int, end: int) -> str:
        return f"{document}:{start}-{end}"
