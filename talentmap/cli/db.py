"""`talentmap db`: the graph schema and its contents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from graph import admin, migrations
from graph.driver import connect
from talentmap.cli.common import (
    clean_errors,
    fail,
    load_settings,
    out,
)

db_app = typer.Typer(help="The graph schema and its contents.")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply the schema migrations not yet applied (constraints, indexes, full-text indexes).

    Each is recorded in the graph, so a re-run applies nothing.
    """
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        applied = migrations.migrate(
            driver,
            settings.neo4j_database,
            on_apply=lambda m: out.print(f"applied {m.version:03d} {m.name}"),
        )
        total = max(migrations.applied(driver, settings.neo4j_database), default=0)
    out.print(f"{len(applied)} migration(s) applied now; schema at version {total}.")


@db_app.command("stats")
def db_stats() -> None:
    """Print node counts by label and relationship counts by type."""
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        counts = admin.stats(driver, settings.neo4j_database)
    for title, rows in (("label", counts.nodes), ("relationship type", counts.relationships)):
        table = Table(title=None)
        table.add_column(title)
        table.add_column("count", justify="right")
        for name, count in rows.items():
            table.add_row(name, f"{count:,}")
        out.print(table)
    out.print(f"{counts.total_nodes:,} nodes, {counts.total_relationships:,} relationships")


@db_app.command("wipe")
def db_wipe(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: delete everything.")] = False,
) -> None:
    """Delete every node, relationship, constraint and index (then run `db migrate`)."""
    if not yes:
        fail("this deletes the whole graph; pass --yes to confirm")
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        admin.wipe(driver, settings.neo4j_database)
    out.print("The graph is empty.")


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="The dump file to write (replaced if it exists).")],
) -> None:
    """Dump the whole database (graph, API keys, audit) into PATH with `neo4j-admin database
    dump`. The local server is stopped for it and started again if it was running; a server
    TalentMap did not start is left alone, with the commands to run on it. Safe to re-run: PATH
    is replaced only once the new dump is whole."""
    from graph.server.backup import backup

    settings = load_settings()
    with clean_errors():
        report = backup(settings, path)
    out.print(
        f"Backed up {settings.neo4j_database} to {report.path} ({report.bytes:,} bytes, "
        f"{report.seconds:.1f} s" + ("; Neo4j restarted)" if report.restarted else ")"),
        highlight=False,
    )


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="A dump written by `talentmap db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: replace the whole graph.")] = False,
) -> None:
    """Replace the database with the dump in PATH (`neo4j-admin database load`), stopping the
    local server for it and starting it again if it was running. Re-running it loads the same
    dump again: the same graph."""
    from graph.server.backup import restore

    if not yes:
        fail("this replaces the whole graph with the backup; pass --yes to confirm")
    settings = load_settings()
    with clean_errors():
        report = restore(settings, path)
    out.print(
        f"Restored {settings.neo4j_database} from {report.path} ({report.seconds:.1f} s"
        + ("; Neo4j restarted)" if report.restarted else ")"),
        highlight=False,
    )
