"""A scientist: a person who authors works, known by OpenAlex id and, where given, ORCID."""

from __future__ import annotations

from pydantic import Field, computed_field

from schema.base import AuthorId, Count, DomainModel, NonEmptyStr, Orcid


class Scientist(DomainModel):
    id: AuthorId = Field(description="Our key; the OpenAlex author id (A…) for OpenAlex people.")
    name: NonEmptyStr
    alternative_names: tuple[NonEmptyStr, ...] = ()
    # Romanised forms of hanzi names (张伟 -> "Zhang Wei", "Wei Zhang"), for search.
    name_pinyin: tuple[NonEmptyStr, ...] = ()
    orcid: Orcid | None = None
    openalex_id: AuthorId | None = None
    works_count: Count | None = None
    cited_by_count: Count | None = None
    h_index: Count | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern
    @property
    def names(self) -> tuple[str, ...]:
        """Every name in one list, the field the full-text index reads: one field keeps the
        scores of hanzi, pinyin and Latin names comparable (per-field statistics would make a
        rarely filled field like name_pinyin score low)."""
        return tuple(dict.fromkeys((self.name, *self.alternative_names, *self.name_pinyin)))
