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
    ArgumentNode,
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
    VariableNode,
    Visitor,
    parse,
    validate,
    visit,
)
from graphql.pyutils import Undefined
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import validate_document

from api.access import access_rule, matrix
from api.auth import Principal
from api.errors import ErrorCode, UserInputError, should_mask
from api.limits import Limits
from api.metrics import Metrics
from api.requests import current_request_id
from graph.errors import QueryTimeoutError, UnavailableError


def error_code(error: GraphQLError) -> str:
    """The code a client sees in `extensions.code`."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    original = error.original_error
    if original is None:
        return ErrorCode.INVALID  # syntax and validation errors of graphql-core itself
    if isinstance(original, QueryTimeoutError):
        return ErrorCode.TIMEOUT
    if isinstance(original, UnavailableError):
        return ErrorCode.UNAVAILABLE
    if isinstance(original, UserInputError):
        return ErrorCode.BAD_USER_INPUT
    return ErrorCode.INTERNAL


class Guard(SchemaExtension):
    # What this request's own rules depend on (who asks, with which page sizes), set in
    # on_operation.
    _principal: Principal | None = None
    _limits: Limits = Limits()
    _variables: dict[str, Any] | None = None

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        limits: Limits = getattr(context, "limits", None) or Limits()
        metrics: Metrics | None = getattr(context, "metrics", None)
        execution.parse_options.update(limits.parse_options())  # type: ignore[typeddict-item]  # graphql-core's newer parse options
        self._principal = getattr(context, "principal", None)
        self._limits = limits
        self._variables = execution.variables
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
        text. The request's access and limit rules depend on the text, the caller's role and
        the values of the variables that set a `first`: their errors are cached per those."""
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.query and execution.pre_execution_errors is None:
            schema = execution.schema._schema
            options = tuple(sorted(execution.parse_options.items()))
            standard = _standard_errors(
                execution.query, options, tuple(execution.validation_rules), schema
            )
            variables = self._variables or {}
            caller = _caller(self._principal)
            sizes = tuple(
                (name, variables.get(name, Undefined))
                for name in _page_size_variables(execution.query, options)
            )
            try:
                own = _request_errors(
                    execution.query, options, schema, matrix(), caller, self._limits, sizes
                )
            except TypeError:  # a page size no hash takes (a list, say): validated uncached
                own = _validate_request(document, schema, caller, self._limits, variables)
            execution.pre_execution_errors = [*standard, *own]
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


def _caller(principal: Principal | None) -> Principal | None:
    """What the access rule's verdicts and messages depend on: the role, and whether it is
    anonymous (not which key it is), so that one cache entry serves every key of a role."""
    if principal is None:
        return None
    return Principal(role=principal.role, name="", key_id=None if principal.anonymous else "")


@lru_cache(maxsize=CACHED_TEXTS)
def _page_size_variables(query: str, options: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    """The variables a `first` argument of the text takes its value from."""
    names: set[str] = set()

    class Finder(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            if node.name.value == "first" and isinstance(node.value, VariableNode):
                names.add(node.value.name.value)

    visit(_parse(query, options), Finder())
    return tuple(sorted(names))


@lru_cache(maxsize=CACHED_TEXTS)
def _request_errors(
    query: str,
    options: tuple[tuple[str, Any], ...],
    schema: GraphQLSchema,
    roles: tuple[tuple[str, Any], ...],  # the access matrix (api.access.matrix)
    caller: Principal | None,
    limits: Limits,
    sizes: tuple[tuple[str, Any], ...],
) -> list[GraphQLError]:
    variables = {name: value for name, value in sizes if value is not Undefined}
    return _validate_request(_parse(query, options), schema, caller, limits, variables)


def _validate_request(
    document: DocumentNode,
    schema: GraphQLSchema,
    caller: Principal | None,
    limits: Limits,
    variables: dict[str, Any],
) -> list[GraphQLError]:
    return validate(schema, document, (access_rule(caller), *limits.rules(variables)))


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
            extensions={"code": ErrorCode.INTERNAL, "requestId": current_request_id()},
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
