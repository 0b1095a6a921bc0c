"""`talentmap push`: write districts' push lists (the API's `push` mutation does the same),
and export one as CSV or XLSX."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from schema.push import PushList
from schema.settings import Settings
from talentmap.cli.common import clean_errors, err, fail, load_settings

push_app = typer.Typer(
    help="Push lists (靶向推送): each district's recommendations for its focus segments, "
    "dated and versioned."
)


async def _push(settings: Settings, districts: list[str] | None, as_of: date) -> list[PushList]:
    from graph.driver import connect_async
    from graph.queries.recommend import district_segments, focus_districts, recommendations
    from graph.reader import Reader
    from graph.write.audit import audited
    from graph.write.push import write_push_list
    from schema.apikey import Role
    from schema.audit import AuditEntry, new_audit_id
    from schema.push import new_push_list_id
    from schema.watch import EntityKind

    driver = connect_async(settings)
    written: list[PushList] = []
    try:
        reader = Reader(driver, settings.neo4j_database)
        chosen: list[str] = list(districts) if districts else await reader(focus_districts)
        for district in chosen:
            segments = await reader(district_segments, district)
            if segments is None:
                fail(f"no district has the id {district!r}")
            for segment_id, segment_name, segment_name_zh in segments:
                ranked = await reader(
                    recommendations, district, segment_id, tuple(EntityKind), as_of.year
                )
                now = datetime.now(UTC)
                push_id = new_push_list_id()
                entry = AuditEntry(
                    id=new_audit_id(),
                    at=now,
                    action="push",
                    entity=push_id,
                    key_name="cli",
                    role=Role.ADMIN,
                    summary=f"{district} {segment_id}",
                )
                written.append(
                    await reader.write(
                        audited,
                        entry,
                        write_push_list,
                        push_id=push_id,
                        district=district,
                        segment=segment_id,
                        segment_name=segment_name,
                        segment_name_zh=segment_name_zh,
                        ranked=ranked,
                        as_of=as_of,
                        pushed_at=now,
                        pushed_by="cli",
                    )
                )
    finally:
        await driver.close()
    return written


@push_app.callback(invoke_without_command=True)
def push_command(
    ctx: typer.Context,
    district: Annotated[
        list[str] | None,
        typer.Option(
            "--district",
            help="A district id (repeatable); default: every district with focus industries.",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The date the lists carry (default: today).")
    ] = None,
) -> None:
    """Write a new version of each district's push list per focus segment, from the current
    rankings (run it after `talentmap derive`). A re-run writes another dated version, which
    marks only the entries new since the last one; nothing is overwritten."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    day = date.fromisoformat(as_of) if as_of else datetime.now(UTC).date()
    with clean_errors():
        written = asyncio.run(_push(settings, district, day))
    for push in written:
        new = sum(e.new_since_last for e in push.entries)
        # Plain tab-separated lines (rich would turn the tabs into spaces): for scripts.
        typer.echo(
            f"{push.id}\t{push.district}\t{push.segment}\tv{push.version}\t"
            f"{len(push.entries)} entries, {new} new"
        )
    err.print(f"{len(written)} push list(s) written")


@push_app.command("export")
def push_export(
    push_id: Annotated[str, typer.Argument(help="The push list's id (push-…).")],
    out_path: Annotated[Path, typer.Option("--out", help="The file: .xlsx or .csv.")],
    lang: Annotated[
        str, typer.Option("--lang", help="Headers and reasons in en (the default) or zh.")
    ] = "en",
) -> None:
    """Write a push list as XLSX or CSV (by the file's suffix), in English or Chinese. Reads
    only: safe to re-run."""
    from graph.driver import connect_async
    from graph.read.push import push_lists_by_id
    from graph.reader import Reader
    from schema.push import EXPORT_LANGS, export_lang, to_csv, to_xlsx

    if out_path.suffix not in (".xlsx", ".csv"):
        fail("--out must end in .xlsx or .csv")
    language = export_lang(lang)
    if language is None:
        fail(f"--lang must be one of {', '.join(EXPORT_LANGS)}, not {lang!r}")
    settings = load_settings()

    async def read() -> PushList | None:
        driver = connect_async(settings)
        try:
            return (await Reader(driver, settings.neo4j_database)(push_lists_by_id, [push_id]))[0]
        finally:
            await driver.close()

    with clean_errors():
        found = asyncio.run(read())
    if found is None:
        fail(f"no push list has the id {push_id!r}")
    if out_path.suffix == ".xlsx":
        out_path.write_bytes(to_xlsx(found, language))
    else:
        out_path.write_text(to_csv(found, language), encoding="utf-8-sig")
    err.print(f"{len(found.entries)} entries written to {out_path}")
