"""Test harness: a real Neo4j for the whole session, an empty migrated graph per module.

Unless NEO4J_URI is set (then that server is used, with NEO4J_PASSWORD), the session starts
its own server through the same code as `talentmap neo4j start`, in a temporary TALENTMAP_HOME
on a free port, and stops it at the end. The environment is pointed at it, so `talentmap`
subprocesses started by tests talk to the same server.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph import admin, migrations, server
from graph.driver import connect
from schema.settings import Settings

REPO = Path(__file__).resolve().parent.parent
# The data the tests read, all in the repository in the formats its publishers use (data/README.md,
# tests/data/*/README.md say where each file comes from and under which license).
SAMPLE = REPO / "data" / "sample"
OPENALEX_SAMPLE = SAMPLE / "openalex"
SAMPLE_WORKS = OPENALEX_SAMPLE / "works.jsonl"
ROR_V2 = SAMPLE / "ror" / "ror_v2_records.json.gz"
ROR_V1 = SAMPLE / "ror" / "ror_v1_legacy_records.json.gz"
AFFILIATIONS_GOLD = REPO / "tests" / "data" / "affiliations-gold"
S2AND_SAMPLE = REPO / "tests" / "data" / "disambiguation"

# Every Neo4j the tests start (the session's, and the second ones of test_server, test_resilience
# and test_bulk_import, through Settings or the CLI's environment) is tuned for a life of minutes
# on small graphs that change all the time:
# - C1 only (-XX:TieredStopAtLevel=1): C2's compiler threads cost more CPU than its faster code
#   saves. Measured (scratch A/B, Neo4j's own CPU seconds under the same load):
#   test_identity_curation 127/110 s -> 76/73 s, test_ingest_institutions 127 s -> 87 s.
# - no code cache flushing (-XX:-UseCodeCacheFlushing): the sweeper thread used 17% of Neo4j's
#   CPU on three heavy modules (119 CPU s -> 100 s with the flag).
# - no replanning when statistics change (divergence threshold 1, no decay): every load and
#   wipe changes the counts, so Cypher planned the same queries again and again (36% of the
#   session servers' Java samples were planning). A plan is correct whatever the counts; only
#   its speed on large data depends on them, which tests do not measure. The whole suite:
#   Neo4j 1,026 -> 605 CPU s, pytest 842 -> 697 s (note of this stop).
TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:-UseCodeCacheFlushing"
TEST_NEO4J_CONFIG = (
    "dbms.cypher.statistics_divergence_threshold=1.0;internal.cypher.replan_algorithm=none"
)
os.environ.setdefault("TALENTMAP_NEO4J_JVM_OPTIONS", TEST_JVM_OPTIONS)
os.environ.setdefault("TALENTMAP_NEO4J_CONFIG", TEST_NEO4J_CONFIG)


# Fixtures that reach the session's Neo4j: a test whose fixtures include one of these is an
# integration test and gets the `neo4j` marker, so `pytest -m "not neo4j"` runs the unit tests.
NEO4J_FIXTURES = frozenset({"settings", "driver", "graph", "works_graph", "demo_graph"})


# The modules that take longest (whole-dump loads, a second Neo4j, a killed job), run first so
# that with `-n 2 --dist loadfile` (make test) neither worker is left with a long one at the end.
SLOW_MODULES = (
    "test_ingest_institutions.py",
    "test_ingest_catalog.py",
    "test_web.py",
    "test_api_entities.py",
    "test_reference_data.py",
    "test_server.py",
    "test_teams.py",
    "test_api_access.py",
    "test_affiliations.py",
    "test_identity_curation.py",
    "test_ingest_authors.py",
    "test_resume.py",
    "test_resilience.py",
    "test_derive_kill.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)
    rank = {name: i for i, name in enumerate(SLOW_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order kept


# Seconds per test module (setup, call and teardown of its tests, in whichever process ran
# them), printed at the end of the run: where the suite's time goes, for whoever makes it faster.
MODULE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    module = report.nodeid.split("::", 1)[0]
    MODULE_SECONDS[module] = MODULE_SECONDS.get(module, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: Any) -> None:
    slowest = sorted(MODULE_SECONDS.items(), key=lambda item: -item[1])[:30]
    if slowest:
        terminalreporter.write_sep("-", "slowest test modules (seconds)")
        for module, seconds in slowest:
            terminalreporter.write_line(f"{seconds:8.1f}  {module}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    home = tmp_path_factory.mktemp("talentmap-home")
    uri = f"bolt://127.0.0.1:{free_port()}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TALENTMAP_HOME", str(home))
        patch.setenv("NEO4J_URI", uri)
        test_settings = Settings()
        server.start(test_settings)
        try:
            yield test_settings
        finally:
            server.stop(test_settings)


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[Driver]:
    with connect(settings) as neo4j_driver:
        yield neo4j_driver


# The schema every migration gives an empty database (its constraints and indexes), as the
# first `fresh` of this process found it.
MIGRATED_SCHEMA: list[Any] = []


def fresh(driver: Driver, settings: Settings) -> None:
    """Empty the graph with every migration applied. While the schema is still the one the
    migrations made (nothing dropped or added it) only the data goes; otherwise the schema
    is dropped and migrated again (seconds, 80 times a run)."""
    database = settings.neo4j_database
    applied = {m.version: m.checksum for m in migrations.MIGRATIONS}
    if (
        MIGRATED_SCHEMA
        and migrations.applied(driver, database) == applied
        and migrations.schema_items(driver, database) == MIGRATED_SCHEMA
    ):
        admin.clear(driver, database)
        return
    admin.wipe(driver, database)
    migrations.migrate(driver, database)
    MIGRATED_SCHEMA[:] = migrations.schema_items(driver, database)


@pytest.fixture(scope="module")
def graph(request: pytest.FixtureRequest, driver: Driver, settings: Settings) -> Driver:
    """An empty graph with every migration applied, once per test module; for a module of
    SHARED_GRAPHS, the graph its group shares (loaded once per process, only read)."""
    shared = SHARED_GROUP.get(Path(str(request.path)).name)
    if shared:
        found: Driver = request.getfixturevalue(f"{shared}_graph")
        return found
    fresh(driver, settings)
    HOLDING.clear()
    return driver


# --- graphs shared by the modules that only read them -------------------------------------------
# Loading the sample and running the derived step takes 10-30 s. The modules named here read
# the same graph and write nothing to it but API keys (or put back what they change), so each
# test process loads it once for them all: the scheduler below gives each group to one process,
# its modules one after another, and their `graph` is the group's graph.
SHARED_GRAPHS: dict[str, tuple[str, ...]] = {
    "works": (
        "test_api.py",
        "test_api_facets.py",
        "test_heat.py",
        "test_evaluation.py",
        "test_bench_peer.py",
        "test_api_fuzz.py",
    ),
    "demo": (
        "test_api_chain.py",
        "test_web.py",
        "test_api_paths.py",
        "test_api_cooperation.py",
        "test_heat_region.py",
    ),
}
SHARED_GROUP = {module: name for name, modules in SHARED_GRAPHS.items() for module in modules}
# What this process's database holds: the shared graph's name and its node and relationship
# counts (API keys aside) right after the load; a module that changed them forces a reload.
HOLDING: dict[str, Any] = {}


def _counts(driver: Driver, settings: Settings) -> tuple[int, int]:
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:ApiKey WITH count(n) AS nodes "
        "MATCH ()-[r]->() RETURN nodes, count(r) AS relationships",
        database_=settings.neo4j_database,
    )
    return int(records[0]["nodes"]), int(records[0]["relationships"])


def shared_graph(driver: Driver, settings: Settings, name: str, load: Any) -> Driver:
    """The graph `load(driver)` builds from an empty one, loaded unless this process holds it
    already, unchanged."""
    if HOLDING.get("name") != name or HOLDING.get("counts") != _counts(driver, settings):
        fresh(driver, settings)
        HOLDING.clear()
        load(driver)
        HOLDING.update(name=name, counts=_counts(driver, settings))
    return driver


@pytest.fixture(scope="module")
def works_graph(
    driver: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Driver:
    """The topic taxonomy, the industrial chains and the OpenAlex sample with its derived step."""

    def load(into: Driver) -> None:
        from graph.unit_of_work import Writer
        from ingest.reference.industries import load_industries
        from ingest.reference.taxonomy import load_taxonomy

        writer = Writer(into, settings.neo4j_database)
        load_taxonomy(writer)
        load_industries(writer)
        report = load_works(into, settings, [SAMPLE_WORKS], tmp_path_factory.mktemp("works"))
        assert report.quarantined == 0

    return shared_graph(driver, settings, "works", load)


@pytest.fixture(scope="module")
def demo_graph(
    driver: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Driver:
    """The demo data as `make run` loads it (ROR: the records of the sample's institutions)."""

    def load(into: Driver) -> None:
        from tests.test_api_chain import industries, load_demo

        report, ranked = load_demo(into, settings, tmp_path_factory.mktemp("demo"))
        assert report.quarantined == 0
        assert ranked.segments == sum(len(i["segments"]) for i in industries())

    return shared_graph(driver, settings, "demo", load)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` with each shared graph's modules as one unit of work, and units in
    collection order (the slow modules first: see `pytest_collection_modifyitems`)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling  # type: ignore[import-untyped]

    class SharedGraphScheduling(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            name = SHARED_GROUP.get(module.rsplit("/", 1)[-1])
            return f"shared graph {name}" if name else module

    config.option.loadscopereorder = False
    return SharedGraphScheduling(config, log)


@cache
def ror_dump(path: Path) -> list[dict[str, Any]]:
    """The records of a ROR dump (.json.gz) as published, read once per test process (each
    dump takes seconds to parse, and many modules compute expected values from them)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records: list[dict[str, Any]] = json.load(handle)
    return records


def sample_works() -> list[dict[str, Any]]:
    with SAMPLE_WORKS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def short_id(url: str) -> str:
    """The last path segment of an OpenAlex URL, computed here without the code under test."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def sample_file(works: set[str], path: Path) -> Path:
    """A JSONL file at `path` of the sample's records of these works (short ids), as
    published: for modules that load only the few works they need."""
    lines = [
        line
        for line in SAMPLE_WORKS.read_text(encoding="utf-8").split("\n")
        if line.strip() and short_id(json.loads(line)["id"]) in works
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def most_prolific() -> tuple[str, str, set[str]]:
    """From the raw sample JSON, the author with the most works (ties: the smallest id):
    (author URL, display name, short work ids)."""
    works_of: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for work in sample_works():
        for authorship in work["authorships"]:
            author = authorship.get("author") or {}
            if author.get("id"):
                works_of.setdefault(author["id"], set()).add(short_id(work["id"]))
                names[author["id"]] = author["display_name"]
    author = max(sorted(works_of), key=lambda a: len(works_of[a]))
    return author, names[author], works_of[author]


def fulltext(driver: Driver, settings: Settings, index: str, text: str) -> list[dict[str, Any]]:
    """Hits of a full-text index, best first: [{id, score}]."""
    records, _, _ = driver.execute_query(
        "CALL db.index.fulltext.queryNodes($index, $q) YIELD node, score "
        "RETURN node.id AS id, score ORDER BY score DESC",
        index=index,
        q=text,
        database_=settings.neo4j_database,
    )
    return [r.data() for r in records]


def admin_principal() -> Any:
    """The caller of in-process `schema.execute` tests: the schema refuses a context without."""
    from api.auth import Principal
    from schema.apikey import Role

    return Principal(role=Role.ADMIN, name="tests", key_id="key_tests")


def create_key(
    driver: Driver, settings: Settings, role: str, name: str, district: str | None = None
) -> str:
    """A new API key with `role` (bound to `district`), stored in the graph as `talentmap
    apikey create` does."""
    from graph.unit_of_work import Writer
    from graph.write.apikey import create_api_key
    from schema.apikey import Role, key_hash, new_key_id, new_secret

    secret = new_secret()
    Writer(driver, settings.neo4j_database)(
        create_api_key,
        key_id=new_key_id(),
        name=name,
        role=Role(role),
        digest=key_hash(secret),
        district=district,
    )
    return secret


@contextmanager
def serve_api(settings: Settings) -> Iterator[str]:
    """The real API on a loopback port (uvicorn in a thread) with `settings`; its URL."""
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from api.http_limits import uvicorn_options

    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **uvicorn_options(settings),
    )
    api_server = uvicorn.Server(config)
    thread = threading.Thread(target=api_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not api_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        api_server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def api_url(graph: Driver, settings: Settings) -> Iterator[str]:
    """The real API over the module's graph; `ask(api_url, ...)` sends an admin key made for
    it (a fresh graph per module, so a fresh key too)."""
    with serve_api(settings) as url:
        API_KEYS[url] = create_key(graph, settings, "admin", "tests")
        try:
            yield url
        finally:
            API_KEYS.pop(url, None)


# The Bearer key `ask` sends to each running test API (the API url is the key of this map).
API_KEYS: dict[str, str] = {}


def ask(
    api_url: str, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
) -> dict[str, Any]:
    """POST a GraphQL query to the test API as its default (admin) client, or with `key`;
    the whole response body (`data`, `errors`)."""
    import httpx

    token = key if key is not None else API_KEYS.get(api_url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{api_url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def load_works(
    driver: Driver,
    settings: Settings,
    paths: list[Path],
    quarantine: Path,
    *,
    batch_size: int = 64,
    strict: bool = False,
    derive: bool = True,
) -> Any:
    """Run the OpenAlex works job (and the derived step) as `talentmap ingest openalex` does."""
    from graph.unit_of_work import Writer
    from ingest.derived.step import derive as derive_ties
    from ingest.jobs import run_job
    from ingest.openalex.entities import WORKS

    writer = Writer(driver, settings.neo4j_database)
    report = run_job(
        writer, WORKS, paths, quarantine_dir=quarantine, batch_size=batch_size, strict=strict
    )
    if derive:
        derive_ties(writer, max_authors=settings.max_authors_for_ties)
    return report


def snapshot(driver: Driver, settings: Settings) -> tuple[list[str], list[str]]:
    """Every node and relationship with its properties, the bookkeeping (IngestRun, Migration)
    aside, as sorted JSON strings: what "the same graph" means in idempotency tests."""
    import json

    import neo4j

    queries = (
        "MATCH (n) WHERE NOT n:IngestRun AND NOT n:Migration RETURN labels(n), properties(n)",
        "MATCH (a)-[r]->(b) RETURN a.id, type(r), properties(r), b.id",
    )
    found: list[list[str]] = []
    for query in queries:
        # plain value lists: a snapshot of a full ROR load is ~165,000 rows
        values = driver.execute_query(
            query, database_=settings.neo4j_database, result_transformer_=neo4j.Result.values
        )
        found.append(sorted(json.dumps(v, sort_keys=True, default=str) for v in values))
    return found[0], found[1]


def rows(driver: Driver, settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    """The records of a read query, as dicts."""
    records, _, _ = driver.execute_query(query, params, database_=settings.neo4j_database)
    return [r.data() for r in records]


def scalar(driver: Driver, settings: Settings, query: str, **params: Any) -> Any:
    """The single value of a query's first row."""
    return next(iter(rows(driver, settings, query, **params)[0].values()))
