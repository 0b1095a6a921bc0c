"""Access over real HTTP: API keys (missing, malformed, unknown, revoked), anonymous access,
and the role matrix tested as a matrix: every role against every root field of the schema."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    build_schema,
    get_named_type,
    is_leaf_type,
)
from neo4j import Driver

from api import access
from api.schema import schema
from schema.apikey import Role
from schema.settings import Settings
from tests.conftest import ask, create_key, serve_api

SDL = build_schema(schema.as_str())
ROOTS = [t for t in (SDL.query_type, SDL.mutation_type, SDL.subscription_type) if t]
ROOT_FIELDS = sorted(name for root in ROOTS for name in root.fields)
ROLES = ["viewer", "recruiter", "admin"]
RANK = {role: i for i, role in enumerate(ROLES)}

# The policy, written down here independently of api/access.py: introductionPaths walks
# people's personal networks (recruiters and up); everything else the issue names is for
# every key. A root field not named here is checked against the matrix in the code.
RECRUITER_FIELDS = {"introductionPaths"}
VIEWER_FIELDS = {
    "scientist",
    "institution",
    "topic",
    "team",
    "industry",
    "searchScientists",
    "searchInstitutions",
    "autocomplete",
    "facets",
    "talentChain",
    "institutionCooperation",
    "cooperationPartners",
    "regionCooperation",
}


def required_role(field: str) -> str:
    if field in RECRUITER_FIELDS:
        return "recruiter"
    if field in VIEWER_FIELDS:
        return "viewer"
    return str(access.ROOT_FIELDS.get(field, "nobody"))


def literal(kind: GraphQLInputType) -> str:
    """Some valid GraphQL literal of an input type (for arguments a field requires)."""
    if isinstance(kind, GraphQLNonNull):
        return literal(kind.of_type)
    if isinstance(kind, GraphQLList):
        return f"[{literal(kind.of_type)}]"
    if isinstance(kind, GraphQLEnumType):
        return str(next(iter(kind.values)))
    if isinstance(kind, GraphQLInputObjectType):
        needed = [
            f"{name}: {literal(f.type)}"
            for name, f in kind.fields.items()
            if isinstance(f.type, GraphQLNonNull) and f.default_value is None
        ]
        return "{" + ", ".join(needed) + "}"
    assert isinstance(kind, GraphQLScalarType)
    return {"Int": "1", "Float": "1.0", "Boolean": "true"}.get(kind.name, '"A1"')


def minimal_query(field: str) -> str:
    """The smallest query asking `field` with its required arguments."""
    root = next(r for r in ROOTS if field in r.fields)
    definition = root.fields[field]
    args = [
        f"{name}: {literal(arg.type)}"
        for name, arg in definition.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is None
    ]
    call = f"{field}({', '.join(args)})" if args else field
    selection = "" if is_leaf_type(get_named_type(definition.type)) else " { __typename }"
    operation = "mutation" if root is SDL.mutation_type else "query"
    return f"{operation} {{ {call}{selection} }}"


@pytest.fixture(scope="module")
def keys(graph: Driver, settings: Settings, api_url: str) -> dict[str, str]:
    return {role: create_key(graph, settings, role, f"matrix-{role}") for role in ROLES}


def forbidden(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e for e in body.get("errors") or [] if e.get("extensions", {}).get("code") == "FORBIDDEN"
    ]


def test_every_root_field_is_in_the_matrix() -> None:
    missing = [name for name in ROOT_FIELDS if name not in access.ROOT_FIELDS]
    assert not missing, f"add these root fields to api/access.py ROOT_FIELDS: {missing}"


@pytest.mark.parametrize("field", ROOT_FIELDS)
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(api_url: str, keys: dict[str, str], role: str, field: str) -> None:
    needed = required_role(field)
    body = ask(api_url, minimal_query(field), key=keys[role])
    refused = forbidden(body)
    if needed == "nobody":  # missing from the matrix (the test above names it): fail closed
        root = next(r.name for r in ROOTS if field in r.fields)
        assert [e["message"] for e in refused] == [
            f"{root}.{field} is not in the access matrix (api/access.py ROOT_FIELDS), "
            "so nobody may ask it yet"
        ]
    elif RANK[role] >= RANK[needed]:
        assert refused == [], body
    else:
        assert body["data"] is None
        assert [e["message"] for e in refused] == [
            f"{field} requires the {needed} role; your key has {role}"
        ]


@pytest.mark.parametrize("needed", ROLES)
def test_each_minimum_role_admits_exactly_the_roles_above_it(
    api_url: str, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch, needed: str
) -> None:
    """The enforcement itself, whatever the schema holds today: `scientist` set to each
    minimum role in turn, asked with each key."""
    monkeypatch.setitem(access.ROOT_FIELDS, "scientist", Role(needed))
    for role in ROLES:
        body = ask(api_url, '{ scientist(id: "A1") { __typename } }', key=keys[role])
        if RANK[role] >= RANK[needed]:
            assert body == {"data": {"scientist": {"__typename": "NotFound"}}}, role
        else:
            assert body["data"] is None
            assert [e["message"] for e in forbidden(body)] == [
                f"scientist requires the {needed} role; your key has {role}"
            ]


def test_matrix_lists_the_issue_fields_with_their_roles() -> None:
    for field in VIEWER_FIELDS:
        assert access.ROOT_FIELDS[field] is Role.VIEWER, field
    assert access.ROOT_FIELDS["introductionPaths"] is Role.RECRUITER


def post(url: str, query: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "an API key is required: send the header 'Authorization: Bearer KEY'"),
        ({"Authorization": ""}, "an API key is required"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "the Authorization header must be 'Bearer KEY'"),
        ({"Authorization": "Bearer"}, "the Authorization header must be 'Bearer KEY'"),
        ({"Authorization": "Bearer tmk_not-a-real-key"}, "unknown API key"),
    ],
)
def test_requests_without_a_valid_key_get_401(
    api_url: str, headers: dict[str, str], message: str
) -> None:
    response = post(api_url, "{ __typename }", headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["requestId"] == response.headers["X-Request-ID"]


def test_graphiql_page_is_open_but_get_queries_need_a_key(api_url: str) -> None:
    page = httpx.get(f"{api_url}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    query = httpx.get(f"{api_url}/graphql", params={"query": "{ __typename }"}, timeout=30)
    assert query.status_code == 401


def test_introspection_is_open_to_every_key(api_url: str, keys: dict[str, str]) -> None:
    body = ask(api_url, "{ __schema { queryType { name } } }", key=keys["viewer"])
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_revoked_key_stops_working_within_seconds(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    from graph.unit_of_work import Writer
    from graph.write.apikey import find_api_keys, revoke_api_key

    key = create_key(graph, settings, "viewer", "soon-revoked")
    headers = {"Authorization": f"Bearer {key}"}
    assert post(api_url, "{ __typename }", headers).status_code == 200
    writer = Writer(graph, settings.neo4j_database)
    (stored,) = writer(find_api_keys, "soon-revoked")
    writer(revoke_api_key, stored.id)
    revoked_at = time.monotonic()
    while post(api_url, "{ __typename }", headers).status_code == 200:
        assert time.monotonic() - revoked_at < settings.api_key_cache_seconds + 2
        time.sleep(0.2)
    response = post(api_url, "{ __typename }", headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == (
        f"the API key {stored.id} (soon-revoked) was revoked"
    )


@pytest.fixture(scope="module")
def anonymous_url(graph: Driver, settings: Settings) -> Iterator[str]:
    with serve_api(settings.model_copy(update={"api_anonymous_role": Role.VIEWER})) as url:
        yield url


def test_anonymous_role_when_enabled(anonymous_url: str) -> None:
    body = post(anonymous_url, '{ scientist(id: "A1") { __typename } }', {}).json()
    assert body == {"data": {"scientist": {"__typename": "NotFound"}}}
    # A key that is sent must still be valid: no silent fallback to anonymous.
    bad = post(anonymous_url, "{ __typename }", {"Authorization": "Bearer tmk_wrong"})
    assert bad.status_code == 401


WHOAMI = "{ whoami { role name keyId anonymous } }"


@pytest.mark.parametrize("role", ROLES)
def test_whoami_names_the_callers_role_and_key(
    api_url: str, keys: dict[str, str], role: str
) -> None:
    body = ask(api_url, WHOAMI, key=keys[role])
    me = body["data"]["whoami"]
    assert (me["role"], me["name"], me["anonymous"]) == (role.upper(), f"matrix-{role}", False)
    assert me["keyId"]


def test_whoami_without_a_key_is_the_anonymous_role(anonymous_url: str) -> None:
    body = post(anonymous_url, WHOAMI, {}).json()
    assert body == {
        "data": {
            "whoami": {"role": "VIEWER", "name": "anonymous", "keyId": None, "anonymous": True}
        }
    }


def test_anonymous_role_is_named_in_refusals(
    anonymous_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(access.ROOT_FIELDS, "scientist", Role.RECRUITER)
    body = post(anonymous_url, '{ scientist(id: "A1") { __typename } }', {}).json()
    assert [e["message"] for e in forbidden(body)] == [
        "scientist requires the recruiter role; anonymous access has viewer"
    ]


def test_root_field_missing_from_the_matrix_is_refused(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(access.ROOT_FIELDS, "scientist")
    body = ask(api_url, '{ scientist(id: "A1") { __typename } }')  # the admin key
    assert body["data"] is None
    assert [e["message"] for e in forbidden(body)] == [
        "Query.scientist is not in the access matrix (api/access.py ROOT_FIELDS), "
        "so nobody may ask it yet"
    ]


def test_type_fields_can_require_a_role(
    api_url: str, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(access.TYPE_FIELDS, "Scientist.orcid", Role.RECRUITER)
    query = '{ scientist(id: "A1") { ... on Scientist { orcid } ... on NotFound { message } } }'
    viewer = ask(api_url, query, key=keys["viewer"])
    assert [e["message"] for e in forbidden(viewer)] == [
        "Scientist.orcid requires the recruiter role; your key has viewer"
    ]
    recruiter = ask(api_url, query, key=keys["recruiter"])
    assert forbidden(recruiter) == []
    assert recruiter["data"]["scientist"]["message"]
