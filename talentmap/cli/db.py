"""`talentmap db`: the graph schema and its contents."""

from __future__ import annotations

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
