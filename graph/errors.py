"""The graph layer's exceptions: one root, narrow subclasses. Driver errors are re-raised
`from` the original so the cause stays visible in logs."""

from __future__ import annotations


class GraphError(Exception):
    """Root of every error the graph layer raises."""


class ServerSetupError(GraphError):
    """The local Neo4j server cannot be provisioned or started (missing Java, Maven, network)."""


class ServerNotRunningError(GraphError):
    """A command needs a Neo4j server and none answers at NEO4J_URI."""


class MigrationError(GraphError):
    """A schema migration failed; the migrations applied before it stay recorded."""


class QueryTimeoutError(GraphError):
    """A read ran past its transaction timeout and Neo4j stopped it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query took longer than {seconds:g} s and was stopped")
        self.seconds = seconds


class UnavailableError(GraphError):
    """Neo4j cannot be reached now (down, restarting, or its connection dropped): a transient
    state callers may retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
