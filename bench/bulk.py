"""`bench/ingest --bulk`: the bulk first load (`talentmap import openalex`) next to the Bolt
path, on the same SYNTHETIC input in the same run, end to end to a served graph.

For each size: the Bolt path (migrations, `run_job` through Bolt, the derived step) into the
benchmark's server, then the bulk path (parse, select, neo4j-admin import, start, migrations,
then the same derived step) into a server of its own that never held data. Each row gives the
wall seconds, authorship rows per second, each step's share, the peak memory of this process,
of its children (parse workers, neo4j-admin) and of the Neo4j server, and the load average
when the row was measured (two cores shared with other work)."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from neo4j import Driver

from bench.synthetic import free_port, timed
from graph import admin, migrations, server
from graph.driver import connect
from graph.unit_of_work import Writer
from ingest.bulk.load import import_openalex
from ingest.derived.step import derive
from ingest.jobs import run_job
from ingest.openalex.entities import WORKS
from schema.settings import Settings


@dataclass
class PathRun:
    path: str
    rows: int
    steps: dict[str, float] = field(default_factory=dict)
    memory: str = ""
    load: float = 0.0
    store_mib: float = 0.0  # the database's files after the load (bulk path)
    derive_phases: dict[str, float] = field(default_factory=dict)  # DeriveReport.seconds

    @property
    def seconds(self) -> float:
        return sum(self.steps.values())

    def phases(self) -> str:
        return ", ".join(f"{k} {v:.1f} s" for k, v in self.derive_phases.items())

    def shares(self) -> str:
        total = self.seconds or 1.0
        return ", ".join(f"{k} {v / total:.0%}" for k, v in self.steps.items())


def _server_peak_mib(settings: Settings) -> float:
    pid = server.read_pid(server.layout(settings))
    if pid is None:
        return 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _memory(settings: Settings) -> str:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"{own:,.0f} / {children:,.0f} / {_server_peak_mib(settings):,.0f}"


def bolt_run(settings: Settings, driver: Driver, data: Path, rows: int, batch_size: int) -> PathRun:
    """Into the benchmark's server, emptied: migrations, the Bolt load, the derived step."""
    db = settings.neo4j_database
    run = PathRun("Bolt (ingest openalex)", rows)
    admin.wipe(driver, db)
    _, run.steps["migrate"] = timed(migrations.migrate, driver, db)
    writer = Writer(driver, db)
    _, run.steps["load"] = timed(
        run_job,
        writer,
        WORKS,
        [data],
        quarantine_dir=settings.home / "quarantine",
        batch_size=batch_size,
    )
    derived, run.steps["derive"] = timed(derive, writer, max_authors=100)
    run.derive_phases = derived.seconds
    run.memory = _memory(settings)
    run.load = os.getloadavg()[0]
    return run


def extrapolated_run(measured: list[PathRun], rows: int) -> PathRun:
    """The Bolt path at `rows`, not measured: linear from the largest Bolt run measured."""
    bolt = max((run for run in measured if run.path.startswith("Bolt")), key=lambda r: r.rows)
    run = PathRun(f"Bolt, extrapolated linearly from {bolt.rows:,}", rows)
    run.steps["extrapolated"] = bolt.seconds * rows / bolt.rows
    run.memory, run.load = "-", os.getloadavg()[0]
    return run


def bulk_run(home: Path, data: Path, rows: int) -> PathRun:
    """Into a server of its own under `home` (never started): the bulk import, the derived
    step; the server is stopped afterwards."""
    settings = Settings(home=home, neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
    run = PathRun("bulk (import openalex)", rows)
    try:
        report = import_openalex(settings, [data])
        run.steps.update(report.seconds)
        store = server.layout(settings).data_dir / "databases" / settings.neo4j_database
        run.store_mib = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 2**20
        with connect(settings) as driver:
            started = time.perf_counter()
            derived = derive(Writer(driver, settings.neo4j_database), max_authors=100)
            run.steps["derive"] = time.perf_counter() - started
            run.derive_phases = derived.seconds
        run.memory = _memory(settings)
        run.load = os.getloadavg()[0]
    finally:
        server.stop(settings)
    return run
