"""`talentmap curate`: curators' identity decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from talentmap.cli.common import (
    clean_errors,
    err,
    fail,
    load_settings,
    out,
    print_table,
    read_graph,
    when,
)
from talentmap.cli.derive import derive_all

curate_app = typer.Typer(
    help="Curators' identity decisions: merge and split scientists. Decisions are stored in "
    "the graph and re-applied after every ingest, so they survive reloads."
)


_CURATOR = typer.Option(help="Who decides (recorded with the decision).", envvar="USER")


def _curate(kind: str, left: str, right: str, reason: str | None, curator: str) -> None:
    from api.ids import IdKind, parse_id
    from graph.write.identity import CurationConflictError, curate, find_identity
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
        derive_all(writer, settings)


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
    from graph.write.identity import list_decisions

    decisions = read_graph(list_decisions)
    print_table(
        ("id", "kind", "left", "right", "curator", "decided", "reason"),
        (
            (
                d.id,
                d.kind.value,
                ", ".join(d.left),
                ", ".join(d.right),
                d.curator,
                when(d.decided_at),
                d.reason or "",
            )
            for d in decisions
        ),
    )
    err.print(f"{len(decisions)} decision(s)", highlight=False)
