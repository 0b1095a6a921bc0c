"""The GraphQL schema: the root query merged from `api/queries/`, extensions, the exported SDL.

Extensions (api/guard.py), made afresh for each request: `Guard` checks access and limits
before any resolver and records metrics; `MaskUnexpected` hides unexpected errors behind
"Unexpected error." and the request id, which `process_errors` logs with the traceback.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.errors import should_mask
from api.guard import Guard, MaskUnexpected
from api.mutations.cases import CaseMutation
from api.mutations.curation import CurationMutation
from api.mutations.push import PushMutation
from api.mutations.watch import WatchMutation
from api.queries.autocomplete import AutocompleteQuery
from api.queries.cases import CaseQueryRoot
from api.queries.chain import ChainQuery
from api.queries.cooperation import CooperationQuery
from api.queries.entities import EntityQuery
from api.queries.evaluation import EvaluationQuery
from api.queries.facets import FacetsQuery
from api.queries.flows import FlowsQuery
from api.queries.heat import HeatQuery
from api.queries.map import MapQuery
from api.queries.paths import PathsQuery
from api.queries.push import PushQuery
from api.queries.region import RegionQuery
from api.queries.rising import RisingQuery
from api.queries.search import SearchQuery
from api.queries.watch import WatchQuery
from api.queries.whoami import WhoamiQuery
from api.requests import current_request_id
from api.subscriptions.events import EventSubscription

log = logging.getLogger("talentmap.api")

Query = merge_types(
    "Query",
    (
        EntityQuery,
        SearchQuery,
        ChainQuery,
        PathsQuery,
        CooperationQuery,
        AutocompleteQuery,
        FacetsQuery,
        MapQuery,
        RegionQuery,
        HeatQuery,
        EvaluationQuery,
        FlowsQuery,
        RisingQuery,
        CaseQueryRoot,
        WatchQuery,
        PushQuery,
        WhoamiQuery,
    ),
)
Mutation = merge_types("Mutation", (CurationMutation, CaseMutation, WatchMutation, PushMutation))


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong on our side, with the request id the client got; a client's
        own mistake is answered, not logged."""
        for error in errors:
            if should_mask(error):
                log.error(
                    "request %s: unexpected error at %s: %s",
                    current_request_id(),
                    ".".join(map(str, error.path or [])) or "(operation)",
                    error.message,
                    exc_info=error.original_error,
                )


Subscription = merge_types("Subscription", (EventSubscription,))

schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[Guard, MaskUnexpected],
)
