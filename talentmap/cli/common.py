"""What every command shares: the consoles, clean failures, the settings, a progress display,
running one ingest job, and how times are shown."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph.driver import connect
from graph.errors import GraphError
from graph.unit_of_work import Transaction, Writer
from ingest.errors import IngestError
from ingest.jobs import JobReport, Source, run_job
from schema.settings import Settings

out = Console()
err = Console(stderr=True)
log = logging.getLogger("talentmap")


R = TypeVar("R")


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def clean_errors() -> Iterator[None]:
    """Known failures become one clear message and a non-zero exit, never a stack trace."""
    try:
        yield
    except IngestError as e:
        fail(str(e), code=2)
    except GraphError as e:
        fail(str(e))


def require_files(paths: Iterable[Path]) -> None:
    """Exit with code 2 at the first path that is not a file."""
    for path in paths:
        if not path.is_file():
            fail(f"{path}: no such file", code=2)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        fail(f"bad configuration: {problems}")


@contextmanager
def progress(unit: str) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar on a terminal; a log line per step elsewhere (CI, cron, pipes)."""
    if not sys.stderr.isatty():

        def log_step(done: int, total: int | None) -> None:
            err.print(f"{unit}: {done:,}" + (f"/{total:,}" if total else ""), highlight=False)

        yield log_step
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err) as progress:
        task = progress.add_task(unit, total=None)

        def advance(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def run_job_with_progress(
    writer: Writer,
    settings: Settings,
    source: Source[Any],
    files: list[Path],
    batch_size: int | None,
    strict: bool,
) -> JobReport:
    """Run one ingest job with a progress display and print its summary."""
    with progress(source.name) as advance:
        report = run_job(
            writer,
            source,
            files,
            quarantine_dir=settings.home / "quarantine",
            batch_size=batch_size or settings.ingest_batch_size,
            strict=strict,
            on_progress=lambda done: advance(done, None),
        )
    resumed = f", resumed run {report.resumed_from}" if report.resumed_from else ""
    stored = "written" if source.stores else "checked"
    out.print(
        f"{source.name}: read {report.read:,}, {stored} {report.written:,}, "
        f"quarantined {report.quarantined:,}"
        + (f", skipped {report.skipped:,} already committed" if report.skipped else "")
        + f" in {report.seconds:.1f}s (run {report.run_id}{resumed})"
        + ("" if source.stores else "; not stored: not part of the graph model"),
        highlight=False,
    )
    for problem in report.problems[:20]:
        err.print(f"  {problem}", highlight=False)
    if report.quarantined:
        more = " (first 20 listed)" if report.quarantined > 20 else ""
        err.print(
            f"{report.quarantined:,} unusable record(s) quarantined in "
            f"{report.quarantine_file}{more}",
            highlight=False,
        )
    return report


def read_graph(work: Callable[[Transaction], R]) -> R:
    """One unit of work on the configured graph, for a command that only reads. A write
    transaction for a read is harmless here: the CLI's unit of work is Writer."""
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        return Writer(driver, settings.neo4j_database)(work)


def print_table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    table = Table()
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def when(moment: datetime | None) -> str:
    """A stored time as people read it in tables (empty when there is none)."""
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")
