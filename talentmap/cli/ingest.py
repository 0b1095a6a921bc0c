"""`talentmap ingest`: load data into the graph."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from ingest.jobs import Source
from schema.settings import Settings
from talentmap.cli.common import (
    clean_errors,
    err,
    fail,
    load_settings,
    out,
    progress,
    require_files,
    run_job_with_progress,
)
from talentmap.cli.derive import derive_all

if TYPE_CHECKING:
    from ingest.records.resolve import RecordsReport

ingest_app = typer.Typer(help="Load data into the graph.")

BatchSize = Annotated[
    int | None, typer.Option(help="Records per transaction (default from settings).")
]
Strict = Annotated[bool, typer.Option(help="Write nothing if any record is unusable.")]
DeriveTies = Annotated[
    bool, typer.Option(help="Recompute the derived ties afterwards (co-authors, ...).")
]


def _load(
    settings: Settings,
    jobs: Iterable[tuple[Source[Any], list[Path]]],
    batch_size: int | None,
    strict: bool,
    derive: bool,
) -> None:
    """Run each job on its files, then (derive) recompute the ties; exit code 2 when a record
    was quarantined."""
    quarantined = 0
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        for source, files in jobs:
            report = run_job_with_progress(writer, settings, source, files, batch_size, strict)
            quarantined += report.quarantined
        if derive:
            derive_all(writer, settings)
    if quarantined:
        raise typer.Exit(2)


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
    batch_size: BatchSize = None,
    strict: Strict = False,
    derive: DeriveTies = True,
) -> None:
    """Load OpenAlex entity files (works, authors, institutions, sources, funders, topics and
    their domains, fields and subfields; publishers and concepts are only checked), with the
    entity detected from the ids or given by --entity; then recompute the ties they change.

    Unusable records are listed, kept with the reason in TALENTMAP_HOME/quarantine, and the
    job goes on (exit code 2 at the end); --strict writes nothing instead. Records are upserted
    on their ids, so a re-run changes nothing, and a re-run after an interrupted run resumes.
    """
    from ingest.openalex.entities import SOURCES, detect_entity

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
    jobs = [(SOURCES[name], files) for name, files in groups.items()]
    _load(settings, jobs, batch_size, strict, derive)


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
    batch_size: BatchSize = None,
    strict: Strict = False,
    derive: DeriveTies = True,
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
    from ingest.openalex.api import fetch_to_spool, parse_since
    from ingest.openalex.entities import SOURCES

    settings = load_settings()
    if entity not in SOURCES:
        fail(f"OpenAlex {entity} records are not supported yet", code=2)
    with clean_errors(), progress(f"openalex-{entity} (API)") as advance:
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
    _load(settings, [(SOURCES[entity], [spool.path])], batch_size, strict, derive)


@ingest_app.command("ror")
def ingest_ror(
    paths: Annotated[
        list[Path],
        typer.Argument(help="ROR registry dumps as published: .json, .json.gz or .zip."),
    ],
    batch_size: BatchSize = None,
    strict: Strict = False,
) -> None:
    """Load the ROR registry (schema v2 and v1): institutions with all their names, labels in
    every language, acronyms, aliases, types, status, geo and external ids, and their parent,
    child, related and successor relationships. OpenAlex institutions join on the ROR id. The
    newest record of each institution wins, so a re-run changes nothing."""
    from ingest.ror.records import ROR

    settings = load_settings()
    with clean_errors():
        require_files(paths)
    _load(settings, [(ROR, paths)], batch_size, strict, derive=False)


@ingest_app.command("openalex-counts")
def ingest_openalex_counts(
    topics: Annotated[
        list[str] | None,
        typer.Option("--topic", metavar="T<digits>", help="A topic to fetch (repeat it)."),
    ] = None,
    subfields: Annotated[
        list[str] | None,
        typer.Option("--subfield", metavar="subfields/N", help="A subfield to fetch (repeat it)."),
    ] = None,
    fields: Annotated[
        list[str] | None,
        typer.Option("--field", metavar="fields/N", help="A field to fetch (repeat it)."),
    ] = None,
    segments: Annotated[
        list[str] | None,
        typer.Option(
            "--segment", metavar="INDUSTRY/SEGMENT", help="A chain segment to fetch (repeat it)."
        ),
    ] = None,
    citations: Annotated[
        bool,
        typer.Option(
            "--citations",
            help="Also the citations their works received per year: the works' counts_by_year "
            "added up, one request per 200 works (costly for a large field).",
        ),
    ] = False,
) -> None:
    """Fetch the world's works per year of topics, subfields, fields and chain segments from
    the OpenAlex API (works?filter=...&group_by=publication_year: topics.id:T,
    topics.subfield.id:N, topics.field.id:N, a segment's topics OR-ed; and all works per year
    once), store them on the nodes, and recompute the heat: a node with world counts takes its
    works, shares, growth and forecast from them (`source: openalex`; citations stay the loaded
    works'). Without options: every topic the loaded works are about, their subfields and
    fields, and every segment. One request per node (a segment of more than 50 topics: one per
    50), retried like the API job; a re-run refreshes the counts. With --citations, also the
    citations per year their works received (the works paged: group_by only counts).
    Uses TALENTMAP_OPENALEX_API_URL, _API_KEY and _MAILTO."""
    from ingest.derived.heat import derive_heat
    from ingest.openalex.counts import Wanted, fetch_world_counts

    settings = load_settings()
    wanted = Wanted(topics or (), subfields or (), fields or (), segments or ())
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        with progress("nodes counted (API)") as advance:
            report = fetch_world_counts(
                settings, writer, wanted, on_progress=advance, citations=citations
            )
        scored = derive_heat(writer)
    out.print(
        f"openalex counts: {report.topics:,} topic(s), {report.subfields:,} subfield(s), "
        f"{report.fields:,} field(s), {report.segments:,} segment(s) over {report.years:,} "
        f"year(s) in {report.requests:,} request(s) ({report.retries:,} retried) in "
        f"{report.seconds:.1f}s; heat recomputed for {scored:,} node(s)",
        highlight=False,
    )


@ingest_app.command("records")
def ingest_records(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Record files as published, or folders of them."),
    ],
    format_name: Annotated[
        str, typer.Option("--format", help="The files' format: csmetrics, ris, wos, csv, jsonl.")
    ] = "csmetrics",
    column_map: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="csv and jsonl: which column holds which field, as field=Column pairs "
            "(title=Title,year=Year,authors=Authors) or a YAML file of them; fields: title, "
            "year, doi, authors, institutions, author_institutions, venue, openalex_id, "
            "cited_by_count, abstract (unnamed ones read the column of their own name).",
        ),
    ] = None,
    classify: Annotated[
        bool,
        typer.Option(
            help="Give each record the 3 OpenAlex topics its title (and abstract) is most like "
            "(ABOUT {score, source: classifier}; see talentmap eval topics).",
        ),
    ] = True,
    batch_size: BatchSize = None,
    strict: Strict = False,
    derive: DeriveTies = True,
) -> None:
    """Load names-only paper records (titles, years, DOIs, author names in order, institution
    names; no person or institution ids): CSMetrics files, RIS and Web of Science
    tab-delimited exports, CSV or JSON lines with a column map. Each paper becomes a
    Work (keyed by its OpenAlex id, else DOI, else a hash; one node with the OpenAlex work,
    whose data wins), institution names go through the affiliation matcher (names it abstains
    on are kept on the work and listed), authors through the disambiguator (records people,
    never merged with OpenAlex authors); who is at which institution comes from the record
    where it says (WoS C1, a C1-style RIS AD, author_institutions) and is otherwise inferred
    and marked so. Load ROR first: the matcher reads the graph's ROR
    institutions.

    Unusable records are listed and quarantined in TALENTMAP_HOME/quarantine (exit code 2);
    an unchanged record is skipped, so a re-run changes nothing, and an interrupted run
    resumes.
    """
    from ingest.records.formats import record_files, records_source
    from ingest.records.resolve import RecordsWriter

    settings = load_settings()
    with clean_errors():
        files = record_files(paths, format_name)
        records_source(format_name, None, column_map)  # a bad --map fails before connecting
    quarantined = 0
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        classifier = None
        if classify:
            from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH
            from ingest.topics.classifier import TopicClassifier

            classifier = TopicClassifier.from_taxonomy(DEFAULT_TAXONOMY_PATH)
        records = RecordsWriter(writer, classifier=classifier)
        source = records_source(format_name, records, column_map)
        report = run_job_with_progress(writer, settings, source, files, batch_size, strict)
        quarantined = report.quarantined
        print_records_report(records.report)
        if derive:
            derive_all(writer, settings)
    if quarantined:
        raise typer.Exit(2)


def print_records_report(found: RecordsReport) -> None:
    """What a records load found: works, institution names matched or not, people."""
    out.print(
        f"records: {found.works:,} works ({found.openalex_works:,} already from OpenAlex, "
        f"{found.unchanged:,} unchanged); institution names: {len(found.names):,} distinct, "
        f"{len(found.matched):,} matched, {found.abstained_names:,} abstained "
        f"({sum(found.abstained.values()):,} mentions, kept unmatched on the works); "
        f"people: {found.new_people:,} new, {found.joined_bylines:,} bylines joined known "
        f"records people, {found.inferred_authorships:,} bylines with inferred institutions; "
        f"{found.classified:,} works given topics by the title classifier",
        highlight=False,
    )
    for name, count in found.abstained.most_common(10):
        err.print(f"  unmatched: {name} ({count})", highlight=False)


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
    from ingest.text.documents import ingest_text

    settings = load_settings()
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or folder", code=2)
    with clean_errors(), connect(settings) as driver, progress("documents") as advance:
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
    from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy

    settings = load_settings()
    with clean_errors(), connect(settings) as driver, progress("topics") as advance:
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
    from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries

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
            derive_all(writer, settings)


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
    from ingest.reference.region import DEFAULT_REGION_PATH, load_region

    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        report = load_region(Writer(driver, settings.neo4j_database), path or DEFAULT_REGION_PATH)
    out.print(
        f"region: {report.districts} districts, {report.focuses_on} FOCUSES_ON links, "
        f"{report.part_of} GeoNames cities PART_OF its places, {report.placed} "
        "institutions placed in its places",
        highlight=False,
    )
    if report.missing_institutions:
        err.print(
            "warning: institutions not in the graph (run `talentmap ingest ror` first?): "
            + ", ".join(report.missing_institutions),
            highlight=False,
        )
    if report.unknown_industry_ids:
        err.print(
            "warning: industries not in the graph (run `talentmap ingest industries` first?): "
            + ", ".join(report.unknown_industry_ids),
            highlight=False,
        )
