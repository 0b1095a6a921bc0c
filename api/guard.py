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

import contextlib
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    validate,
)
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import validate_document

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
    # The rules of this request (who asks, with which variables), set in on_operation.
    _request_rules: tuple[type[ASTValidationRule], ...] = ()

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        limits: Limits = getattr(context, "limits", None) or Limits()
        metrics: Metrics | None = getattr(context, "metrics", None)
        execution.parse_options.update(limits.parse_options())  # type: ignore[typeddict-item]  # graphql-core's newer parse options
        self._request_rules = (
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

    def on_parse(self) -> Iterator[None]:
        """A query text seen before is not parsed again (an LRU of parsed documents). A text
        that does not parse is left to strawberry, which reports the syntax error."""
        execution = self.execution_context
        if execution.query and execution.graphql_document is None:
            with contextlib.suppress(GraphQLError):
                execution.graphql_document = _parse(
                    execution.query, tuple(sorted(execution.parse_options.items()))
                )
        yield

    def on_validate(self) -> Iterator[None]:
        """GraphQL's own rules depend on the query text only: their errors are cached per
        text. The request's access and limit rules (its principal, its variables) always run."""
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.query and execution.pre_execution_errors is None:
            schema = execution.schema._schema
            standard = _standard_errors(
                execution.query,
                tuple(sorted(execution.parse_options.items())),
                tuple(execution.validation_rules),
                schema,
            )
            execution.pre_execution_errors = [
                *standard,
                *validate(schema, document, self._request_rules),
            ]
        yield


# Parsed documents and their errors under GraphQL's rules, per query text (and parse options
# and rules, which are the same for every request of a process): front-ends send the same few
# texts with different variables, and parsing and validating them cost milliseconds each time.
CACHED_TEXTS = 512


@lru_cache(maxsize=CACHED_TEXTS)
def _parse(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    return parse(query, **dict(options))


@lru_cache(maxsize=CACHED_TEXTS)
def _standard_errors(
    query: str,
    options: tuple[tuple[str, Any], ...],
    rules: tuple[type[ASTValidationRule], ...],
    schema: GraphQLSchema,
) -> list[GraphQLError]:
    return validate_document(schema, _parse(query, options), rules)


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
