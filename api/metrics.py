"""Prometheus metrics of one API process, served on /metrics.

Each app owns its registry (not the client library's global one), so several apps in one
process (the tests) keep separate counts.

- `talentmap_graphql_request_seconds{operation, root_field}`: time of each GraphQL operation,
  from parsing to the response, refused ones included;
- `talentmap_neo4j_query_seconds{function}`: time of each Neo4j transaction, by repository
  function (measured by graph.reader.Reader through its observer callback);
- `talentmap_graphql_errors_total{operation, code}`: errors in responses, by code
  (api.errors.ErrorCode: FORBIDDEN, LIMIT_EXCEEDED, BAD_USER_INPUT, TIMEOUT,
  GRAPHQL_VALIDATION_FAILED, UNAUTHENTICATED, INTERNAL_SERVER_ERROR).

With several API processes (`talentmap serve --workers N`), each writes its counts to files in
the folder MULTIPROCESS_DIR names (prometheus_client's multiprocess mode, chosen when the
process starts) and /metrics, in whichever process answers, adds up those of all of them.

Operation names come from clients, so their label is bounded: names longer than 64 characters
or beyond the first `MAX_OPERATIONS` distinct ones are counted as "other".
"""

from __future__ import annotations

import os
import re

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MAX_OPERATIONS = 200
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
CONTENT_TYPE = CONTENT_TYPE_LATEST
# The environment variable prometheus_client reads at import: set, every process of the API
# writes its counts to files in that folder.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "talentmap_graphql_request_seconds",
            "GraphQL operations by operation name and root field(s), in seconds.",
            ["operation", "root_field"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.neo4j_seconds = Histogram(
            "talentmap_neo4j_query_seconds",
            "Neo4j transactions of the API by repository function, in seconds.",
            ["function"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        )
        self.errors = Counter(
            "talentmap_graphql_errors",
            "Errors returned to clients, by operation and code.",
            ["operation", "code"],
            registry=self.registry,
        )
        self._operations: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        """A bounded label for a client's operation name."""
        if not name:
            return "anonymous"
        if not _NAME.fullmatch(name):
            return "other"
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATIONS:
                return "other"
            self._operations.add(name)
        return name

    def observe_neo4j(self, function: str, seconds: float) -> None:
        self.neo4j_seconds.labels(function=function).observe(seconds)

    def render(self) -> bytes:
        folder = os.environ.get(MULTIPROCESS_DIR)
        if not folder:
            return generate_latest(self.registry)
        every_process = CollectorRegistry()
        MultiProcessCollector(every_process, path=folder)  # type: ignore[no-untyped-call]  # untyped in prometheus_client
        return generate_latest(every_process)
