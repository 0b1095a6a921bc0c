"""`talentmap apikey`: API keys for the GraphQL API."""

from __future__ import annotations

from typing import Annotated

import typer

from graph.driver import connect
from graph.unit_of_work import Writer
from schema.apikey import Role, key_hash, new_key_id, new_secret
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

apikey_app = typer.Typer(
    help="API keys for the GraphQL API: create (shown once), list, revoke. Only a key's "
    "SHA-256 is stored."
)


@apikey_app.command("create")
def apikey_create(
    role: Annotated[Role, typer.Option(help="What the key may see: viewer < recruiter < admin.")],
    name: Annotated[str, typer.Option(help="Who or what uses it, e.g. 'frontend' or 'ana'.")],
    district: Annotated[
        str | None,
        typer.Option(
            help="Bind a recruiter's key to a district (or a city: all its districts), e.g. "
            "cn/suzhou/suzhou-industrial-park: it then edits that district's cases as well "
            "as its own."
        ),
    ] = None,
) -> None:
    """Create an API key and print it once, alone on stdout (everything else goes to stderr).

    Only its SHA-256 is stored: a lost key cannot be shown again; create another and revoke
    the old one. Every run makes a new key.
    """
    from graph.write.apikey import create_api_key, known_region

    if not name.strip():
        fail("--name must not be empty")
    region = (district or "").strip() or None
    if region is not None and role is not Role.RECRUITER:
        fail(f"--district binds a recruiter's key; a {role} key has no district")
    settings = load_settings()
    secret = new_secret()
    with clean_errors(), connect(settings) as driver:
        writer = Writer(driver, settings.neo4j_database)
        if region is not None and not writer(known_region, region):
            fail(
                f"--district {region!r}: no district or city has this id "
                "(load the region profile first: talentmap ingest region)"
            )
        key = writer(
            create_api_key,
            key_id=new_key_id(),
            name=name.strip(),
            role=role,
            digest=key_hash(secret),
            district=region,
        )
    bound = f", district {key.district}" if key.district else ""
    err.print(
        f"Created API key {key.id} ({key.name}, role {key.role}{bound}). It is shown only this "
        "once; send it as 'Authorization: Bearer KEY'.",
        highlight=False,
    )
    print(secret)


@apikey_app.command("list")
def apikey_list() -> None:
    """List the API keys: id, name, role, district, created, revoked, last used (never the
    keys)."""
    from graph.write.apikey import list_api_keys

    keys = read_graph(list_api_keys)
    print_table(
        ("id", "name", "role", "district", "created", "revoked", "last used"),
        (
            (
                k.id,
                k.name,
                str(k.role),
                k.district or "",
                *map(when, (k.created_at, k.revoked_at, k.last_used_at)),
            )
            for k in keys
        ),
    )
    err.print(f"{len(keys)} key(s), {sum(not k.revoked for k in keys)} active", highlight=False)


@apikey_app.command("revoke")
def apikey_revoke(
    ref: Annotated[str, typer.Argument(metavar="ID_OR_NAME", help="A key's id, or its name.")],
) -> None:
    """Revoke a key by id, or by name when exactly one active key has that name.

    The API refuses it within TALENTMAP_API_KEY_CACHE_SECONDS (5 s by default). Revoking a
    revoked key changes nothing.
    """
    from graph.write.apikey import find_api_keys, revoke_api_key

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
