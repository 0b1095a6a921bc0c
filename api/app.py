"""The FastAPI application: /graphql (with GraphiQL), /healthz and /readyz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from strawberry.fastapi import GraphQLRouter

from api.context import Context
from api.schema import schema
from graph.driver import connect_async
from graph.reader import ReadPool
from talentmap.settings import Settings

log = logging.getLogger("talentmap.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = ReadPool(connect_async(settings), settings.neo4j_database)
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    async def context_getter(request: Request) -> Context:
        pool: ReadPool = request.app.state.pool
        return Context(pool)

    app = FastAPI(title="TalentMap", lifespan=lifespan)
    app.include_router(
        GraphQLRouter(schema, context_getter=context_getter, graphql_ide="graphiql"),
        prefix="/graphql",
    )

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
        return {"status": "neo4j unreachable"}

    return app
