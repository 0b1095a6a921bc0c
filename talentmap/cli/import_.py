"""`talentmap import`: bulk first loads through `neo4j-admin database import`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from talentmap.cli.common import clean_errors, err, load_settings, out
from talentmap.cli.derive import derive_all

import_app = typer.Typer(help="Bulk first loads into an empty database (neo4j-admin import).")


@import_app.command("openalex")
def import_openalex_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="OpenAlex works as JSON lines (.jsonl or .jsonl.gz), e.g. a snapshot's."
        ),
    ],
    strict: Annotated[bool, typer.Option(help="Write nothing if any record is unusable.")] = False,
    derive: Annotated[
        bool, typer.Option(help="Run the rest of the derived step afterwards (teams, ...).")
    ] = True,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Parsing processes (default: one per core).")
    ] = None,
    keep_files: Annotated[
        bool, typer.Option(help="Keep the CSV files in TALENTMAP_HOME/import afterwards.")
    ] = False,
) -> None:
    """Bulk-load OpenAlex works into the EMPTY database of the local server: parse them on
    every core with the same mapping as `talentmap ingest openalex`, choose the nodes and links
    and compute the ties of people (affiliations, co-authors, expertise) with DuckDB, stop the
    server, run `neo4j-admin database import full`, start it, apply the migrations'
    constraints and indexes, then (unless --no-derive) the rest of the derived step (teams,
    collaborations, rankings, heat, flows, evaluation).

    Unusable records are listed and kept with the reason in TALENTMAP_HOME/quarantine (exit
    code 2 at the end); --strict writes nothing instead. It refuses a database that holds data
    (it replaces the store); a re-run of the same files afterwards through `talentmap ingest
    openalex` changes nothing, and later files load through it as usual."""
    from ingest.bulk.load import import_openalex

    settings = load_settings()
    with clean_errors():
        started = time.perf_counter()
        report = import_openalex(
            settings,
            paths,
            strict=strict,
            workers=workers,
            keep_files=keep_files,
            on_step=lambda name: out.print(f"  {name} done", highlight=False),
        )
        steps = ", ".join(f"{name} {s:.1f}s" for name, s in report.seconds.items())
        out.print(
            f"openalex-works (bulk): read {report.read:,}, written {report.written:,} works "
            f"with {report.authorships:,} authorships, quarantined {report.quarantined:,} "
            f"in {time.perf_counter() - started:.1f}s ({steps}; run {report.run_id})",
            highlight=False,
        )
        for problem in report.problems[:20]:
            err.print(f"  {problem}", highlight=False)
        if report.quarantined:
            err.print(
                f"{report.quarantined:,} unusable record(s) quarantined in "
                f"{report.quarantine_file}",
                highlight=False,
            )
        if derive:
            with connect(settings) as driver:
                derive_all(Writer(driver, settings.neo4j_database), settings)
    if report.quarantined:
        raise typer.Exit(2)
