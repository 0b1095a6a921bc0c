"""`talentmap cases`: recruitment cases from the command line: export them, import an
existing spreadsheet of them (the API opens, changes and moves cases)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from talentmap.cli.common import (
    clean_errors,
    err,
    fail,
    load_settings,
    out,
    read_graph,
    run_job_with_progress,
)

cases_app = typer.Typer(
    help="Recruitment cases: export them (CSV, XLSX), import a spreadsheet of them. Cases are "
    "opened and moved through the API (createCase, updateCase, moveCase), which versions and "
    "audits every change."
)


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@cases_app.command("export")
def cases_export(
    path: Annotated[
        Path | None, typer.Argument(help="The file to write (default: CSV on stdout).")
    ] = None,
    format: Annotated[
        SheetFormat | None,
        typer.Option("--format", help="csv or xlsx (default: by the file's suffix, else csv)."),
    ] = None,
) -> None:
    """Every case, one row per case, oldest first, in the columns `cases import` reads (links
    joined by spaces; CSV in UTF-8 with a byte-order mark, so spreadsheets read the Chinese).
    Reads only: safe to re-run."""
    from graph.read.case import all_cases
    from schema import sheets
    from schema.case import EXPORT_COLUMNS, export_row

    chosen = format or (
        SheetFormat.XLSX if path and path.suffix.lower() == ".xlsx" else SheetFormat.CSV
    )
    if chosen is SheetFormat.XLSX and path is None:
        fail("an XLSX export needs a file: talentmap cases export --format xlsx PATH")
    found = read_graph(all_cases)
    rows = [export_row(c) for c in found]
    if chosen is SheetFormat.XLSX:
        assert path is not None
        path.write_bytes(sheets.to_xlsx(EXPORT_COLUMNS, rows, sheet="cases"))
    elif path is None:
        sys.stdout.write(sheets.to_csv(EXPORT_COLUMNS, rows))
    else:
        path.write_text(sheets.to_csv(EXPORT_COLUMNS, rows), encoding="utf-8-sig")
    err.print(f"{len(found)} case(s)" + (f" written to {path}" if path else ""), highlight=False)


@cases_app.command("import")
def cases_import(
    path: Annotated[Path, typer.Argument(help="A .csv or .xlsx spreadsheet of cases.")],
    importer: Annotated[
        str, typer.Option("--as", help="Who imports: the audit's and events' actor.")
    ] = "importer",
) -> None:
    """Import a spreadsheet of cases (the columns are in the README and ingest/cases.py).
    Rows that cannot be used are quarantined with their file, row and reason, and the exit
    code is 3; the rest are written, each with its CREATED event and audit entry. Safe to
    re-run: a case already in the graph (by id) is left as it is."""
    from ingest.cases import cases_source

    if not importer.strip():
        fail("--as must not be empty")
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        source, counts = cases_source(writer, importer=importer.strip())
        report = run_job_with_progress(writer, settings, source, [path], None, False)
    out.print(
        f"cases: {counts.created} new, {counts.existing} already in the graph (left as they are)",
        highlight=False,
    )
    if report.quarantined:
        raise typer.Exit(3)
