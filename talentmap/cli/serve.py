"""`talentmap serve`: the GraphQL API."""

from __future__ import annotations

import os
import tempfile
from typing import Annotated

import typer

from graph import server
from talentmap.cli.common import (
    clean_errors,
    load_settings,
    out,
)


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
    from api.http_limits import uvicorn_options
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
        uvicorn.run(
            create_app(settings),
            host=bind_host,
            port=bind_port,
            log_level="info",
            **uvicorn_options(settings),
        )
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
            **uvicorn_options(settings, workers=processes),
        )
