"""Search inputs, sort enums and result connections whose edges carry a relevance score."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.types.connection import PageInfo, encode_cursor
from api.types.institution import Institution
from api.types.scientist import Scientist
from graph.queries.search import Hit, InstitutionOrder, ScientistOrder, SearchPage
from schema.institution import Institution as InstitutionModel
from schema.scientist import Scientist as ScientistModel


@strawberry.input(description="An inclusive range; either bound may be left out.")
class IntRange:
    min: int | None = None
    max: int | None = None


@strawberry.input(description="Every condition given must hold; a list matches any value.")
class ScientistFilter:
    topics: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Topic, subfield, field or domain ids (through EXPERT_IN)."
    )
    industry: strawberry.ID | None = strawberry.field(
        default=None, description="Expert in a topic one of the industry's segments needs."
    )
    segment: strawberry.ID | None = strawberry.field(
        default=None, description="Expert in a topic the chain segment needs."
    )
    country: str | None = strawberry.field(
        default=None, description="ISO code of an affiliated institution's country."
    )
    city: str | None = strawberry.field(
        default=None, description="An affiliated institution's city."
    )
    institution: strawberry.ID | None = strawberry.field(
        default=None, description="Affiliated with this institution (AFFILIATED_WITH)."
    )
    h_index: IntRange | None = None
    works: IntRange | None = strawberry.field(
        default=None, description="The author record's works count, else the works in the graph."
    )
    active_since: int | None = strawberry.field(
        default=None, description="Has works published in or after this year."
    )


@strawberry.input
class InstitutionFilter:
    country: str | None = None
    city: str | None = None
    type: str | None = strawberry.field(default=None, description="e.g. education, company.")
    region: strawberry.ID | None = strawberry.field(
        default=None, description="A country CN, a city cn/suzhou or a district."
    )
    topics: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Has works about these topics, subfields, fields or domains."
    )


@strawberry.enum
class ScientistSort(Enum):
    RELEVANCE = ScientistOrder.RELEVANCE.value
    H_INDEX = ScientistOrder.H_INDEX.value
    CITATIONS = ScientistOrder.CITATIONS.value
    RECENT_OUTPUT = ScientistOrder.RECENT_OUTPUT.value


@strawberry.enum
class InstitutionSort(Enum):
    RELEVANCE = InstitutionOrder.RELEVANCE.value
    WORKS = InstitutionOrder.WORKS.value
    CITATIONS = InstitutionOrder.CITATIONS.value
    NAME = InstitutionOrder.NAME.value


@strawberry.type
class ScientistSearchEdge:
    node: Scientist
    cursor: str
    score: float | None = strawberry.field(description="Relevance to the query, if any.")


@strawberry.type
class ScientistSearchConnection:
    total_count: int
    edges: list[ScientistSearchEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: SearchPage[ScientistModel], offset: int) -> ScientistSearchConnection:
        edges = [
            ScientistSearchEdge(
                node=Scientist.from_model(hit.node),
                cursor=encode_cursor(offset + n),
                score=hit.score,
            )
            for n, hit in enumerate(page.hits)
        ]
        return cls(total_count=page.total, edges=edges, page_info=_page_info(edges, page, offset))


@strawberry.type
class InstitutionSearchEdge:
    node: Institution
    cursor: str
    score: float | None


@strawberry.type
class InstitutionSearchConnection:
    total_count: int
    edges: list[InstitutionSearchEdge]
    page_info: PageInfo

    @classmethod
    def from_page(
        cls, page: SearchPage[InstitutionModel], offset: int
    ) -> InstitutionSearchConnection:
        edges = [
            InstitutionSearchEdge(
                node=Institution.from_model(hit.node),
                cursor=encode_cursor(offset + n),
                score=hit.score,
            )
            for n, hit in enumerate(page.hits)
        ]
        return cls(total_count=page.total, edges=edges, page_info=_page_info(edges, page, offset))


def _page_info(
    edges: list[ScientistSearchEdge] | list[InstitutionSearchEdge],
    page: SearchPage[ScientistModel] | SearchPage[InstitutionModel],
    offset: int,
) -> PageInfo:
    hits: list[Hit[ScientistModel]] | list[Hit[InstitutionModel]] = page.hits
    return PageInfo(
        has_next_page=offset + len(hits) < page.total,
        has_previous_page=offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
