"""`talentmap import openalex`: the bulk first load of OpenAlex works into an empty database.

Steps, each timed in the report: parse (every record through the incremental path's mapping,
on every core, into staging files; unusable records quarantined as `ingest openalex` does),
select (DuckDB: what the graph keeps, as neo4j-admin's CSV files), stop the local server,
import (`neo4j-admin database import full`), start, and finish (the migrations' constraints
and indexes, the empty lists the CSV format cannot hold, the run's `IngestRun` record). The
graph is then the one `talentmap ingest openalex` would have written (before its derived step,
which the caller runs next), so later loads go through Bolt as usual."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph import migrations, server
from graph.driver import connect
from graph.unit_of_work import Writer
from graph.write import bulk, ingest_run
from ingest.bulk import tables
from ingest.bulk.columns import ARRAY_DELIMITER
from ingest.bulk.parse import parse_all
from ingest.bulk.transform import CsvFiles, write_import_files
from ingest.errors import IngestError, InvalidInputError
from ingest.jobs import Problem, Quarantine, fingerprint
from schema.settings import Settings

SOURCE = "openalex-works"  # the incremental job's name: its runs and this one's side by side


class BulkImportError(IngestError):
    """The bulk load cannot run here (a server it does not manage, a database not empty)."""


@dataclass
class BulkReport:
    files: list[Path]
    run_id: str = ""
    read: int = 0
    written: int = 0
    authorships: int = 0
    problems: list[Problem] = field(default_factory=list)
    quarantine_file: Path | None = None
    rows: dict[str, int] = field(default_factory=dict)  # rows of each import file
    seconds: dict[str, float] = field(default_factory=dict)  # wall seconds of each step
    import_summary: str = ""

    @property
    def quarantined(self) -> int:
        return len(self.problems)


def _check_target(settings: Settings) -> None:
    """The local server with an empty database (started to look, unless it never held one)."""
    if not settings.may_provision:
        raise BulkImportError(
            f"{settings.neo4j_uri} is not a server TalentMap runs here: the bulk import stops "
            "the server and replaces its database. On another server, load with "
            "`talentmap ingest openalex`, or run neo4j-admin database import there."
        )
    store = server.layout(settings).data_dir / "databases" / settings.neo4j_database
    if server.read_pid(server.layout(settings)) is None and not store.exists():
        return  # never created: empty, and no server to start and stop again
    server.start(settings)
    with connect(settings) as driver:
        if bulk.holds_data(driver, settings.neo4j_database):
            raise BulkImportError(
                f"the database {settings.neo4j_database!r} is not empty: the bulk import is "
                "for a first load (it replaces the database); load into it with `talentmap "
                "ingest openalex`, or empty it first with `talentmap db wipe`."
            )


def _parse(
    paths: Sequence[Path],
    stage: Path,
    report: BulkReport,
    quarantine: Quarantine,
    workers: int | None,
) -> None:
    for result in parse_all(paths, stage, workers):
        report.read += result.records
        report.written += result.works
        report.authorships += result.authorships
        for raw, reason in result.problems:
            report.problems.append(Problem(raw.path, raw.position, reason))
            quarantine.add(raw, reason)


def import_openalex(
    settings: Settings,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    workers: int | None = None,
    keep_files: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> BulkReport:
    """Bulk-load the works of `paths` into the empty database of the local server; raises
    InvalidInputError for a missing file or (strict) any unusable record, before the
    database is touched, and BulkImportError when the target is not an empty local one."""
    for path in paths:
        if not path.is_file():
            raise InvalidInputError(f"{path}: no such file")
    report = BulkReport(files=list(paths))
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        report.seconds[name] = time.perf_counter() - clock
        clock = time.perf_counter()
        if on_step is not None:
            on_step(name)

    _check_target(settings)
    step("check")
    folder = settings.home / "import" / datetime.now(UTC).strftime("openalex-%Y%m%dT%H%M%S%f")
    quarantine = Quarantine(settings.home / "quarantine", SOURCE)
    try:
        _parse(paths, folder / "stage", report, quarantine, workers)
        report.quarantine_file = quarantine.close()
        if strict and report.problems:
            listed = "\n".join(f"  {p}" for p in report.problems[:20])
            raise InvalidInputError(
                f"{report.quarantined} unusable record(s); nothing was written (--strict); "
                f"quarantined in {report.quarantine_file}:\n{listed}"
            )
        step("parse")
        files = write_import_files(
            folder / "stage", folder / "csv", max_authors=settings.max_authors_for_ties
        )
        report.rows = files.rows
        shutil.rmtree(folder / "stage")
        step("select")
        _import(settings, files, folder, report, step)
        _finish(settings, paths, report)
        step("finish")
    finally:
        quarantine.close()
        if not keep_files:
            shutil.rmtree(folder, ignore_errors=True)
    return report


def _import(
    settings: Settings,
    files: CsvFiles,
    folder: Path,
    report: BulkReport,
    step: Callable[[str], None],
) -> None:
    server.stop(settings)
    step("stop")
    report.import_summary = server.import_full(
        settings,
        server.ImportFiles(
            nodes=tuple(f.argument() for f in files.nodes),
            relationships=tuple(f.argument() for f in files.relationships),
            array_delimiter=ARRAY_DELIMITER,
        ),
        folder / "import.report",
    )
    step("import")
    server.start(settings)
    step("start")


def _finish(settings: Settings, paths: Sequence[Path], report: BulkReport) -> None:
    """Constraints and indexes, the empty lists, and the run's record."""
    database = settings.neo4j_database
    with connect(settings) as driver:
        migrations.migrate(driver, database, schema_only=True)
        bulk.fill_empty_lists(driver, database, tables.EMPTY_LISTS)
        writer = Writer(driver, database)
        report.run_id = writer(
            ingest_run.start_run, SOURCE, [str(p) for p in paths], fingerprint(paths)
        )
        writer(
            ingest_run.finish_run,
            report.run_id,
            read=report.read,
            written=report.written,
            quarantined=report.quarantined,
            seconds=sum(report.seconds.values()),
        )
