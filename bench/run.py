"""TalentMap benchmarks: `make bench` (or `python bench/run.py --authorships 10000,100000`).

Starts its own Neo4j (temporary TALENTMAP_HOME, free port) through the same code as
`talentmap neo4j start`, generates SYNTHETIC OpenAlex-shaped works with a seeded generator,
and measures: server start, migrations, ingestion (first load and an idempotent re-run), and
the GraphQL `scientist` query over real HTTP. Prints one table, with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table

from api.app import create_app
from graph import admin, migrations, server
from graph.driver import connect
from graph.unit_of_work import Writer
from ingest.derive import derive
from ingest.jobs import run_job
from ingest.openalex_entities import WORKS
from talentmap.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"


def synthetic_works(count: int, seed: int) -> list[dict[str, Any]]:
    """OpenAlex-shaped works with a long-tailed author distribution. Synthetic: for scale only."""
    rng = random.Random(seed)
    authors = max(50, int(count * 1.5))
    institutions = max(10, count // 10)
    works = []
    for n in range(count):
        year = rng.randint(2000, 2025)
        authorships = []
        for position in range(rng.choice((1, 2, 3, 3, 4, 5, 6, 8, 12))):
            # Skewed toward a prolific few, spread over the whole pool like real bylines.
            author = int(authors * rng.random() ** 3)
            inst = rng.randrange(institutions)
            inst_url = f"https://openalex.org/I{9_000_000 + inst}"
            authorships.append(
                {
                    "author_position": "first" if position == 0 else "middle",
                    "author": {
                        "id": f"https://openalex.org/A{9_000_000 + author}",
                        "display_name": f"Synthetic Author {author}",
                        "orcid": None,
                    },
                    "institutions": [
                        {
                            "id": inst_url,
                            "display_name": f"Synthetic Institute {inst}",
                            "ror": None,
                            "country_code": rng.choice(("CN", "US", "DE", "GB", "JP")),
                            "type": "education",
                            "lineage": [inst_url],
                        }
                    ],
                    "is_corresponding": position == 0,
                    "raw_author_name": f"Synthetic Author {author}",
                    "raw_affiliation_strings": [f"Synthetic Institute {inst}"],
                }
            )
        works.append(
            {
                "id": f"https://openalex.org/W{9_000_000 + n}",
                "display_name": f"Synthetic work {n}",
                "publication_year": year,
                "publication_date": f"{year}-01-01",
                "type": "article",
                "cited_by_count": rng.randint(0, 500),
                "authorships": authorships,
                "updated_date": "2025-01-01T00:00:00",
            }
        )
    return works


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def write_synthetic(authorships: int, seed: int) -> tuple[Path, int, int]:
    """A seeded SYNTHETIC works file with about `authorships` authorships (5 per work)."""
    works = synthetic_works(max(1, authorships // 5), seed)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"synthetic-works-{len(works)}-seed{seed}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for work in works:
            handle.write(json.dumps(work) + "\n")
    return path, len(works), sum(len(w["authorships"]) for w in works)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--authorships",
        default="10000,100000",
        help="comma-separated sizes (authorship rows) to load, each into an empty graph",
    )
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=300, help="GraphQL queries to time")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(size) for size in args.authorships.split(",")]

    console = Console()
    load_before = os.getloadavg()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="talentmap-bench-") as home:
        settings = Settings(home=Path(home), neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
        _, started = timed(server.start, settings)
        rows.append(("neo4j start (jars cached, empty data)", f"{started:.1f} s"))
        try:
            with connect(settings) as driver:
                db = settings.neo4j_database
                writer = Writer(driver, db)
                scientist_ids: list[str] = []
                for size in sizes:
                    data, works, authorships = write_synthetic(size, args.seed)
                    admin.wipe(driver, db)
                    _, took = timed(migrations.migrate, driver, db)
                    for label in ("first load", "same input again"):
                        _, took = timed(
                            run_job,
                            writer,
                            WORKS,
                            [data],
                            quarantine_dir=Path(home) / "quarantine",
                            batch_size=args.batch_size,
                        )
                        rows.append(
                            (
                                f"{works:,} works / {authorships:,} authorships, {label}",
                                f"{took:.1f} s = {authorships / took:,.0f} authorship rows/s",
                            )
                        )
                        report, took = timed(derive, writer, max_authors=100)
                        rows.append(
                            (
                                f"  derived step ({report.scientists:,} scientists, "
                                f"{report.institutions:,} institutions)",
                                f"{took:.1f} s = {authorships / took:,.0f} authorship rows/s",
                            )
                        )
                    stats = admin.stats(driver, db)
                    rows.append(
                        (
                            "  graph",
                            f"{stats.total_nodes:,} nodes, {stats.total_relationships:,} rels",
                        )
                    )
                    ids, _, _ = driver.execute_query(
                        "MATCH (s:Scientist) RETURN s.id AS id ORDER BY s.id", database_=db
                    )
                    scientist_ids = [r["id"] for r in ids]
            rows.extend(time_queries(settings, scientist_ids, args.queries, args.seed))
        finally:
            server.stop(settings)

    table = Table(title=f"TalentMap benchmarks ({time.strftime('%Y-%m-%d %H:%M')})")
    table.add_column("what")
    table.add_column("result", justify="right")
    for what, result in rows:
        table.add_row(what, result)
    console.print(table)
    load_after = os.getloadavg()
    console.print(
        f"neo4j {settings.neo4j_version} community, heap {settings.neo4j_heap}, page cache "
        f"{settings.neo4j_pagecache}, batch size {args.batch_size}; machine: {os.cpu_count()} "
        f"cores, load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); "
        "data: SYNTHETIC (bench/run.py synthetic_works, seeded)"
    )


def time_queries(
    settings: Settings, scientist_ids: list[str], count: int, seed: int
) -> list[tuple[str, str]]:
    port = free_port()
    api = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=api.run, daemon=True)
    thread.start()
    while not api.started:
        time.sleep(0.05)
    rng = random.Random(seed)
    query = (
        "query ($id: ID!) { scientist(id: $id) { ... on Scientist { name "
        "works(first: 20) { totalCount edges { node { id title publicationYear } } } } } }"
    )
    latencies = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(20):  # warm-up: connection pool, query plans
                client.post("/graphql", json={"query": query, "variables": {"id": "A9000000"}})
            for _ in range(count):
                sid = rng.choice(scientist_ids)
                start = time.perf_counter()
                response = client.post("/graphql", json={"query": query, "variables": {"id": sid}})
                latencies.append((time.perf_counter() - start) * 1000)
                response.raise_for_status()
    finally:
        api.should_exit = True
        thread.join(timeout=10)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    return [
        (
            f"GraphQL scientist + 20 works, {count} sequential queries",
            f"p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms",
        )
    ]


if __name__ == "__main__":
    main()
