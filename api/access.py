"""Which role sees what: the one place that says it, and the validation rule that enforces it
before any resolver runs.

Roles include each other: viewer < recruiter < admin (schema.apikey.Role).

- `ROOT_FIELDS`: every root field of the schema (queries, and mutations once they exist) with
  the least role that may ask it. A root field missing here is refused for everyone (fail
  closed), and tests/test_api_access.py lists the schema's root fields that are missing: add
  each new root field here, in the same change that adds it.
- `TYPE_FIELDS`: fields of other types that need more than the role that reached them,
  as "Type.field". Empty for now: what a viewer may reach, a viewer may read.

Meta fields (`__typename`, `__schema`, `__type`) are open to every caller: the schema is no
secret, and GraphiQL needs it.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule

from api.auth import Principal
from api.errors import ErrorCode
from schema.apikey import Role

ROOT_FIELDS: dict[str, Role] = {
    # The caller's own role and key name (the page hides what the role cannot use).
    "whoami": Role.VIEWER,
    # Entity lookups by any identifier.
    "scientist": Role.VIEWER,
    "institution": Role.VIEWER,
    "topic": Role.VIEWER,
    "team": Role.VIEWER,
    "industry": Role.VIEWER,
    # Search and typeahead.
    "searchScientists": Role.VIEWER,
    "searchInstitutions": Role.VIEWER,
    "autocomplete": Role.VIEWER,
    "facets": Role.VIEWER,
    # Industrial chains and cooperation between institutions (public output, aggregated).
    "talentChain": Role.VIEWER,
    "institutionCooperation": Role.VIEWER,
    "cooperationPartners": Role.VIEWER,
    "regionCooperation": Role.VIEWER,
    # Where the talent sits, for the map (aggregated counts per institution).
    "talentMap": Role.VIEWER,
    "industries": Role.VIEWER,
    "regionMap": Role.VIEWER,
    # A place (a country, a profile's city or district: the district view's heading too), the
    # places in it, its parks, focus industries and institutions (public facts).
    "region": Role.VIEWER,
    # Technology heat and forecast (aggregated counts of public output).
    "topicHeat": Role.VIEWER,
    "hotTopics": Role.VIEWER,
    # The evaluation model's scores and tiers (computed from public output).
    "evaluation": Role.VIEWER,
    # Talent flows: moves between institutions from public affiliation histories.
    "talentFlows": Role.VIEWER,
    # Rising stars: the evaluation model's percentiles, like evaluation.
    "risingStars": Role.VIEWER,
    # Who could introduce us to whom: it walks people's personal co-author networks.
    "introductionPaths": Role.RECRUITER,
    # Recruitment cases: everyone reads them; recruiters open cases and change their own
    # (the resolvers refuse others' cases with Forbidden); admins change all and reassign.
    "case": Role.VIEWER,
    "cases": Role.VIEWER,
    "targetsProgress": Role.VIEWER,
    "createCase": Role.RECRUITER,
    "updateCase": Role.RECRUITER,
    "moveCase": Role.RECRUITER,
    # Watchlists: everyone reads their own and the shared ones (the resolvers hide the
    # others'), recruiters keep lists (owner: the key; its owner or an admin changes one).
    "watchlists": Role.VIEWER,
    "watchlist": Role.VIEWER,
    "events": Role.VIEWER,
    # What changed about one entity (a profile's "since your last visit"), as events.
    "entityEvents": Role.VIEWER,
    "createWatchlist": Role.RECRUITER,
    "watch": Role.RECRUITER,
    "unwatch": Role.RECRUITER,
    # Where a list's events are delivered (its owner, or an admin: the resolver checks).
    "setWebhook": Role.RECRUITER,
    # District recommendations and the push lists sent to districts: read by everyone (what
    # a district was sent); a push is a recruiter's write. Recommendations walk people's
    # co-author ties (introduction paths), hence recruiters, as introductionPaths.
    "recommendations": Role.RECRUITER,
    "pushLists": Role.VIEWER,
    "pushList": Role.VIEWER,
    "push": Role.RECRUITER,
    # Who wrote what (API key ids and names): admins only.
    "auditLog": Role.ADMIN,
    # Curators' identity decisions.
    "mergeScientists": Role.ADMIN,
    "splitScientists": Role.ADMIN,
}

TYPE_FIELDS: dict[str, Role] = {}


def matrix() -> tuple[tuple[str, Role], ...]:
    """The matrix as it stands, as a value: part of the key under which verdicts are cached."""
    return (*ROOT_FIELDS.items(), *((f"type:{k}", v) for k, v in TYPE_FIELDS.items()))


def _refuse(node: FieldNode, message: str) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": ErrorCode.FORBIDDEN})


def access_rule(principal: Principal | None) -> type[ValidationRule]:
    """A validation rule refusing the fields `principal` may not ask (everything when None:
    a request nobody authenticated sees nothing)."""

    class AccessRule(ValidationRule):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.context.get_parent_type()
            if parent is None or self.context.get_field_def() is None:
                return  # unknown fields are reported by graphql's own rules
            name = node.name.value
            if name.startswith("__"):
                return
            schema = self.context.schema
            roots = (schema.query_type, schema.mutation_type, schema.subscription_type)
            if parent in roots:
                required = ROOT_FIELDS.get(name)
                if required is None:
                    self.report_error(
                        _refuse(
                            node,
                            f"{parent.name}.{name} is not in the access matrix "
                            "(api/access.py ROOT_FIELDS), so nobody may ask it yet",
                        )
                    )
                    return
                label = name
            else:
                label = f"{parent.name}.{name}"
                required = TYPE_FIELDS.get(label)
                if required is None:
                    return
            if principal is None:
                self.report_error(_refuse(node, f"{label} requires an API key"))
            elif not principal.role.includes(required):
                self.report_error(
                    _refuse(node, f"{label} requires the {required} role; {principal.describe()}")
                )

    return AccessRule
