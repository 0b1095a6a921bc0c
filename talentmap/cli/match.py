"""`talentmap match`: resolve strings to graph entities."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from talentmap.cli.common import (
    clean_errors,
    fail,
    load_settings,
    require_files,
)
from talentmap.cli.derive import derive_all, match_authorships

match_app = typer.Typer(help="Resolve strings to graph entities.")

RorDumps = Annotated[
    list[Path],
    typer.Option(
        "--ror",
        help="Read the institution registry from these ROR dumps (.json, .json.gz, .zip; give "
        "the v2 dump first) instead of the graph. Repeatable.",
    ),
]


def affiliation_matcher(ror: list[Path]) -> Any:
    """The matcher over the ROR dumps given, else over the graph's ROR institutions."""
    from graph.write.affiliation import affiliation_registry
    from ingest.matching.affiliations import Matcher, entries_from_dumps
    from ingest.matching.authorships import matcher_from_rows

    with clean_errors():
        require_files(ror)
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

    matcher = affiliation_matcher(ror)
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
        match_authorships(writer, rematch=rematch)
        if derive:
            derive_all(writer, settings, match=False)
