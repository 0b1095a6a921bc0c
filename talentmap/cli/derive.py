"""`talentmap derive` and the derived step every loading command ends with."""

from __future__ import annotations

from graph.driver import connect
from graph.unit_of_work import Writer
from schema.settings import Settings
from talentmap.cli.common import (
    clean_errors,
    err,
    load_settings,
    out,
    progress,
)


def derive_command() -> None:
    """Recompute the derived ties (affiliations from authorships, co-authors, institution
    collaborations, expertise) and the teams of every institution loads have marked. Safe to
    re-run."""
    settings = load_settings()
    with clean_errors(), connect(settings) as driver:
        derive_all(Writer(driver, settings.neo4j_database), settings)


def derive_all(writer: Writer, settings: Settings, *, match: bool = True) -> None:
    from ingest.derived.step import derive

    if match:
        match_authorships(writer)
    with progress("derived ties") as advance:
        report = derive(
            writer,
            max_authors=settings.max_authors_for_ties,
            chunk=settings.derive_chunk,
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


def match_authorships(writer: Writer, *, rematch: bool = False) -> None:
    """The matcher step of ingestion, with a progress display and a summary line."""
    from ingest.matching.authorships import match_authorships

    with progress("authorships matched") as advance:
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
