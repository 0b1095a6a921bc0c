"""The API benchmark: `bench/api` (or `make bench-api`; `--help` for the options).

Starts its own Neo4j (a temporary TALENTMAP_HOME, a free port), loads the reference data
(taxonomy, industrial chains, the Suzhou profile), the real shared sample (ROR records and the
OpenAlex files in ../shared/data, else the bundled works) and SYNTHETIC works about real
topics (bench/synthetic.py, seeded) up to about `--scientists` people, runs the derived step,
then serves the API in its own process (`talentmap serve`) and drives each query family at
several numbers of concurrent clients for a fixed count of requests over HTTP.

Beside each, the same Cypher run directly through the driver: every request's repository
calls are recorded once in-process (the Reader the resolvers go through) and replayed, call by
call, at the same concurrency. The table gives p50/p95/p99 latency and requests/s of both, and
the ratio of the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from api.auth import Principal
from api.context import Context
from api.schema import schema
from bench.synthetic import free_port, timed, timed_load, write_synthetic
from graph import migrations, server
from graph.driver import connect, connect_async
from graph.errors import GraphError
from graph.reader import Reader, ReadPool
from graph.unit_of_work import Writer
from graph.write.apikey import create_api_key
from schema.apikey import Role, key_hash, new_key_id, new_secret
from schema.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
PEOPLE_PER_WORK = 1.2  # bench/synthetic.py: people = 1.2 x works
BENCH = Principal(role=Role.ADMIN, name="bench", key_id="bench")


@dataclass
class Call:
    work: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class RecordingReader(Reader):
    """A Reader that keeps every repository call it runs, for the bare-driver replay."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[Call] = []

    async def __call__(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(Call(work, args, kwargs))
        return await super().__call__(work, *args, **kwargs)


class RecordingPool(ReadPool):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last: RecordingReader | None = None

    def reader(self) -> Reader:
        self.last = RecordingReader(
            self._driver, self._database, timeout=self._timeout, observe=self._observe
        )
        return self.last


@dataclass
class Sample:
    """Ids to draw request variables from, read from the loaded graph."""

    scientists: list[str] = field(default_factory=list)
    connected: list[str] = field(default_factory=list)  # scientists with co-authors
    institutions: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Family:
    name: str
    query: str
    variables: Callable[[random.Random, Sample], dict[str, Any]]


FAMILIES = [
    Family(
        "scientist profile",
        """query ($id: ID!) { scientist(id: $id) { __typename ... on Scientist {
            name orcid hIndex citedByCount metrics { worksCount i10Index }
            affiliations { institution { id name } startYear endYear }
            topics(first: 5) { score topic { name } }
            coauthors(first: 10) { totalCount edges { sharedWorks firstYear lastYear
                node { id name } } }
            works(first: 10) { totalCount edges { node { id title publicationYear } } } } } }""",
        lambda rng, s: {"id": rng.choice(s.connected or s.scientists)},
    ),
    Family(
        "institution profile",
        """query ($id: ID!) { institution(id: $id) { __typename ... on Institution {
            name rorId type countryCode city parents { id name } children { id name }
            topTopics(first: 5) { works topic { name } }
            scientists(first: 20) { totalCount edges { node { id name hIndex } } }
            teams(first: 5) { totalCount edges { node { id name } } } } } }""",
        lambda rng, s: {"id": rng.choice(s.institutions)},
    ),
    Family(
        "talent chain",
        """query ($id: ID!) { talentChain(industry: $id, region: "cn/suzhou", first: 10) {
            __typename ... on TalentChain { segments { segment { id nameEn }
            topics { id }
            heat { growth heatScore { score } }
            scientists { totalCount edges { matchingWorks citations score segmentScore inRegion
              node { id name } } }
            teams { totalCount edges { matchingWorks score inRegion } }
            institutions { totalCount edges { matchingWorks score inRegion } }
            regionCounts { gap } } } } }""",
        lambda rng, s: {"id": rng.choice(s.industries)},
    ),
    Family(
        "introduction paths",
        """query ($a: ID!, $b: ID!) { introductionPaths(from: $a, to: $b, maxHops: 3, first: 5) {
            __typename ... on IntroductionPaths { length paths { weakestTie
            hops { sharedWorks source { id } target { id } works { id } } } } } }""",
        lambda rng, s: {"a": rng.choice(s.connected), "b": rng.choice(s.institutions)},
    ),
    Family(
        "cooperation",
        """query ($a: ID!, $b: ID!) {
            institutionCooperation(a: $a, b: $b) { __typename ... on InstitutionCooperation {
              jointWorksCount byYear { year count } topTopics(first: 5) { works topic { id } }
              pairs(first: 5) { totalCount edges { node { sharedWorksCount atA { id name }
                atB { id name } } } }
              works(first: 10) { totalCount edges { node { id title publicationYear } } } } }
            cooperationPartners(institution: $a, first: 10) { __typename
              ... on PartnerConnection { totalCount edges { jointWorksCount node { id name }
                topTopics(first: 3) { works topic { id } } } } } }""",
        lambda rng, s: dict(zip(("a", "b"), rng.choice(s.pairs), strict=True)),
    ),
    Family(
        "region cooperation",
        """query ($region: ID!) { regionCooperation(region: $region, first: 20) { __typename
            ... on RegionCooperation { totalCount edges { jointWorksCount node { id name }
            homeInstitutions { jointWorksCount institutionId } } } } }""",
        lambda rng, s: {"region": rng.choice(["cn/suzhou", "CN", "US"])},
    ),
    # Issue 17: the evaluation model's answers, rankings by it, talent flows, rising stars.
    Family(
        "evaluation",
        """query ($id: ID!) { evaluation(scientist: $id) { __typename ... on Evaluation {
            score tier modelVersion fieldName
            components { name value percentile weight contribution } } } }""",
        lambda rng, s: {"id": rng.choice(s.scientists)},
    ),
    Family(
        "search by score",
        """query ($id: ID!) { searchScientists(sort: SCORE, filter: {industry: $id}, first: 20) {
            __typename ... on ScientistSearchConnection {
              totalCount edges { node { id name } } } } }""",
        lambda rng, s: {"id": rng.choice(s.industries)},
    ),
    Family(
        "talent flows",
        """query ($region: ID!) { talentFlows(region: $region) { __typename ... on TalentFlows {
            inflow outflow returnees byYear { year inflow outflow net returnees }
            origins { institutionId moves } destinations { institutionId moves }
            moves(first: 20) { totalCount edges { node { year scientistId returnee } } } } } }""",
        lambda rng, s: {"region": rng.choice(["cn/suzhou", "CN", "US"])},
    ),
    Family(
        "rising stars",
        """query ($region: ID) { risingStars(region: $region, first: 20) { __typename
            ... on RisingStarConnection {
              totalCount edges { score careerAge node { id name } } } } }""",
        lambda rng, s: {"region": rng.choice([None, "CN", "US"])},
    ),
    Family(
        "search scientists",
        """query ($q: String!) { searchScientists(query: $q, first: 20) { __typename
            ... on ScientistSearchConnection { totalCount edges { score node { id name } } } } }""",
        lambda rng, s: {"q": rng.choice(s.names)},
    ),
]


def sample_ids(settings: Settings) -> Sample:
    sample = Sample()
    with connect(settings) as driver:

        def ids(query: str) -> list[Any]:
            records, _, _ = driver.execute_query(query, database_=settings.neo4j_database)
            return [r[0] for r in records]

        sample.scientists = ids(
            "MATCH (s:Scientist)-[:AUTHORED]->() WITH s, count(*) AS n "
            "ORDER BY n DESC, s.id LIMIT 5000 RETURN s.id"
        )
        sample.connected = ids(
            "MATCH (s:Scientist)-[c:COAUTHORED]-() WITH s, count(c) AS n "
            "ORDER BY n DESC, s.id LIMIT 2000 RETURN s.id"
        )
        sample.institutions = ids(
            "MATCH (i:Institution)<-[:BY_INSTITUTION]-() WITH i, count(*) AS n "
            "ORDER BY n DESC, i.id LIMIT 2000 RETURN i.id"
        )
        sample.pairs = [
            tuple(p)
            for p in ids(
                "MATCH (a:Institution)-[c:COLLABORATES]->(b:Institution) "
                "RETURN [a.id, b.id] ORDER BY c.works DESC, a.id, b.id LIMIT 2000"
            )
        ]
        sample.industries = ids("MATCH (i:Industry) RETURN i.id ORDER BY i.id")
        sample.names = ids(
            "MATCH (s:Scientist)-[:AUTHORED]->() WITH s, count(*) AS n "
            "ORDER BY n DESC, s.id LIMIT 2000 RETURN s.name"
        )
    return sample


def load(settings: Settings, scientists: int, seed: int, batch_size: int) -> list[str]:
    """Load the reference data, the real sample and the synthetic works; lines for the report."""
    from ingest.derived.step import derive
    from ingest.jobs import run_job
    from ingest.openalex.entities import SOURCES, detect_entity
    from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
    from ingest.reference.region import DEFAULT_REGION_PATH, load_region
    from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy
    from ingest.ror.records import ROR

    lines = []
    quarantine = Path(settings.home) / "quarantine"
    with connect(settings) as driver:
        db = settings.neo4j_database
        writer = Writer(driver, db)
        migrations.migrate(driver, db)
        load_taxonomy(writer, DEFAULT_TAXONOMY_PATH)
        load_industries(writer, DEFAULT_INDUSTRIES_PATH)
        load_region(writer, DEFAULT_REGION_PATH)
        ror = sorted((SHARED / "ror").glob("ror_v2_records.json*"))
        if ror:
            _, took = timed(
                run_job, writer, ROR, ror, quarantine_dir=quarantine, batch_size=batch_size
            )
            lines.append(f"ROR sample ({', '.join(p.name for p in ror)}) {took:.0f} s")
        real = sorted((SHARED / "openalex").glob("*.jsonl")) or [
            REPO / "data" / "sample" / "openalex" / "works.jsonl"
        ]
        for path in real:
            entity = detect_entity(path)
            if entity in SOURCES:
                run_job(
                    writer,
                    SOURCES[entity],
                    [path],
                    quarantine_dir=quarantine,
                    batch_size=batch_size,
                )
        lines.append(f"real OpenAlex sample: {len(real)} files")
        works = int(scientists / PEOPLE_PER_WORK)
        data, count, authorships = write_synthetic(works * 5, seed, with_real_topics=True)
        took = timed_load(writer, data, quarantine, batch_size)
        lines.append(f"SYNTHETIC: {count:,} works, {authorships:,} authorships in {took:.0f} s")
        report, took = timed(derive, writer, max_authors=settings.max_authors_for_ties)
        lines.append(
            f"derived step {took:.0f} s ({report.scientists:,} scientists recomputed, "
            f"{report.segments} segments ranked); by phase: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items())
        )
    return lines


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Timing:
    latencies: list[float]
    seconds: float
    errors: int

    def cells(self) -> list[str]:
        lat = self.latencies
        return [
            f"{statistics.median(lat):.1f}",
            f"{percentile(lat, 0.95):.1f}",
            f"{percentile(lat, 0.99):.1f}",
            f"{len(lat) / self.seconds:,.0f}",
        ]


async def drive(requests: list[Callable[[], Any]], clients: int) -> Timing:
    """Run the requests with `clients` workers pulling from one queue; latency of each."""
    queue: asyncio.Queue[Callable[[], Any]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        while not queue.empty():
            request = queue.get_nowait()
            start = time.perf_counter()
            ok = await request()
            latencies.append((time.perf_counter() - start) * 1000)
            errors += 0 if ok else 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return Timing(latencies, time.perf_counter() - start, errors)


async def record(
    settings: Settings, family: Family, variables: list[dict[str, Any]]
) -> list[list[Call]]:
    """Each request's repository calls, recorded by executing the schema in-process."""
    pool = RecordingPool(
        connect_async(settings), settings.neo4j_database, timeout=settings.api_query_timeout
    )
    recorded = []
    try:
        for values in variables:
            context = Context(pool, principal=BENCH)
            # A failed request (e.g. a transaction timeout) is replayed too: its calls up to
            # the failure, which fails again there and counts as an error of the bare run.
            await schema.execute(family.query, values, context_value=context)
            assert pool.last is not None
            recorded.append(pool.last.calls)
    finally:
        await pool.close()
    return recorded


async def measure(
    settings: Settings,
    url: str,
    headers: dict[str, str],
    family: Family,
    variables: list[dict[str, Any]],
    clients: int,
    warmup: int,
) -> tuple[Timing, Timing]:
    # Recording runs every request once in-process: it also warms Neo4j's page cache, so that
    # the API (measured first) and the bare replay both read a warm graph.
    calls = await record(settings, family, variables)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as http:

        def api_request(values: dict[str, Any]) -> Callable[[], Any]:
            async def go() -> bool:
                response = await http.post(
                    "/graphql", json={"query": family.query, "variables": values}
                )
                return response.status_code == 200 and "errors" not in response.json()

            return go

        await drive([api_request(v) for v in variables[:warmup]], clients)
        api = await drive([api_request(v) for v in variables], clients)

    return api, await replay_bare(settings, calls, clients, warmup)


async def replay_bare(
    settings: Settings, calls: list[list[Call]], clients: int, warmup: int
) -> Timing:
    """The recorded repository calls of each request replayed straight through the driver,
    `clients` at once, after the first `warmup` requests' calls as a warm-up."""
    driver = connect_async(settings)
    # The API's transaction timeout, so that a query the API gives up on fails here too.
    reader = Reader(driver, settings.neo4j_database, timeout=settings.api_query_timeout)
    try:

        def bare_request(request_calls: list[Call]) -> Callable[[], Any]:
            async def go() -> bool:
                try:
                    for call in request_calls:
                        await reader(call.work, *call.args, **call.kwargs)
                except GraphError:
                    return False
                return True

            return go

        await drive([bare_request(c) for c in calls[:warmup]], clients)
        return await drive([bare_request(c) for c in calls], clients)
    finally:
        await driver.close()


def serve(settings: Settings, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TALENTMAP_HOME": str(settings.home),
        "NEO4J_URI": settings.neo4j_uri,
    }
    log = (Path(settings.home) / "api.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "talentmap.cli", "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the API did not become ready within 60 s; see {log.name}")


COLUMNS = (
    "family",
    "clients",
    "requests",
    "API p50 ms",
    "p95",
    "p99",
    "req/s",
    "bare p50 ms",
    "p95",
    "p99",
    "req/s",
    "API/bare p50",
    "errors API/bare",
)
LOADED = "bench-api-loaded.json"


def load_once(settings: Settings, scientists: int, seed: int, batch_size: int) -> list[str]:
    """`load` into an empty home; in a kept home (`--home`) that already holds this load, the
    report lines of that load (a different load there is refused)."""
    marker = Path(settings.home) / LOADED
    wanted = {"scientists": scientists, "seed": seed}
    if marker.is_file():
        done = json.loads(marker.read_text(encoding="utf-8"))
        if {k: done.get(k) for k in wanted} != wanted:
            raise SystemExit(
                f"{settings.home} holds a load of {done.get('scientists')} scientists, seed "
                f"{done.get('seed')}; use another --home for {scientists}, seed {seed}"
            )
        from ingest.derived.step import derive

        with connect(settings) as driver:  # migrations added since that load, and what they mark
            migrations.migrate(driver, settings.neo4j_database)
            writer = Writer(driver, settings.neo4j_database)
            report, took = timed(derive, writer, max_authors=settings.max_authors_for_ties)
        again = f"derived step {took:.0f} s ({report.segments} segments ranked)"
        return [*done["notes"], f"(reused the load in {settings.home}; {again})"]
    notes = load(settings, scientists, seed, batch_size)
    marker.write_text(json.dumps({**wanted, "notes": notes}), encoding="utf-8")
    return notes


def _arguments() -> tuple[argparse.Namespace, list[int], list[Family]]:
    """The options, the client counts and the query families chosen."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scientists", type=int, default=100_000, help="about this many synthetic people"
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per family and client count"
    )
    parser.add_argument(
        "--clients", default="1,10,20,50", help="comma-separated concurrent clients"
    )
    parser.add_argument(
        "--families",
        default="",
        help="comma-separated family names (default all): " + ", ".join(f.name for f in FAMILIES),
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="unmeasured requests before each measurement"
    )
    parser.add_argument(
        "--home",
        type=Path,
        help="keep Neo4j's data in this TALENTMAP_HOME (created if missing) and reuse a load "
        "already there with the same --scientists and --seed (default: a temporary one)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes (`talentmap serve --workers`; default 1)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    names = [n.strip() for n in args.families.split(",") if n.strip()]
    unknown = sorted(set(names) - {f.name for f in FAMILIES})
    if unknown:
        parser.error(f"unknown --families {unknown}; known: {[f.name for f in FAMILIES]}")
    chosen = [f for f in FAMILIES if not names or f.name in names]
    return args, clients, chosen


def _bench_home(stack: contextlib.ExitStack, home: Path | None) -> Path:
    """`--home`, created if missing; without it a temporary folder `stack` removes."""
    if home is None:
        return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="talentmap-bench-api-")))
    home = home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def _row(family: Family, clients: int, requests: int, api: Timing, bare: Timing) -> list[str]:
    """A table row: the API's timing beside the bare driver's for one family and client count."""
    ratio = statistics.median(api.latencies) / statistics.median(bare.latencies)
    return [
        family.name,
        str(clients),
        str(requests),
        *api.cells(),
        *bare.cells(),
        f"{ratio:.2f}",
        f"{api.errors}/{bare.errors}",
    ]


def _measure_families(
    console: Console,
    settings: Settings,
    url: str,
    sample: Sample,
    families: list[Family],
    clients: list[int],
    args: argparse.Namespace,
) -> None:
    """Measure each family at each client count against the API serving at `url`, with ids
    drawn from `sample`; print each row as soon as it is measured, and the table at the end."""
    headers = api_headers(settings)
    table = Table(title=f"TalentMap API benchmark ({time.strftime('%Y-%m-%d %H:%M')})")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "family" else "right")
    console.print(" | ".join(COLUMNS))
    rng = random.Random(args.seed)
    for family in families:
        variables = [family.variables(rng, sample) for _ in range(args.requests)]
        for count in clients:
            api, bare = asyncio.run(
                measure(settings, url, headers, family, variables, count, args.warmup)
            )
            row = _row(family, count, len(variables), api, bare)
            table.add_row(*row)
            console.print(" | ".join(row), highlight=False)  # as soon as measured
    console.print(table)


def main() -> None:
    args, clients, chosen = _arguments()
    console = Console(width=200)
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        home = _bench_home(stack, args.home)
        settings = Settings(home=home, neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
        server.start(settings)
        api_process = None
        try:
            notes = load_once(settings, args.scientists, args.seed, args.batch_size)
            for line in notes:
                console.print(line)
            sample = sample_ids(settings)
            port = free_port()
            api_process = serve(settings, port, args.workers)
            url = f"http://127.0.0.1:{port}"
            _measure_families(console, settings, url, sample, chosen, clients, args)
        finally:
            if api_process is not None:
                api_process.terminate()
                api_process.wait(timeout=30)
            server.stop(settings)
    load_after = os.getloadavg()
    console.print(
        f"neo4j {settings.neo4j_version} community, heap {settings.neo4j_heap}, page cache "
        f"{settings.neo4j_pagecache}; API: `talentmap serve --workers {args.workers}`; machine: "
        f"{os.cpu_count()} cores, load average before {load_before[0]:.2f}, after "
        f"{load_after[0]:.2f} (1 min); data: the real shared sample plus SYNTHETIC works"
    )


def api_headers(settings: Settings) -> dict[str, str]:
    """An admin key for the bench client, stored as `talentmap apikey create` does."""
    secret = new_secret()
    with connect(settings) as driver:
        Writer(driver, settings.neo4j_database)(
            create_api_key, key_id=new_key_id(), name="bench", role=Role.ADMIN,
            digest=key_hash(secret),
        )  # fmt: skip
    return {"Authorization": f"Bearer {secret}"}


if __name__ == "__main__":
    main()
