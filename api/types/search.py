"""Search inputs, sort enums and result connections whose edges carry a relevance score."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import strawberry

from api.types.case import TalentTier
from api.types.connection import PageInfo, edge_connection
from api.types.institution import Institution
from api.types.scientist import Scientist
from graph.queries.search import InstitutionOrder, ScientistOrder, SearchPage
from schema.institution import Institution as InstitutionModel
from schema.scientist import Scientist as ScientistModel

C = TypeVar("C")  # a connection type
E = TypeVar("E")  # an edge type
M = TypeVar("M")  # a model found
N = TypeVar("N")  # the API type of a model


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
    tier: TalentTier | None = strawberry.field(
        default=None, description="The evaluation model's tier (TOP, LEADING, YOUNG, ENGINEER)."
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
    SCORE = strawberry.enum_value(
        ScientistOrder.SCORE.value,
        description="The evaluation model's score, highest first (for a `segment` filter, the "
        "segment's score); people without one last.",
    )


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
        return _hit_connection(cls, ScientistSearchEdge, Scientist.from_model, page, offset)


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
        return _hit_connection(cls, InstitutionSearchEdge, Institution.from_model, page, offset)


def _hit_connection(
    connection: Callable[..., C],
    edge: Callable[..., E],
    node: Callable[[M], N],
    page: SearchPage[M],
    offset: int,
) -> C:
    """A connection of search hits: each edge has the hit's node and its relevance score."""
    return edge_connection(
        connection,
        page.hits,
        page.total,
        offset,
        lambda hit, cursor: edge(node=node(hit.node), cursor=cursor, score=hit.score),
    )
