"""The FastAPI application: /graphql (with GraphiQL), /healthz, /readyz, /metrics and the
downloads under /export (api/export.py).

Every request gets a request id (api/requests.py). /graphql needs an API key
(`Authorization: Bearer KEY`, api/auth.py) unless the settings grant anonymous clients a role;
the GraphiQL page itself (a GET without a query) is open, as it carries no data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection

from api.auth import KeyStore, Principal, UnauthenticatedError, authenticate
from api.context import Context
from api.errors import RETRY_AFTER_SECONDS, ErrorCode
from api.export import add_exports
from api.http_limits import BodyLimitMiddleware, DeadlineMiddleware, request_deadline
from api.limits import Limits
from api.metrics import CONTENT_TYPE, Metrics
from api.requests import RequestIdMiddleware, current_request_id
from api.schema import schema
from api.web import WEB_DIST, WebGraphQLRouter, mount_web
from api.webhooks import Deliverer
from graph.driver import connect_async
from graph.errors import QueryTimeoutError, UnavailableError
from graph.reader import ReadPool
from schema.settings import Settings

log = logging.getLogger("talentmap.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = Metrics()
    limits = Limits.from_settings(settings)
    app = FastAPI(title="TalentMap", lifespan=_lifespan(settings, metrics))
    # Inside the body limits, around everything else a GraphQL request does.
    app.add_middleware(DeadlineMiddleware, seconds=request_deadline(settings))
    # Bodies are counted as they stream in, before any route reads them (api/http_limits.py).
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.api_max_body_bytes,
        timeout=settings.api_body_timeout,
    )
    # Around everything, exception handlers included: even a 401 carries the request id.
    app.add_middleware(RequestIdMiddleware)
    app.include_router(
        WebGraphQLRouter(
            schema,
            context_getter=_context_getter(settings, limits, metrics),
            graphql_ide="graphiql",
            anonymous_role=settings.api_anonymous_role,
        ),
        prefix="/graphql",
    )
    _add_unauthenticated_handler(app, metrics)
    _add_unavailable_handler(app, metrics)
    _add_probes(app, metrics)
    add_exports(app, settings)
    # Last: it answers every other GET with the page.
    mount_web(app, settings.web_dist or WEB_DIST)
    return app


def _lifespan(
    settings: Settings, metrics: Metrics
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's read pool and key store, open while it serves."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = ReadPool(
            connect_async(settings, timeout=settings.api_query_timeout),
            settings.neo4j_database,
            timeout=settings.api_query_timeout,
            observe=metrics.observe_neo4j,
        )
        app.state.pool = pool
        app.state.keys = KeyStore(pool, settings.api_key_cache_seconds)
        # Webhook deliveries run beside the requests, never inside a load (api/webhooks.py).
        deliveries = (
            asyncio.create_task(Deliverer(pool, settings).run_forever())
            if settings.webhook_poll_seconds > 0
            else None
        )
        try:
            yield
        finally:
            if deliveries is not None:
                deliveries.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await deliveries
            await pool.close()

    return lifespan


def _context_getter(
    settings: Settings, limits: Limits, metrics: Metrics
) -> Callable[[HTTPConnection], Awaitable[Context]]:
    """Each request's context: who asks (the GraphiQL page itself, a GET without a query, is
    open), over the app's read pool."""

    async def context_getter(request: HTTPConnection) -> Context:
        pool: ReadPool = request.app.state.pool
        principal: Principal | None = None
        # A WebSocket (subscriptions, graphql-transport-ws) authenticates with the headers of
        # its handshake, like any request; without an Authorization header (a browser cannot
        # send one), with its connection_init payload (api/web.py, WebGraphQLRouter).
        websocket = request.scope["type"] == "websocket"
        deferred = websocket and "authorization" not in request.headers
        asks = websocket or request.scope["method"] != "GET" or "query" in request.query_params
        if asks and not deferred:
            try:
                principal = await authenticate(
                    request.headers.get("authorization"),
                    request.app.state.keys,
                    settings.api_anonymous_role,
                )
            except QueryTimeoutError as e:
                # A key lookup is one indexed read: past the timeout, Neo4j is not serving.
                raise UnavailableError("the graph database is not answering; retry shortly") from e
        return Context(pool, principal=principal, limits=limits, metrics=metrics)

    return context_getter


def _add_unauthenticated_handler(app: FastAPI, metrics: Metrics) -> None:
    @app.exception_handler(UnauthenticatedError)
    async def unauthenticated(request: Request, error: UnauthenticatedError) -> JSONResponse:
        """HTTP 401 with a GraphQL-shaped body, so clients read errors in one place."""
        metrics.errors.labels(operation="", code=ErrorCode.UNAUTHENTICATED).inc()
        body = {
            "data": None,
            "errors": [
                {
                    "message": str(error),
                    "extensions": {
                        "code": ErrorCode.UNAUTHENTICATED,
                        "requestId": current_request_id(),
                    },
                }
            ],
        }
        return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


def _add_unavailable_handler(app: FastAPI, metrics: Metrics) -> None:
    @app.exception_handler(UnavailableError)
    async def unavailable(request: Request, error: UnavailableError) -> JSONResponse:
        """HTTP 503 with `Retry-After` when Neo4j is unreachable outside a resolver (looking up
        the caller's key); inside one, WebGraphQLRouter answers the same (api/web.py)."""
        metrics.errors.labels(operation="", code=ErrorCode.UNAVAILABLE).inc()
        body = {
            "data": None,
            "errors": [
                {
                    "message": str(error),
                    "extensions": {
                        "code": ErrorCode.UNAVAILABLE,
                        "requestId": current_request_id(),
                    },
                }
            ],
        }
        return JSONResponse(
            body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )


def _add_probes(app: FastAPI, metrics: Metrics) -> None:
    """/healthz, /readyz and /metrics."""

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up (says nothing about Neo4j)."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request, response: Response) -> dict[str, str]:
        """Neo4j answers a query: the API can serve."""
        pool: ReadPool = request.app.state.pool
        if await pool.ready():
            return {"status": "ready"}
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return {"status": "neo4j unreachable"}

    @app.get("/metrics")
    async def prometheus() -> Response:
        """Prometheus metrics: request latency by operation, Neo4j query time, errors.
        Open like /healthz: expose it to your scraper, not to the world."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)
