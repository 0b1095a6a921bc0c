"""TalentMap benchmarks: `make bench` (or `python -m bench.run --authorships 10000,100000`).

Starts its own Neo4j (temporary TALENTMAP_HOME, free port) through the same code as
`talentmap neo4j start`, generates SYNTHETIC OpenAlex-shaped works with a seeded generator,
and measures: server start, migrations, ingestion (first load and an idempotent re-run), and
the GraphQL `scientist` query over real HTTP. Prints one table, with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.table import Table

from api.app import create_app
from bench.synthetic import free_port, timed, timed_load, write_synthetic
from graph import admin, migrations, server
from graph.driver import connect
from graph.unit_of_work import Writer
from ingest.derived.step import derive
from schema.settings import Settings


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
                        took = timed_load(writer, data, Path(home) / "quarantine", args.batch_size)
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
        "data: SYNTHETIC (bench/synthetic.py, seeded)"
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
