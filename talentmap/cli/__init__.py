"""The `talentmap` command line: the local Neo4j, the graph schema, ingestion and the API.

One module per command group: `talentmap X ...` lives in `talentmap/cli/X.py`; what they share
is in `common.py`."""

from __future__ import annotations

import typer

from talentmap.cli import (
    apikey,
    cases,
    curate,
    db,
    derive,
    eval,
    import_,
    ingest,
    match,
    neo4j,
    push,
    serve,
)

app = typer.Typer(
    help="TalentMap: a knowledge graph of the world's science and technology talent.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(neo4j.neo4j_app, name="neo4j", no_args_is_help=True)
app.add_typer(db.db_app, name="db", no_args_is_help=True)
app.add_typer(ingest.ingest_app, name="ingest", no_args_is_help=True)
app.add_typer(import_.import_app, name="import", no_args_is_help=True)
app.command("derive")(derive.derive_command)
app.add_typer(match.match_app, name="match", no_args_is_help=True)
app.add_typer(apikey.apikey_app, name="apikey", no_args_is_help=True)
app.add_typer(curate.curate_app, name="curate", no_args_is_help=True)
app.add_typer(cases.cases_app, name="cases", no_args_is_help=True)
app.add_typer(push.push_app, name="push")
app.add_typer(eval.eval_app, name="eval", no_args_is_help=True)
app.command("serve")(serve.serve)
