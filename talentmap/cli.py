"""The `talentmap` command line: the local Neo4j, the graph schema, ingestion and the API."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph import admin, migrations, server
from graph.driver import connect
from graph.errors import GraphError
from graph.unit_of_work import Writer
from ingest.errors import IngestError
from ingest.jobs import JobReport, Source, run_job
from schema.apikey import Role, key_hash, new_key_id, new_secret
from talentmap.settings import Settings

app = typer.Typer(
    help="TalentMap: a knowledge graph of the world's science and technology talent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(help="Run the local Neo4j server (provisioned from Maven Central).")
db_app = typer.Typer(help="The graph schema and its contents.")
ingest_app = typer.Typer(help="Load data into the graph.")
apikey_app = typer.Typer(
    help="API keys for the GraphQL API: create (shown once), list, revoke. Only a key's "
    "SHA-256 is stored."
)
app.add_typer(neo4j_app, name="neo4j", no_args_is_help=True)
app.add_typer(db_app, name="db", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest", no_args_is_help=True)
app.add_typer(apikey_app, name="apikey", no_args_is_help=True)
eval_app = typer.Typer(help="Measure entity resolution against gold data (no database needed).")
app.add_typer(eval_app, name="eval", no_args_is_help=True)
curate_app = typer.Typer(
    help="Curators' identity decisions: merge and split scientists. Decisions are stored in "
    "the graph and re-applied after every ingest, so they survive reloads."
)
app.add_typer(curate_app, name="curate", no_args_is_help=True)

out = Console()
err = Console(stderr=True)
log = logging.getLogger("talentmap")


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


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        fail(f"bad configuration: {problems}")


# --- neo4j -----------------------------------------------------------------------------------


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


# --- db --------------------------------------------------------------------------------------


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


# --- ingest ----------------------------------------------------------------------------------


@ingest_app.command("openalex")
def ingest_openalex(
    paths: Annotated[
        list[Path],
        typer.Argument(help="OpenAlex entity records as JSON lines (.jsonl or .jsonl.gz)."),
    ],
    entity: Annotated[
        str | None,
        typer.Option(help="The entity the files hold (default: detected from the first id)."),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="Records per transaction (default from settings).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Write nothing if any record is unusable.")] = False,
    derive: Annotated[
        bool, typer.Option(help="Recompute the derived ties afterwards (co-authors, ...).")
    ] = True,
) -> None:
    """Load OpenAlex entity files (works, authors, institutions, sources, funders, topics and
    their domains, fields and subfields; publishers and concepts are only checked), with the
    entity detected from the ids or given by --entity; then recompute the ties they change.

    Unusable records are listed, kept with the reason in TALENTMAP_HOME/quarantine, and the
    job goes on (exit code 2 at the end); --strict writes nothing instead. Records are upserted
    on their ids, so a re-run changes nothing, and a re-run after an interrupted run resumes.
    """
    from ingest.openalex_entities import SOURCES, detect_entity

    settings = load_settings()
    groups: dict[str, list[Path]] = {}
    with clean_errors():
        for path in paths:
            if not path.is_file():
                fail(f"{path}: no such file", code=2)
            groups.setdefault(entity or detect_entity(path), []).append(path)
    unsupported = sorted(set(groups) - set(SOURCES))
    if unsupported:
        fail(f"OpenAlex {', '.join(unsupported)} records are not supported yet", code=2)
    quarantined = 0
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        for name, files in groups.items():
            report = _run(writer, settings, SOURCES[name], files, batch_size, strict)
            quarantined += report.quarantined
        if derive:
            _derive(writer, settings)
    if quarantined:
        raise typer.Exit(2)


@ingest_app.command("openalex-api")
def ingest_openalex_api(
    entity: Annotated[str, typer.Option(help="The OpenAlex entity to fetch.")] = "works",
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            metavar="KEY:VALUE",
            help="An OpenAlex filter, key:value (e.g. authorships.institutions.ror:"
            "https://ror.org/05t8y2r12); repeat it or comma-join several.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="Only records OpenAlex updated on or after this ISO date (YYYY-MM-DD); "
            "sent as the from_updated_date filter.",
        ),
    ] = None,
    max_records: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many records (default: all).")
    ] = None,
    per_page: Annotated[int, typer.Option(min=1, max=200, help="Records per API page.")] = 100,
    batch_size: Annotated[
        int | None, typer.Option(help="Records per transaction (default from settings).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Write nothing if any record is unusable.")] = False,
    derive: Annotated[
        bool, typer.Option(help="Recompute the derived ties afterwards (co-authors, ...).")
    ] = True,
) -> None:
    """Fetch OpenAlex records from the REST API (those matching --filter and updated since
    --since) and load them as `talentmap ingest openalex` does; then recompute the ties.

    Pages are fetched with cursors (429s and server errors retried with backoff) into a spool
    file in TALENTMAP_HOME/spool, which the same job then loads: unusable records are
    quarantined (exit code 2), records are upserted on their ids, so a re-run or overlapping
    --since windows change nothing. An interrupted load resumes with `talentmap ingest
    openalex <spool file>`, without asking OpenAlex again. Uses TALENTMAP_OPENALEX_API_KEY and
    TALENTMAP_OPENALEX_MAILTO when set.
    """
    from ingest.openalex_api import fetch_to_spool, parse_since
    from ingest.openalex_entities import SOURCES

    settings = load_settings()
    if entity not in SOURCES:
        fail(f"OpenAlex {entity} records are not supported yet", code=2)
    with clean_errors(), _progress(f"openalex-{entity} (API)") as advance:
        spool = fetch_to_spool(
            settings,
            entity,
            filters or [],
            parse_since(since) if since else None,
            per_page=per_page,
            max_records=max_records,
            on_progress=advance,
        )
    out.print(
        f"openalex-{entity} API: fetched {spool.records:,} record(s) in {spool.pages:,} "
        f"page(s), {spool.requests:,} request(s) ({spool.retries:,} retried) in "
        f"{spool.seconds:.1f}s into {spool.path}",
        highlight=False,
    )
    if not spool.complete:
        err.print(
            f"stopped at --max-records {spool.records:,}; {spool.total or 0:,} match the query",
            highlight=False,
        )
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        report = _run(writer, settings, SOURCES[entity], [spool.path], batch_size, strict)
        if derive:
            _derive(writer, settings)
    if report.quarantined:
        raise typer.Exit(2)


@ingest_app.command("ror")
def ingest_ror(
    paths: Annotated[
        list[Path],
        typer.Argument(help="ROR registry dumps as published: .json, .json.gz or .zip."),
    ],
    batch_size: Annotated[
        int | None, typer.Option(help="Records per transaction (default from settings).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Write nothing if any record is unusable.")] = False,
) -> None:
    """Load the ROR registry (schema v2 and v1): institutions with all their names, labels in
    every language, acronyms, aliases, types, status, geo and external ids, and their parent,
    child, related and successor relationships. OpenAlex institutions join on the ROR id. The
    newest record of each institution wins, so a re-run changes nothing."""
    from ingest.ror import ROR

    settings = load_settings()
    with clean_errors():
        for path in paths:
            if not path.is_file():
                fail(f"{path}: no such file", code=2)
    with clean_errors(), connect(settings) as driver:
        report = _run(
            Writer(driver, settings.neo4j_database), settings, ROR, paths, batch_size, strict
        )
    if report.quarantined:
        raise typer.Exit(2)


@ingest_app.command("text")
def ingest_text_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Documents (.txt, .md, .html; UTF-8; English or Chinese) or folders of them."
        ),
    ],
) -> None:
    """Read talent bios, news, award and recruitment lists into the graph: each document, the
    people, institutions, topics, titles and years it mentions (with character offsets and
    confidence), and candidate facts (a person's AFFILIATED_WITH and RESEARCHES edges,
    source "text"). People are linked to existing scientists by the disambiguator, or created.

    Text never changes data from a structured source. A document already ingested (same bytes)
    is skipped, so a re-run changes nothing. Unreadable or non-UTF-8 files are listed,
    quarantined in TALENTMAP_HOME/quarantine and skipped (exit code 2 at the end); the other
    documents are still written.
    """
    from ingest.text_ingest import ingest_text

    settings = load_settings()
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or folder", code=2)
    with clean_errors(), connect(settings) as driver, _progress("documents") as advance:
        report = ingest_text(
            Writer(driver, settings.neo4j_database),
            paths,
            quarantine_dir=settings.home / "quarantine",
            on_progress=advance,
        )
    out.print(
        f"text: {report.files:,} documents, written {report.written:,}, unchanged "
        f"{report.unchanged:,}, unusable {len(report.problems):,}; {report.mentions:,} "
        f"mentions, {report.linked_people:,} people linked, {report.new_scientists:,} new "
        "scientists",
        highlight=False,
    )
    for problem in report.problems[:20]:
        err.print(f"  {problem.path}: {problem.message}", highlight=False)
    if report.problems:
        err.print(
            f"{len(report.problems):,} unusable document(s) quarantined in "
            f"{report.quarantine_file}",
            highlight=False,
        )
        raise typer.Exit(2)


@ingest_app.command("taxonomy")
def ingest_taxonomy(
    path: Annotated[
        Path | None,
        typer.Argument(help="OpenAlex topic taxonomy CSV (default: the bundled one)."),
    ] = None,
) -> None:
    """Load the OpenAlex topic taxonomy: domains, fields, subfields, topics (with descriptions,
    keywords and earlier names) and PART_OF between them. Upserts on ids: safe to re-run."""
    from ingest.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy

    settings = load_settings()
    with clean_errors(), connect(settings) as driver, _progress("topics") as advance:
        report = load_taxonomy(
            Writer(driver, settings.neo4j_database),
            path or DEFAULT_TAXONOMY_PATH,
            batch_size=settings.ingest_batch_size,
            on_progress=advance,
        )
    out.print(
        f"taxonomy: {report.domains} domains, {report.fields} fields, "
        f"{report.subfields} subfields, {report.topics:,} topics",
        highlight=False,
    )


@ingest_app.command("industries")
def ingest_industries(
    path: Annotated[
        Path | None,
        typer.Argument(help="Industrial-chain YAML (default: the bundled data/industries.yaml)."),
    ] = None,
    derive: Annotated[
        bool,
        typer.Option(help="Rank the segments' talent afterwards (the derived step)."),
    ] = True,
) -> None:
    """Load the industrial chains: industries, their segments in chain order, and the topics
    each segment needs. The file is the truth: segments it no longer lists are removed, so a
    re-run changes nothing. Topic ids not in the graph are reported (load the taxonomy first).
    Then the derived step ranks each segment's scientists, teams and institutions (talentChain
    reads those rankings).
    """
    from ingest.industries import DEFAULT_INDUSTRIES_PATH, load_industries

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        report = load_industries(writer, path or DEFAULT_INDUSTRIES_PATH)
        out.print(
            f"industries: {report.industries} industries, {report.segments} segments, "
            f"{report.needs} NEEDS links",
            highlight=False,
        )
        unknown = [*report.unknown_topic_ids, *report.unknown_subfield_ids]
        if unknown:
            err.print(
                f"warning: {len(unknown)} topic/subfield id(s) are not in the graph (run "
                f"`talentmap ingest taxonomy` first?): {', '.join(unknown[:20])}",
                highlight=False,
            )
        if derive:
            _derive(writer, settings)


@ingest_app.command("region")
def ingest_region(
    path: Annotated[
        Path | None,
        typer.Argument(help="Region profile YAML (default: the bundled Suzhou profile)."),
    ] = None,
) -> None:
    """Load a home-region profile: country, city, districts with their parks, the
    industries each focuses on and the GeoNames cities each covers (how institutions that ROR
    places in those cities count as in the region). The file is the truth for its city: safe
    to re-run."""
    from ingest.region import DEFAULT_REGION_PATH, load_region

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        report = load_region(Writer(driver, settings.neo4j_database), path or DEFAULT_REGION_PATH)
    out.print(
        f"region: {report.districts} districts, {report.focuses_on} FOCUSES_ON links, "
        f"{report.part_of} GeoNames cities PART_OF its places",
        highlight=False,
    )
    if report.unknown_industry_ids:
        err.print(
            "warning: industries not in the graph (run `talentmap ingest industries` first?): "
            + ", ".join(report.unknown_industry_ids),
            highlight=False,
        )


@app.command("derive")
def derive_command() -> None:
    """Recompute the derived ties (affiliations from authorships, co-authors, institution
    collaborations, expertise) and the teams of every institution loads have marked. Safe to
    re-run."""
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        _derive(Writer(driver, settings.neo4j_database), settings)


def _run(
    writer: Writer,
    settings: Settings,
    source: Source[Any],
    files: list[Path],
    batch_size: int | None,
    strict: bool,
) -> JobReport:
    """Run one ingest job with a progress display and print its summary."""
    with _progress(source.name) as advance:
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


def _derive(writer: Writer, settings: Settings, *, match: bool = True) -> None:
    from ingest.derive import derive

    if match:
        _match_authorships(writer)
    with _progress("derived ties") as advance:
        report = derive(
            writer,
            max_authors=settings.max_authors_for_ties,
            on_progress=lambda what, done: advance(done, None),
        )
    out.print(
        f"derived ties recomputed for {report.scientists:,} scientists and "
        f"{report.institutions:,} institutions ({report.works:,} changed works); "
        f"{report.teams:,} teams found at those institutions; "
        f"{report.segments:,} chain segments ranked",
        highlight=False,
    )
    ids = report.identities
    if ids.aliases or ids.restored:
        out.print(
            f"curators' decisions: {ids.aliases:,} scientist id(s) merged into others "
            f"({ids.absorbed:,} absorbed now, {ids.restored:,} restored by splits)",
            highlight=False,
        )


@contextmanager
def _progress(unit: str) -> Iterator[Callable[[int, int | None], None]]:
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


# --- apikey ----------------------------------------------------------------------------------


@apikey_app.command("create")
def apikey_create(
    role: Annotated[Role, typer.Option(help="What the key may see: viewer < recruiter < admin.")],
    name: Annotated[str, typer.Option(help="Who or what uses it, e.g. 'frontend' or 'ana'.")],
) -> None:
    """Create an API key and print it once, alone on stdout (everything else goes to stderr).

    Only its SHA-256 is stored: a lost key cannot be shown again; create another and revoke
    the old one. Every run makes a new key.
    """
    from graph.repositories.apikey import create_api_key

    if not name.strip():
        fail("--name must not be empty")
    settings = load_settings()
    secret = new_secret()
    with clean_errors(), connect(settings) as driver:
        key = Writer(driver, settings.neo4j_database)(
            create_api_key,
            key_id=new_key_id(),
            name=name.strip(),
            role=role,
            digest=key_hash(secret),
        )
    err.print(
        f"Created API key {key.id} ({key.name}, role {key.role}). It is shown only this once; "
        "send it as 'Authorization: Bearer KEY'.",
        highlight=False,
    )
    print(secret)


@apikey_app.command("list")
def apikey_list() -> None:
    """List the API keys: id, name, role, created, revoked, last used (never the keys)."""
    from graph.repositories.apikey import list_api_keys

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        # A write transaction for a read is harmless here: the CLI's unit of work is Writer.
        keys = Writer(driver, settings.neo4j_database)(list_api_keys)
    table = Table()
    for column in ("id", "name", "role", "created", "revoked", "last used"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            str(key.role),
            _when(key.created_at),
            _when(key.revoked_at),
            _when(key.last_used_at),
        )
    out.print(table)
    err.print(f"{len(keys)} key(s), {sum(not k.revoked for k in keys)} active", highlight=False)


@apikey_app.command("revoke")
def apikey_revoke(
    ref: Annotated[str, typer.Argument(metavar="ID_OR_NAME", help="A key's id, or its name.")],
) -> None:
    """Revoke a key by id, or by name when exactly one active key has that name.

    The API refuses it within TALENTMAP_API_KEY_CACHE_SECONDS (5 s by default). Revoking a
    revoked key changes nothing.
    """
    from graph.repositories.apikey import find_api_keys, revoke_api_key

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        found = writer(find_api_keys, ref)
        by_id = [k for k in found if k.id == ref]
        if by_id:
            found = by_id
        if not found:
            fail(f"no key has the id {ref!r}, and no active key has that name")
        if len(found) > 1:
            ids = ", ".join(k.id for k in found)
            fail(f"{len(found)} active keys are named {ref!r} ({ids}); revoke one by its id")
        already = found[0].revoked
        key = writer(revoke_api_key, found[0].id)
    assert key is not None  # found just now; keys are never deleted
    state = "was already revoked" if already else "is revoked"
    out.print(f"API key {key.id} ({key.name}, role {key.role}) {state}.", highlight=False)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


# --- curate ----------------------------------------------------------------------------------

_CURATOR = typer.Option(help="Who decides (recorded with the decision).", envvar="USER")


def _curate(kind: str, left: str, right: str, reason: str | None, curator: str) -> None:
    from api.ids import IdKind, parse_id
    from graph.repositories.identity import CurationConflictError, curate, find_identity
    from schema.identity import IdentityDecision, IdentityDecisionKind, IdentityScope
    from schema.ids import InvalidIdError

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        sides: list[str] = []
        for raw in (left, right):
            try:
                key = parse_id(IdKind.SCIENTIST, raw)
            except InvalidIdError as e:
                fail(str(e), code=2)
            found = writer(find_identity, key)
            if found is None:
                fail(f"no scientist has the id {raw!r}", code=2)
            sides.append(found)
        if sides[0] == sides[1]:
            fail(f"{left!r} and {right!r} are the same scientist", code=2)
        decision = IdentityDecision(
            kind=IdentityDecisionKind(kind),
            scope=IdentityScope.SCIENTIST,
            left=(sides[0],),
            right=(sides[1],),
            curator=curator.strip() or "cli",
            reason=reason,
            decided_at=datetime.now(UTC),
        )
        try:
            writer(curate, decision)
        except CurationConflictError as e:
            fail(str(e))
        out.print(f"{kind} {sides[0]} {sides[1]} recorded ({decision.id})", highlight=False)
        _derive(writer, settings)


@curate_app.command("merge")
def curate_merge(
    keep: Annotated[str, typer.Argument(help="The scientist that stays (any identifier).")],
    other: Annotated[str, typer.Argument(help="The scientist merged into it (any identifier).")],
    reason: Annotated[str | None, typer.Option(help="Why: recorded with the decision.")] = None,
    curator: Annotated[str, _CURATOR] = "cli",
) -> None:
    """Merge OTHER into KEEP: one scientist with the works, affiliations and identifiers of
    both (OTHER's OpenAlex id and ORCID find KEEP). Then recompute the derived ties."""
    _curate("merge", keep, other, reason, curator)


@curate_app.command("split")
def curate_split(
    a: Annotated[str, typer.Argument(help="One scientist (any identifier).")],
    b: Annotated[str, typer.Argument(help="The other scientist (any identifier).")],
    reason: Annotated[str | None, typer.Option(help="Why: recorded with the decision.")] = None,
    curator: Annotated[str, _CURATOR] = "cli",
) -> None:
    """Split A and B: undo a merge of the two (each gets its own works and identifiers back)
    and keep them apart in later merges. Then recompute the derived ties."""
    _curate("split", a, b, reason, curator)


@curate_app.command("list")
def curate_list() -> None:
    """List the curators' decisions, oldest first (for each pair the latest one counts)."""
    from graph.repositories.identity import list_decisions

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        decisions = Writer(driver, settings.neo4j_database)(list_decisions)
    table = Table()
    for column in ("id", "kind", "left", "right", "curator", "decided", "reason"):
        table.add_column(column)
    for d in decisions:
        table.add_row(
            d.id,
            d.kind.value,
            ", ".join(d.left),
            ", ".join(d.right),
            d.curator,
            _when(d.decided_at),
            d.reason or "",
        )
    out.print(table)
    err.print(f"{len(decisions)} decision(s)", highlight=False)


# --- eval ------------------------------------------------------------------------------------


class EvalSplit(StrEnum):
    ALL = "all"
    DEV = "dev"
    HELD_OUT = "held-out"


@eval_app.command("disambiguation")
def eval_disambiguation(
    signatures: Annotated[
        Path, typer.Option(help="S2AND signatures JSON ({id: {author_info: {first, last, ...}}}).")
    ],
    clusters: Annotated[
        Path, typer.Option(help="Gold clusters JSON ({cluster_id: {signature_ids: [...]}}).")
    ],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the predicted clusters as JSON: each cluster id with its signature ids.",
        ),
    ] = None,
    split: Annotated[
        EvalSplit,
        typer.Option(
            help="Score all name blocks, or one fixed half of them: 'dev' (the half the "
            "weights were fitted on) or 'held-out'."
        ),
    ] = EvalSplit.ALL,
) -> None:
    """Run the name disambiguator on S2AND-format signatures and print B³ precision, recall
    and F1 against the gold clusters, next to the baseline of one person per name block.
    Reads files only; safe to re-run."""
    import json

    from ingest.disambiguation import disambiguate
    from ingest.disambiguation_eval import (
        b_cubed,
        block_half,
        read_clusters,
        read_signatures,
    )

    halves = {EvalSplit.ALL: None, EvalSplit.DEV: 0, EvalSplit.HELD_OUT: 1}
    with clean_errors():
        mentions = read_signatures(signatures)
        gold = read_clusters(clusters)
    wanted = halves[split]
    kept = [m for m in mentions if wanted is None or block_half(m.name.block) == wanted]
    kept_ids = {m.id for m in kept}
    gold = {c: [x for x in ids if x in kept_ids] for c, ids in gold.items()}
    gold = {c: ids for c, ids in gold.items() if ids}
    people = disambiguate(kept)
    predicted = {p.id: list(p.mention_ids) for p in people}
    blocks: dict[str, list[str]] = {}
    for m in kept:
        blocks.setdefault(m.name.block, []).append(m.id)
    ours, baseline = b_cubed(predicted, gold), b_cubed(blocks, gold)
    out.print(
        f"{len(kept):,} signatures, {len(blocks):,} name blocks, {len(gold):,} gold people, "
        f"{len(people):,} predicted people ({split.value})",
        highlight=False,
    )
    for label, score in (("one per name block", baseline), ("disambiguator", ours)):
        out.print(
            f"B³ {label:>18}: precision {score.precision:.4f}  recall {score.recall:.4f}  "
            f"F1 {score.f1:.4f}",
            highlight=False,
        )
    if out_path is not None:
        out_path.write_text(json.dumps(predicted, indent=1) + "\n", encoding="utf-8")
        out.print(f"predicted clusters written to {out_path}", highlight=False)


# --- affiliations ----------------------------------------------------------------------------

match_app = typer.Typer(help="Resolve strings to graph entities.")
app.add_typer(match_app, name="match", no_args_is_help=True)

RorDumps = Annotated[
    list[Path],
    typer.Option(
        "--ror",
        help="Read the institution registry from these ROR dumps (.json, .json.gz, .zip; give "
        "the v2 dump first) instead of the graph. Repeatable.",
    ),
]


def _affiliation_matcher(ror: list[Path]) -> Any:
    """The matcher over the ROR dumps given, else over the graph's ROR institutions."""
    from graph.repositories.affiliation import affiliation_registry
    from ingest.affiliation_links import matcher_from_rows
    from ingest.affiliations import Matcher, entries_from_dumps

    with clean_errors():
        for path in ror:
            if not path.is_file():
                fail(f"{path}: no such file", code=2)
        if ror:
            return Matcher(entries_from_dumps(ror))
        settings = load_settings()
        with connect(settings) as driver:
            rows = Writer(driver, settings.neo4j_database)(affiliation_registry)
    if not rows:
        fail("the graph holds no ROR institution: run `talentmap ingest ror` or pass --ror")
    return matcher_from_rows(rows).matcher


@match_app.command("affiliations")
def match_affiliations(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="One affiliation string per line, or JSON lines with an 'affiliation' field "
            "(default: standard input)."
        ),
    ] = None,
    ror: RorDumps = [],  # noqa: B006  # typer reads the default; it is never mutated
) -> None:
    """Match affiliation strings to ROR institutions. Writes one JSON line per input line:
    {"affiliation", "ror_ids" (ROR URLs; empty when the matcher abstains), "confidence",
    "evidence"}. Reads only."""
    import json

    matcher = _affiliation_matcher(ror)
    if path is not None and not path.is_file():
        fail(f"{path}: no such file", code=2)
    name = str(path) if path is not None else "<stdin>"
    handle = path.open(encoding="utf-8-sig") if path is not None else sys.stdin
    with handle:
        for number, line in enumerate(handle, 1):
            text = line.strip()
            if not text:
                continue
            if text.startswith("{"):
                try:
                    value = json.loads(text).get("affiliation")
                except (json.JSONDecodeError, AttributeError) as e:
                    fail(f"{name}, line {number}: not a JSON object ({e})", code=2)
                if not isinstance(value, str):
                    fail(f"{name}, line {number}: no string 'affiliation' field", code=2)
                text = value
            found = matcher.match(text)
            row = {
                "affiliation": text,
                "ror_ids": found.urls,
                "confidence": found.confidence,
                "evidence": [
                    {
                        "ror_id": e.ror_id,
                        "span": e.span,
                        "start": e.start,
                        "end": e.end,
                        "name": e.name,
                        "match": e.kind,
                        "score": round(e.score, 3),
                        "location": e.location,
                    }
                    for e in found.evidence
                ],
            }
            print(json.dumps(row, ensure_ascii=False), flush=False)


@match_app.command("graph")
def match_graph(
    rematch: Annotated[
        bool,
        typer.Option(help="Match again the authorships matched before (after loading more ROR)."),
    ] = False,
    derive: Annotated[
        bool, typer.Option(help="Recompute the derived ties afterwards (the matcher's edges).")
    ] = True,
) -> None:
    """Match the raw affiliation strings OpenAlex authorships link to no institution
    to the graph's ROR institutions, and (derive) turn the matches into AFFILIATED_WITH edges
    with source "matcher", the confidence and the works' years. Edges of structured sources are
    never changed. Only authorships not matched yet (or whose strings changed) are matched,
    and the matcher is built only when there are some, so a re-run changes nothing. `talentmap
    ingest openalex` and `talentmap derive` run this step too."""
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        _match_authorships(writer, rematch=rematch)
        if derive:
            _derive(writer, settings, match=False)


def _match_authorships(writer: Writer, *, rematch: bool = False) -> None:
    """The matcher step of ingestion, with a progress display and a summary line."""
    from ingest.affiliation_links import match_authorships

    with _progress("authorships matched") as advance:
        report = match_authorships(writer, rematch=rematch, on_progress=advance)
    if not report.pending:
        return
    if not report.registry:
        err.print(
            f"affiliation matcher: {report.pending:,} authorship(s) with unlinked raw strings, but "
            "the graph holds no ROR institution yet (run `talentmap ingest ror`)",
            highlight=False,
        )
        return
    out.print(
        f"affiliation matcher: {report.pending:,} authorship(s) with unlinked raw strings "
        f"({report.strings:,} distinct strings): {report.matched:,} matched to "
        f"{len(report.institutions):,} institution(s), {report.abstained:,} abstained; "
        f"registry of {report.registry:,} built in {report.build_seconds:.1f}s, "
        f"{report.seconds:.1f}s in all",
        highlight=False,
    )


@eval_app.command("affiliations")
def eval_affiliations(
    gold: Annotated[
        list[Path],
        typer.Option(
            help="Gold file: ROR's CSV (affiliation,ror_id), ROR's API JSON or S2AFF's CSV. "
            "Repeatable."
        ),
    ],
    ror: RorDumps = [],  # noqa: B006
    split: Annotated[
        str | None, typer.Option(help="Score only S2AFF rows of this split (train, val, test).")
    ] = None,
) -> None:
    """Micro precision, recall and F1 of the affiliation matcher on gold sets: a predicted id
    is a TP when among the string's gold ids, else a FP; a gold id not predicted is a FN.
    Strings whose gold ids are not all in the registry are skipped and counted."""
    import time

    from ingest.affiliations_eval import evaluate, read_gold

    with clean_errors():
        sets = []
        for path in gold:
            if not path.is_file():
                fail(f"{path}: no such file", code=2)
            sets.append((path, read_gold(path)))
    started = time.perf_counter()
    matcher = _affiliation_matcher(ror)
    out.print(
        f"registry: {len(matcher.entries):,} institutions, built in "
        f"{time.perf_counter() - started:.1f}s",
        highlight=False,
    )
    for path, items in sets:
        if split is not None:
            items = [x for x in items if x.split in (None, split)]
        started = time.perf_counter()
        s = evaluate(items, lambda a: matcher.match(a).ror_ids, lambda x: x in matcher.by_id)
        rate = s.items / max(time.perf_counter() - started, 1e-9)
        c = s.counts
        out.print(
            f"{path.name}: {s.items} strings ({s.no_match} with no match), "
            f"{s.skipped} skipped (gold id not in the registry); tp {c.tp} fp {c.fp} fn {c.fn}; "
            f"precision {c.precision:.3f} recall {c.recall:.3f} F1 {c.f1:.3f}; "
            f"{rate:.0f} strings/s",
            highlight=False,
            soft_wrap=True,
        )


# --- serve -----------------------------------------------------------------------------------


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="API processes sharing the port (default 1, or TALENTMAP_API_WORKERS). One "
            "process uses one core at most; /metrics adds up the counts of all of them.",
        ),
    ] = None,
) -> None:
    """Serve the GraphQL API on /graphql (GraphiQL in a browser), /healthz, /readyz and
    /metrics (Prometheus). Clients send an API key (`talentmap apikey create`)."""
    import uvicorn

    from api.app import create_app
    from api.metrics import MULTIPROCESS_DIR

    settings = load_settings()
    with clean_errors():
        server.require_running(settings)
    bind_host = host or settings.api_host
    bind_port = port or settings.api_port
    processes = workers or settings.api_workers
    out.print(
        f"GraphQL on http://{bind_host}:{bind_port}/graphql"
        + (f" ({processes} processes)" if processes > 1 else ""),
        highlight=False,
    )
    if settings.api_anonymous_role is None:
        out.print(
            "Clients need an API key (`talentmap apikey create --role viewer --name NAME`), "
            "sent as 'Authorization: Bearer KEY' (GraphiQL: the Headers tab).",
            highlight=False,
        )
    else:
        out.print(
            f"Anonymous clients get the {settings.api_anonymous_role} role "
            "(TALENTMAP_API_ANONYMOUS_ROLE); keys give their own.",
            highlight=False,
        )
    if processes == 1:
        uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="info")
        return
    # Each worker builds its app from the environment (the settings above came from it too)
    # and writes its metrics where /metrics, in whichever worker answers, adds them all up.
    with tempfile.TemporaryDirectory(prefix="talentmap-metrics-") as metrics_dir:
        os.environ[MULTIPROCESS_DIR] = metrics_dir
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            workers=processes,
            host=bind_host,
            port=bind_port,
            log_level="info",
        )


if __name__ == "__main__":
    app()


@eval_app.command("text")
def eval_text(
    corpus: Annotated[
        list[Path],
        typer.Argument(
            help="Annotated documents (mentions marked [[KIND|text]]) or folders of them "
            "(default: the test corpus, tests/data/text and its held-out set)."
        ),
    ] = [],  # noqa: B006  # typer reads the default; it is never mutated
    ror: Annotated[
        list[Path],
        typer.Option(help="ROR dumps for the institution gazetteer, as published."),
    ] = [],  # noqa: B006
    taxonomy: Annotated[
        Path | None, typer.Option(help="The topic taxonomy CSV (default: the bundled one).")
    ] = None,
) -> None:
    """Score the rule-based text pipeline on annotated documents: precision and recall per
    mention kind (exact offsets), with a gazetteer read from published files (no database).
    Reads files only; safe to re-run."""
    from ingest.taxonomy import DEFAULT_TAXONOMY_PATH
    from ingest.text import TextPipeline
    from ingest.text_corpus import gazetteer_from_files, read_marked, score

    repo = Path(__file__).resolve().parent.parent
    folders = corpus or [
        repo / "tests" / "data" / "text",
        repo / "tests" / "data" / "text" / "heldout",
    ]
    dumps = ror or [repo.parent / "shared" / "data" / "ror" / "ror_v2_records.json.gz"]
    with clean_errors():
        for path in [*folders, *dumps]:
            if not path.exists():
                fail(f"{path}: no such file or folder", code=2)
        pipeline = TextPipeline(gazetteer_from_files(dumps, taxonomy or DEFAULT_TAXONOMY_PATH))
        for folder in folders:
            files = (
                sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md")
                if folder.is_dir()
                else [folder]
            )
            counts = score(pipeline, [read_marked(p) for p in files])
            table = Table(title=f"{folder} ({len(files)} documents)")
            for column in ("kind", "tp", "fp", "fn", "precision", "recall", "F1"):
                table.add_column(column, justify="right")
            for kind, c in counts.items():
                table.add_row(
                    kind.value, str(c.tp), str(c.fp), str(c.fn),
                    f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                )  # fmt: skip
            out.print(table)
