"""The schema extensions every request runs through.

`Guard`, before any resolver: the caller's access (api/access.py) and the limits
(api/limits.py) as validation rules and parser options; after the operation: its latency and
error codes into the metrics (api/metrics.py), and a `code` on every error.

`MaskUnexpected`: unexpected errors become "Unexpected error." with the request id
(`extensions.requestId`), which is also in the log line carrying the traceback.

Both read the request's context through getattr with safe defaults, so the schema also runs
outside HTTP (tests); a context with no principal is refused everything (fail closed).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import MaskErrors, SchemaExtension

from api.access import access_rule
from api.errors import UserInputError, should_mask
from api.limits import BAD_USER_INPUT, Limits
from api.metrics import Metrics
from api.requests import current_request_id
from graph.errors import QueryTimeoutError

INTERNAL = "INTERNAL_SERVER_ERROR"
TIMEOUT = "TIMEOUT"
INVALID = "GRAPHQL_VALIDATION_FAILED"


def error_code(error: GraphQLError) -> str:
    """The code a client sees in `extensions.code`."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    original = error.original_error
    if original is None:
        return INVALID  # syntax and validation errors of graphql-core itself
    if isinstance(original, QueryTimeoutError):
        return TIMEOUT
    if isinstance(original, UserInputError):
        return BAD_USER_INPUT
    return INTERNAL


class Guard(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        limits: Limits = getattr(context, "limits", None) or Limits()
        metrics: Metrics | None = getattr(context, "metrics", None)
        execution.parse_options.update(limits.parse_options())  # type: ignore[typeddict-item]  # graphql-core's newer parse options
        execution.validation_rules = (
            *execution.validation_rules,
            access_rule(getattr(context, "principal", None)),
            *limits.rules(execution.variables),
        )
        started = time.perf_counter()
        yield
        result = execution.result
        errors: list[GraphQLError] = list(getattr(result, "errors", None) or [])
        errors = errors or list(execution.pre_execution_errors or [])
        for error in errors:
            if error.extensions is None or "code" not in error.extensions:
                error.extensions = {**(error.extensions or {}), "code": error_code(error)}
        if metrics is None:
            return
        operation = metrics.operation_label(_operation_name(execution))
        metrics.request_seconds.labels(
            operation=operation, root_field=_root_label(execution.graphql_document, execution)
        ).observe(time.perf_counter() - started)
        for error in errors:
            metrics.errors.labels(operation=operation, code=error_code(error)).inc()


class MaskUnexpected(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": INTERNAL, "requestId": current_request_id()},
        )


def _operation_name(execution: Any) -> str | None:
    name = execution.operation_name
    return name if isinstance(name, str) else None


def _root_label(document: DocumentNode | None, execution: Any) -> str:
    """The operation's root fields, sorted and joined with '+' ("" when it did not parse)."""
    if document is None:
        return ""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    wanted = _operation_name(execution)
    chosen = next((o for o in operations if o.name and o.name.value == wanted), None)
    if chosen is None and operations:
        chosen = operations[0]
    if chosen is None:
        return ""
    names: set[str] = set()
    _collect(chosen.selection_set, fragments, names, frozenset())
    return "+".join(sorted(names))


def _collect(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    names: set[str],
    seen: frozenset[str],
) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, names, seen)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and fragment.name.value not in seen:
                _collect(fragment.selection_set, fragments, names, seen | {fragment.name.value})
