"""Limits on what one GraphQL request may ask, each checked before any resolver (and so any
Cypher) runs:

- tokens: the parser stops after `max_tokens` lexical tokens (what strawberry's
  MaxTokensLimiter does, through graphql-core's non-deprecated `max_lexical_tokens`, plus a
  bound on comments);
- depth: strawberry's QueryDepthLimiter rule (introspection fields do not count);
- aliases: strawberry's MaxAliasesLimiter rule;
- cost: `cost_rule` below. Every field with a `first` argument costs `first` (or its default,
  else the default page size 20) times the product of its ancestors' `first`; every root field
  costs at least 1. Variables are resolved. `first` outside 0..100 is refused here too.
- time: each Neo4j transaction of the request has `api_query_timeout` seconds (graph.reader).

Refusals carry `extensions.code` = LIMIT_EXCEEDED (or BAD_USER_INPUT for a bad `first`), codes
of `api.errors.ErrorCode`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from api.errors import ErrorCode
from api.types.connection import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_MAXIMUM
from schema.settings import Settings


@dataclass(frozen=True)
class Limits:
    """The limits of one API process (defaults: those of Settings)."""

    max_depth: int = 10
    max_tokens: int = 2000
    max_aliases: int = 30
    max_cost: int = 50_000

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.api_max_depth,
            max_tokens=settings.api_max_tokens,
            max_aliases=settings.api_max_aliases,
            max_cost=settings.api_max_cost,
        )

    def parse_options(self) -> dict[str, int]:
        return {"max_lexical_tokens": self.max_tokens, "max_comments": self.max_tokens}

    def rules(self, variables: Mapping[str, Any] | None) -> tuple[type[ValidationRule], ...]:
        return (
            _coded(depth_validator(self.max_depth, None), ErrorCode.LIMIT_EXCEEDED),
            _coded(aliases_validator(self.max_aliases), ErrorCode.LIMIT_EXCEEDED),
            cost_rule(self.max_cost, variables or {}),
        )


class _CodingContext:
    """A validation context whose reported errors get `extensions.code`: strawberry's depth
    and alias rules report plain errors from their constructors."""

    def __init__(self, context: ValidationContext, code: ErrorCode) -> None:
        self._context = context
        self._code = code

    def report_error(self, error: GraphQLError) -> None:
        self._context.report_error(
            GraphQLError(error.message, error.nodes, extensions={"code": self._code})
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _coded(rule: type[ValidationRule], code: ErrorCode) -> type[ValidationRule]:
    class Coded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            # The wrapped rules do all their work in __init__ (they visit nothing).
            rule(_CodingContext(context, code))  # type: ignore[arg-type]  # a duck-typed context

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


def cost_rule(budget: int, variables: Mapping[str, Any]) -> type[ValidationRule]:
    """A rule refusing operations whose cost (see the module docstring) exceeds `budget`."""

    class CostRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            root = schema.get_root_type(node.operation)
            if root is None:
                return
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            defaults = {
                v.variable.name.value: value_from_ast_untyped(v.default_value)
                for v in node.variable_definitions or ()
                if v.default_value is not None
            }
            walk = _CostWalk(schema, fragments, {**defaults, **variables}, self.report_error)
            cost = walk.selections(root, node.selection_set, 1, frozenset(), top=True)
            if cost > budget:
                name = node.name.value if node.name else "the operation"
                self.report_error(
                    GraphQLError(
                        f"{name} would cost {cost:,}, above the budget of {budget:,} "
                        "(each list costs its `first` times the `first` of the lists around it;"
                        " ask for smaller pages or fewer nested lists)",
                        node,
                        extensions={
                            "code": ErrorCode.LIMIT_EXCEEDED,
                            "cost": cost,
                            "budget": budget,
                        },
                    )
                )

    return CostRule


class _CostWalk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        report: Any,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.report = report

    def selections(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        multiplier: int,
        seen: frozenset[str],
        *,
        top: bool = False,
    ) -> int:
        if parent is None or selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, multiplier, seen, top=top)
            elif isinstance(selection, InlineFragmentNode):
                narrowed = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selections(
                    narrowed, selection.selection_set, multiplier, seen, top=top
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # reported by graphql's own rules
                total += self.selections(
                    self.schema.get_type(fragment.type_condition.name.value),
                    fragment.selection_set,
                    multiplier,
                    seen | {name},
                    top=top,
                )
        return total

    def field(
        self,
        parent: GraphQLNamedType,
        node: FieldNode,
        multiplier: int,
        seen: frozenset[str],
        *,
        top: bool,
    ) -> int:
        fields = getattr(parent, "fields", None)
        name = node.name.value
        if not fields or name not in fields:
            return 0  # meta fields, or unknown ones graphql's own rules report
        definition = fields[name]
        inner = multiplier
        cost = 1 if top else 0
        if "first" in definition.args:
            size = self.first(node, definition.args["first"])
            inner = multiplier * size
            cost = max(cost, inner)
        return cost + self.selections(
            get_named_type(definition.type), node.selection_set, inner, seen
        )

    def first(self, node: FieldNode, argument: GraphQLArgument) -> int:
        """The page size a field will get: its `first`, resolved, or the default."""
        value: Any = Undefined
        for given in node.arguments or ():
            if given.name.value != "first":
                continue
            if isinstance(given.value, IntValueNode):
                value = int(given.value.value)
            elif isinstance(given.value, NullValueNode):
                value = None
            elif isinstance(given.value, VariableNode):
                value = self.variables.get(given.value.name.value, Undefined)
        if value is Undefined:
            value = argument.default_value
        if not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE_SIZE  # absent, null, or not an Int (coercion reports that)
        maximum = PAGE_MAXIMUM.get(node.name.value, MAX_PAGE_SIZE)
        if not 0 <= value <= maximum:
            self.report(
                GraphQLError(
                    f"first must be between 0 and {maximum}, got {value}",
                    node,
                    extensions={"code": ErrorCode.BAD_USER_INPUT},
                )
            )
            return maximum
        return value
