"""`talentmap neo4j`: run the local Neo4j server (provisioned from Maven Central)."""

from __future__ import annotations

import typer
from rich.table import Table

from graph import server
from schema.settings import Settings
from talentmap.cli.common import (
    clean_errors,
    fail,
    load_settings,
    out,
)

neo4j_app = typer.Typer(help="Run the local Neo4j server (provisioned from Maven Central).")


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local Neo4j and wait until Bolt answers.

    The first start fetches Neo4j Community through Maven into ~/.cache/talentmap (later starts
    reuse it) and generates a password kept in TALENTMAP_HOME. Starting a running server does
    nothing. When NEO4J_URI names a server TalentMap did not start, nothing is provisioned.
    """
    settings = load_settings()
    with clean_errors():
        if not settings.may_provision:
            state = server.status(settings)
            out.print(f"NEO4J_URI {settings.neo4j_uri} is an external server; nothing to start.")
            if not state.running:
                fail(f"and it does not answer at {settings.neo4j_uri}")
            return
        before = server.read_pid(server.layout(settings))
        if before is None and not server.port_open(settings.bolt_host, settings.bolt_port):
            out.print(f"Starting Neo4j {settings.neo4j_version} on {settings.neo4j_uri} ...")
        state = server.start(settings)
    if before is not None:
        out.print(f"Neo4j is already running (pid {before}).")
    elif not state.managed:
        out.print(f"A Neo4j not started by TalentMap answers at {state.uri}; using it.")
    _print_status(state, settings)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly (its data stays in TALENTMAP_HOME). Safe when stopped."""
    settings = load_settings()
    with clean_errors():
        stopped = server.stop(settings)
    out.print("Neo4j stopped." if stopped else "Neo4j was not running (nothing to stop).")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether Neo4j runs, its version, URI, data directory and log file.

    Exits 0 when it answers, 1 when it does not.
    """
    settings = load_settings()
    with clean_errors():
        state = server.status(settings)
    _print_status(state, settings)
    if not state.running:
        raise typer.Exit(1)


def _print_status(state: server.ServerStatus, settings: Settings) -> None:
    lay = server.layout(settings)
    table = Table(show_header=False, box=None)
    table.add_row("running", "yes" if state.running else "no")
    table.add_row("version", state.version or "-")
    table.add_row("uri", state.uri)
    table.add_row("managed by TalentMap", "yes" if state.managed else "no")
    if settings.may_provision:
        table.add_row("pid", str(state.pid) if state.pid else "-")
        table.add_row("data directory", str(lay.data_dir))
        table.add_row("log file", str(lay.server_log))
        table.add_row("password file", str(settings.password_file))
    out.print(table)
