"""Driver construction: the only place that turns Settings into neo4j drivers."""

from __future__ import annotations

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    Driver,
    GraphDatabase,
    NotificationDisabledClassification,
)
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired

from graph.errors import GraphError, ServerNotRunningError
from schema.settings import Settings

VERSION_QUERY = "CALL dbms.components() YIELD versions RETURN versions[0] AS version"


def _auth(settings: Settings) -> tuple[str, str]:
    password = settings.resolved_password()
    if password is None:
        raise ServerNotRunningError(
            "no Neo4j password: set NEO4J_PASSWORD, or run `talentmap neo4j start`, "
            f"which generates one in {settings.password_file}"
        )
    return settings.neo4j_username, password


# "Unknown label/property" notices are expected on a fresh graph (counting a label that has
# no node yet) and would drown real warnings (performance, deprecation) in the logs.
_QUIET = [NotificationDisabledClassification.UNRECOGNIZED]


def connect(settings: Settings) -> Driver:
    return GraphDatabase.driver(
        settings.neo4j_uri,
        auth=_auth(settings),
        notifications_disabled_classifications=_QUIET,
    )


def connect_async(settings: Settings, *, timeout: float | None = None) -> AsyncDriver:
    """The async driver; with `timeout` (the API's query timeout), opening a connection,
    waiting for one from the pool and retrying a write all give up after `timeout` seconds
    (the driver's defaults, 30 s, 60 s and 30 s, would hold a request that long while Neo4j
    is down or restarting)."""
    if timeout is None:
        return AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=_auth(settings),
            notifications_disabled_classifications=_QUIET,
        )
    return AsyncGraphDatabase.driver(
        settings.neo4j_uri,
        auth=_auth(settings),
        notifications_disabled_classifications=_QUIET,
        connection_timeout=timeout,
        connection_acquisition_timeout=timeout,
        max_transaction_retry_time=timeout,
    )


def probe(uri: str, username: str, password: str | None) -> str | None:
    """The server's version if a Neo4j answers a query at `uri`, else None.

    A wrong password is an error, not "down": waiting for it to come up would never end.
    """
    if password is None:
        return None
    try:
        with GraphDatabase.driver(
            uri, auth=(username, password), connection_timeout=2.0, max_transaction_retry_time=0
        ) as driver:
            records, _, _ = driver.execute_query(VERSION_QUERY, database_="system")
            return str(records[0]["version"])
    except AuthError as e:
        raise GraphError(
            f"Neo4j at {uri} refused the credentials of user {username!r}; "
            "check NEO4J_USERNAME and NEO4J_PASSWORD"
        ) from e
    except (ServiceUnavailable, SessionExpired, OSError):
        return None
