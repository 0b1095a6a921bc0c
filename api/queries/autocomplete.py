"""autocomplete: typeahead over the names of scientists, institutions, topics, teams and
industries (graph/queries/autocomplete.py ranks them)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from api.context import Info
from api.errors import InvalidRange
from api.types.connection import MAX_PAGE_SIZE, Connection, build_connection, page_window
from api.types.industry import Industry
from api.types.institution import Institution
from api.types.scientist import Scientist
from api.types.team import Team
from api.types.topic import Topic
from graph.queries.autocomplete import EntityKind, Suggestions, SuggestKey, suggest
from graph.queries.search import lucene_query
from schema.industry import Industry as IndustryModel
from schema.institution import Institution as InstitutionModel
from schema.scientist import Scientist as ScientistModel
from schema.team import Team as TeamModel
from schema.topic import Topic as TopicModel

# A typeahead needs a few suggestions; more than this is a search.
DEFAULT_SUGGESTIONS = 10
MAX_QUERY_LENGTH = 200


@strawberry.enum(description="The kinds of entity the API serves.")
class EntityType(Enum):
    SCIENTIST = EntityKind.SCIENTIST.value
    INSTITUTION = EntityKind.INSTITUTION.value
    TOPIC = EntityKind.TOPIC.value
    TEAM = EntityKind.TEAM.value
    INDUSTRY = EntityKind.INDUSTRY.value


Entity = Annotated[Scientist | Institution | Topic | Team | Industry, strawberry.union("Entity")]


@strawberry.type(description="One typeahead suggestion.")
class Suggestion:
    type: EntityType
    id: strawberry.ID
    label: str = strawberry.field(description="The name to show.")
    detail: str | None = strawberry.field(
        description="What tells namesakes apart: a scientist's latest institution and its "
        "country; an institution's city, country and type; a topic's subfield and field; a "
        "team's institution; an industry's Chinese name."
    )
    entity: Entity


AutocompleteResult = Annotated[
    Connection[Suggestion] | InvalidRange, strawberry.union("AutocompleteResult")
]


def _entity(node: Any) -> Scientist | Institution | Topic | Team | Industry:
    if isinstance(node, ScientistModel):
        return Scientist.from_model(node)
    if isinstance(node, InstitutionModel):
        return Institution.from_model(node)
    if isinstance(node, TopicModel):
        return Topic.from_model(node)
    if isinstance(node, TeamModel):
        return Team.from_model(node)
    if isinstance(node, IndustryModel):
        return Industry.from_model(node)
    raise TypeError(f"no API type for {type(node).__name__}")


@strawberry.type
class AutocompleteQuery:
    @strawberry.field(
        description="Typeahead: entities of `types` (default all) with a name, alternative "
        "name or label containing every word of `query`, the last one as a prefix; hanzi and "
        "pinyin find each other for people (张伟, Zhang Wei, Wei Zhang). Names equal to the "
        "query first, then names starting with it, then the rest; within each, more works "
        f"first. `first`: 0 to {MAX_PAGE_SIZE}, default {DEFAULT_SUGGESTIONS}; totalCount "
        "counts up to 200 candidates per type."
    )
    async def autocomplete(
        self,
        info: Info,
        query: str,
        types: list[EntityType] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AutocompleteResult:
        if len(query) > MAX_QUERY_LENGTH:
            return InvalidRange(
                argument="query", message=f"query is longer than {MAX_QUERY_LENGTH} characters"
            )
        offset, limit = page_window(DEFAULT_SUGGESTIONS if first is None else first, after)
        kinds = tuple(dict.fromkeys(EntityKind(t.value) for t in types or list(EntityType)))
        people = lucene_query(query, prefix=True, pinyin=True)
        plain = lucene_query(query, prefix=True)
        if people is None or plain is None or not kinds:
            return build_connection([], 0, offset)
        key = SuggestKey(
            lucene=people,
            lucene_plain=plain,
            text=" ".join(query.lower().split()),
            kinds=kinds,
            offset=offset,
            limit=limit,
        )
        found: Suggestions = await info.context.loader(suggest).load(key)
        nodes = [
            Suggestion(
                type=EntityType(s.kind.value),
                id=strawberry.ID(s.id),
                label=s.label,
                detail=s.detail,
                entity=_entity(s.node),
            )
            for s in found.items
        ]
        return build_connection(nodes, found.total, offset)
