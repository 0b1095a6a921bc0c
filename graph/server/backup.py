"""Backup and restore of the local server's database with Neo4j's own tools:
`neo4j-admin database dump` and `database load` (ADMIN_CLASS on the server's jars).

Neo4j Community dumps and loads a database only while the server is stopped, so both stop our
server if it runs and start it again afterwards (a server that was stopped stays stopped).
The dump holds everything in the database: the graph, API keys, audit records, ingest runs
and migrations (not the server's password, which lives in its `dbms` folder). A server
TalentMap did not start is never stopped: `ExternalServerError` says what to run on it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph import server
from graph.errors import GraphError, ServerSetupError
from schema.settings import Settings


class ExternalServerError(GraphError):
    """The server at NEO4J_URI is not one TalentMap started: it must be dumped where it runs."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    seconds: float
    restarted: bool  # the server was running, was stopped for it and started again


def external_instructions(settings: Settings, verb: str) -> str:
    """What to run on a server TalentMap did not start, for `verb` (backup or restore)."""
    db = settings.neo4j_database
    return (
        f"NEO4J_URI {settings.neo4j_uri} names a Neo4j TalentMap did not start, so `talentmap "
        f"db {verb}` will not stop it. On the machine that runs it, with the server stopped "
        f"(`neo4j stop`), run `neo4j-admin database dump {db} --to-path=DIR` to back up, or "
        f"`neo4j-admin database load {db} --from-path=DIR --overwrite-destination=true` to "
        f"restore (DIR holds {db}.dump), then `neo4j start`; Enterprise Edition can back up "
        f"online with `neo4j-admin database backup {db} --to-path=DIR`; Aura has snapshots "
        "in its console."
    )


def _require_ours(settings: Settings, verb: str) -> server.Layout:
    lay = server.layout(settings)
    ours = settings.may_provision and (
        server.read_pid(lay) is not None
        or not server.port_open(settings.bolt_host, settings.bolt_port)
    )
    if not ours:
        raise ExternalServerError(external_instructions(settings, verb))
    if not (lay.conf_dir / "neo4j.conf").is_file():
        raise ServerSetupError(
            f"no local Neo4j in {lay.root} (TALENTMAP_HOME): run `talentmap neo4j start` once"
        )
    return lay


@contextmanager
def _offline(settings: Settings) -> Iterator[bool]:
    """Our server stopped for the block, started again after it if it ran before (True)."""
    was_running = server.read_pid(server.layout(settings)) is not None
    if was_running:
        server.stop(settings)
    try:
        yield was_running
    finally:
        if was_running:
            server.start(settings)


def _admin(
    settings: Settings, lay: server.Layout, args: list[str], stdin_path: Path | None
) -> None:
    java = server.find_java(settings)
    jars = server.ensure_jars(settings, java)
    server.write_config(settings, lay)
    argv = [str(java), "-cp", f"{jars}/*", server.ADMIN_CLASS, "database", *args]
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as stdin:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv,
            stdin=stdin,
            capture_output=True,
            text=True,
            env=server.neo4j_env(lay, java),
            cwd=lay.root,
            check=False,
        )
    if done.returncode != 0:
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        raise ServerSetupError(f"neo4j-admin database {args[0]} failed: {' / '.join(lines[-4:])}")


def backup(settings: Settings, path: Path) -> BackupReport:
    """Dump the database into the file `path` (replaced only once the dump is whole)."""
    lay = _require_ours(settings, "backup")
    started = time.monotonic()
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=".talentmap-dump-", dir=path.parent) as work,
        _offline(settings) as restarted,
    ):
        db = settings.neo4j_database
        _admin(settings, lay, ["dump", db, f"--to-path={work}"], None)
        os.replace(Path(work) / f"{db}.dump", path)
    return BackupReport(path, path.stat().st_size, time.monotonic() - started, restarted)


def restore(settings: Settings, path: Path) -> BackupReport:
    """Replace the database with the dump in `path` (from `backup`)."""
    if not path.is_file():
        raise ServerSetupError(f"{path}: no such backup file")
    lay = _require_ours(settings, "restore")
    started = time.monotonic()
    with _offline(settings) as restarted:
        db = settings.neo4j_database
        _admin(settings, lay, ["load", db, "--from-stdin", "--overwrite-destination=true"], path)
    return BackupReport(path, path.stat().st_size, time.monotonic() - started, restarted)
