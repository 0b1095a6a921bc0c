"""Ingestion benchmark: `bench/ingest` (or `make bench-ingest`).

Starts its own Neo4j (a temporary TALENTMAP_HOME, a free port) through the same code as
`talentmap neo4j start`, writes SYNTHETIC OpenAlex-shaped works files from a seeded generator
(`bench/synthetic.py`) at each size, and for each size, into an empty graph, measures:

- the first load (`run_job` with the works source, through Bolt, as `talentmap ingest openalex`
  runs it) in authorship rows per second;
- the derived step that follows (affiliations, co-authors, expertise, collaborations, teams);
- the same input again (idempotent: nothing changes) and its derived step (nothing to do);
- reading and parsing alone (no database), the single-core ceiling of the loader.

It prints one table, Neo4j's settings, the CPU seconds the server and this process spent on
each load (two cores are shared between them), and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from functools import partial
from pathlib import Path

from neo4j import Driver
from rich.console import Console
from rich.table import Table

from bench.synthetic import free_port, timed, timed_load, write_synthetic
from graph import admin, migrations, server
from graph.driver import connect
from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.openalex.entities import WORKS
from schema.settings import Settings


def _server_cpu(settings: Settings) -> float:
    """CPU seconds (user + system) the Neo4j process has used so far."""
    pid = server.read_pid(server.layout(settings))
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_only(path: Path) -> float:
    """Seconds to read and parse the file (no database): the loader's single-core ceiling."""
    start = time.perf_counter()
    for raw in WORKS.read(path):
        WORKS.parse(raw)
    return time.perf_counter() - start


COLUMNS = (
    "authorships",
    "works",
    "run",
    "load s",
    "load rows/s",
    "CPU s neo4j / python",
    "derived s",
    "derived rows/s",
    "derived µs/row",
    "graph nodes / rels",
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--authorships",
        default=None,
        help="comma-separated sizes in authorship rows; each loads into an empty graph "
        "(default 10000,100000,1000000; with --bulk 100000,1000000)",
    )
    parser.add_argument("--batch-size", type=int, default=Settings().ingest_batch_size)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--bulk",
        action="store_true",
        help="the bulk first load (talentmap import openalex) next to the Bolt path, end to "
        "end with the derived step, at each size (default sizes then 100,000 and 1,000,000)",
    )
    parser.add_argument(
        "--bolt-up-to",
        type=int,
        default=None,
        help="with --bulk: measure the Bolt path only at sizes up to this many authorships; "
        "above it, its row is extrapolated linearly from the largest measured one and says so "
        "(issue 20 allows this at 10M, where the Bolt path takes about two hours)",
    )
    args = parser.parse_args()
    if args.authorships is None:
        args.authorships = "100000,1000000" if args.bulk else "10000,100000,1000000"
    smallest = min(int(size) for size in args.authorships.split(","))
    if args.bolt_up_to is not None and args.bolt_up_to < smallest:
        parser.error(
            f"--bolt-up-to {args.bolt_up_to:,} is below the smallest size ({smallest:,}): "
            "the Bolt path must be measured at one size at least, to extrapolate from"
        )
    return args


def _load(settings: Settings, writer: Writer, data: Path, batch_size: int) -> tuple[float, str]:
    """Seconds to load `data`, and the CPU seconds Neo4j and this process spent on it."""
    cpu_server, cpu_own = _server_cpu(settings), _own_cpu()
    took = timed_load(writer, data, settings.home / "quarantine", batch_size)
    return took, f"{_server_cpu(settings) - cpu_server:.0f} / {_own_cpu() - cpu_own:.0f}"


def _size(
    console: Console,
    table: Table,
    settings: Settings,
    driver: Driver,
    size: int,
    args: argparse.Namespace,
) -> tuple[int, float]:
    """Generate SYNTHETIC works of `size` authorships and time parsing them alone; then, into
    an empty graph, load them twice, each with the derived step after it (a table row each).
    Returns the authorship rows and the parse seconds."""
    db = settings.neo4j_database
    writer = Writer(driver, db)
    console.print(f"generating SYNTHETIC works for {size:,} authorships ...")
    data, works, rows = write_synthetic(size, args.seed)
    parsed = parse_only(data)
    console.print(
        f"  read and parse only (no database): {parsed:.1f} s = {rows / parsed:,.0f} rows/s"
    )
    admin.wipe(driver, db)
    migrations.migrate(driver, db)
    for run in ("first load", "same again"):
        console.print(f"{rows:,} authorships: {run} ...")
        took, cpu = _load(settings, writer, data, args.batch_size)
        report, derived = timed(derive, writer, max_authors=100)
        stats = admin.stats(driver, db)
        table.add_row(
            f"{rows:,}",
            f"{works:,}",
            run,
            f"{took:.1f}",
            f"{rows / took:,.0f}",
            cpu,
            f"{derived:.1f}",
            f"{rows / derived:,.0f}",
            f"{derived / rows * 1e6:.0f}",
            f"{stats.total_nodes:,} / {stats.total_relationships:,}",
        )
        if run == "first load":
            teams = f"{report.teams:,} teams"
            console.print(
                f"  derived for {report.scientists:,} scientists and "
                f"{report.institutions:,} institutions, {teams}"
            )
    return rows, parsed


def bulk_main(args: argparse.Namespace) -> None:
    """`--bulk`: both paths, end to end, at each size; one table."""
    from bench.bulk import PathRun, bolt_run, bulk_run, extrapolated_run

    console = Console(width=200)
    load_before = os.getloadavg()
    runs: list[PathRun] = []
    with tempfile.TemporaryDirectory(prefix="talentmap-bench-") as home:
        settings = Settings(home=Path(home) / "bolt", neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
        server.start(settings)
        try:
            with connect(settings) as driver:
                for size in [int(s) for s in args.authorships.split(",")]:
                    console.print(f"generating SYNTHETIC works for {size:,} authorships ...")
                    data, _, rows = write_synthetic(size, args.seed)
                    bolt = partial(bolt_run, settings, driver, data, rows, args.batch_size)
                    if args.bolt_up_to is not None and size > args.bolt_up_to:
                        bolt = partial(extrapolated_run, runs, rows)
                    # One after the other, each row printed when measured.
                    bulk = partial(bulk_run, Path(home) / f"bulk-{size}", data, rows)
                    for measure in (bolt, bulk):
                        run = measure()
                        runs.append(run)
                        console.print(
                            f"{run.rows:,} authorships, {run.path}: {run.seconds:.1f} s = "
                            f"{run.rows / run.seconds:,.0f} rows/s ({run.shares()}); peak MiB "
                            f"this / children / neo4j {run.memory}; load {run.load:.1f}"
                            + (f"; store {run.store_mib:,.0f} MiB" if run.store_mib else "")
                            + f"; derive by phase: {run.phases()}"
                        )
        finally:
            server.stop(settings)
    table = Table(title=f"Bulk vs Bolt first load, end to end ({time.strftime('%Y-%m-%d %H:%M')})")
    for column in (
        "authorships",
        "path",
        "s",
        "rows/s",
        "x Bolt",
        "steps (share)",
        "peak MiB",
        "load",
    ):
        table.add_column(column, justify="right")
    bolt_rate: dict[int, float] = {}
    for run in runs:
        rate = run.rows / run.seconds
        bolt_rate.setdefault(run.rows, rate)
        table.add_row(
            f"{run.rows:,}",
            run.path,
            f"{run.seconds:.1f}",
            f"{rate:,.0f}",
            f"{rate / bolt_rate[run.rows]:.1f}",
            run.shares(),
            run.memory,
            f"{run.load:.1f}",
        )
    console.print(table)
    console.print(
        "peak MiB: this process (max RSS) / its largest child (parse worker or neo4j-admin) / "
        f"the Neo4j server (VmHWM). Load average (1 min) before {load_before[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores. Data: SYNTHETIC "
        "(bench/synthetic.py, seeded). Neo4j (both paths): heap "
        f"{settings.neo4j_heap}, page cache {settings.neo4j_pagecache} "
        "(TALENTMAP_NEO4J_HEAP, TALENTMAP_NEO4J_PAGECACHE)."
    )


def main() -> None:
    args = _arguments()
    if args.bulk:
        bulk_main(args)
        return
    sizes = [int(size) for size in args.authorships.split(",")]
    console = Console(width=200)
    load_before = os.getloadavg()
    table = Table(title=f"TalentMap ingestion benchmark ({time.strftime('%Y-%m-%d %H:%M')})")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    parse_rates: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="talentmap-bench-") as home:
        settings = Settings(home=Path(home), neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
        server.start(settings)
        try:
            with connect(settings) as driver:
                for size in sizes:
                    parse_rates.append(_size(console, table, settings, driver, size, args))
        finally:
            server.stop(settings)
    console.print(table)
    for rows, parsed in parse_rates:
        console.print(
            f"read and parse only, {rows:,} authorships: {parsed:.1f} s = "
            f"{rows / parsed:,.0f} rows/s (one core, no database)"
        )
    load_after = os.getloadavg()
    console.print(
        f"Neo4j {settings.neo4j_version} Community (embedded jars, `talentmap neo4j start`): "
        f"heap {settings.neo4j_heap}, page cache {settings.neo4j_pagecache}, "
        "db.tx_log.rotation.retention_policy=1 days, other settings at their defaults; "
        f"batch size {args.batch_size} works per transaction; one write transaction at a time, "
        "parsing overlapped with writing.\n"
        f"Machine: {os.cpu_count()} cores shared by Neo4j and this process; load average "
        f"before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min).\n"
        "Data: SYNTHETIC (bench/synthetic.py, seeded); rows/s are authorship rows per second "
        "of wall time."
    )


if __name__ == "__main__":
    main()
