"""`talentmap cases`: recruitment cases from the command line (the API writes them)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from talentmap.cli.common import clean_errors, err, load_settings

cases_app = typer.Typer(
    help="Recruitment cases: export them. Cases are opened and moved through the API "
    "(createCase, updateCase, moveCase), which versions and audits every change."
)

COLUMNS = (
    "id",
    "target_kind",
    "target_id",
    "district",
    "park",
    "programme",
    "tier",
    "owner",
    "stage",
    "drop_reason",
    "priority",
    "next_action",
    "next_action_due",
    "notes",
    "links",
    "version",
    "created_at",
    "updated_at",
    "landed_at",
)


@cases_app.command("export")
def cases_export(
    out: Annotated[
        Path | None, typer.Option("--out", help="CSV file to write (default: stdout).")
    ] = None,
) -> None:
    """Every case as CSV (UTF-8 with a byte-order mark, so spreadsheets read the Chinese),
    one row per case, oldest first; links joined by spaces. Reads only: safe to re-run."""
    from graph.read.case import all_cases

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        found = Writer(driver, settings.neo4j_database)(all_cases)
    handle = out.open("w", encoding="utf-8-sig", newline="") if out else sys.stdout
    try:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for case in found:
            row = case.model_dump(mode="json")
            row["links"] = " ".join(row["links"])
            writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    finally:
        if out:
            handle.close()
    err.print(f"{len(found)} case(s)" + (f" written to {out}" if out else ""))
