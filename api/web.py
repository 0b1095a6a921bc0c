"""The page at `/`: the built web app (`web/dist`, from `make web`) and a GraphiQL that works
offline.

- `/assets/...`: Vite's content-hashed files (and the GraphiQL files under
  `assets/vendor/<package>@<version>/`, versioned by path), cached for a year as immutable.
- Every other GET outside the API's own paths answers `index.html`, not cached, so a deep link
  (`/scientist/A5071739156`) opens the page, which routes by URL, and a new build shows at once.
- `/graphql` in a browser: strawberry's GraphiQL page, with its React, GraphiQL and plugin files
  served from our build instead of unpkg (the same published files, so their integrity hashes
  hold), so it renders on a network without the internet.

When the page is not built, `/` says how to build it instead of failing quietly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.unset import UNSET, UnsetType

from api.auth import UnauthenticatedError, authenticate
from api.context import Context
from api.errors import RETRY_AFTER_SECONDS, ErrorCode
from schema.apikey import Role

WEB_DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
# The API's own paths: never answered with the page.
RESERVED = frozenset({"graphql", "healthz", "readyz", "metrics", "docs", "redoc", "openapi.json"})
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# connection_ack without a payload (strawberry's UNSET is typed Any).
NO_PAYLOAD: UnsetType = UNSET
_UNPKG = re.compile(r"https://unpkg\.com/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/")

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>TalentMap</title>
<h1>The page is not built</h1>
<p>Run <code>make web</code> (Node 20.19 or newer: <code>npm ci &amp;&amp; npm run build</code> in
<code>web/</code>), then reload. The API answers at <a href="/graphql">/graphql</a>.</p>"""


def local_graphiql(html: str) -> str:
    """Strawberry's GraphiQL page with its unpkg URLs pointing at our copies of the files."""
    return _UNPKG.sub(r"/assets/vendor/\1/", html)


class WebGraphQLRouter(GraphQLRouter[object, None]):
    """The GraphQL router whose GraphiQL page loads its files from us, not from a CDN, and
    whose WebSocket (graphql-transport-ws) takes the key from the `connection_init` payload
    (`{"Authorization": "Bearer KEY"}`) when the handshake had no Authorization header: a
    browser cannot set headers on a WebSocket. Until that message, the connection's principal
    is None, which the access rule refuses everything (api/access.py)."""

    def __init__(self, *args: Any, anonymous_role: Role | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.anonymous_role = anonymous_role

    async def on_ws_connect(self, context: object) -> UnsetType | dict[str, object] | None:
        if not isinstance(context, Context) or context.principal is not None:
            return NO_PAYLOAD
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization")
        if context.request is None:
            raise ConnectionRejectionError({"message": "no connection"})
        try:
            context.principal = await authenticate(
                header if isinstance(header, str) else None,
                context.request.app.state.keys,
                self.anonymous_role,
            )
        except UnauthenticatedError as e:
            raise ConnectionRejectionError({"message": str(e)}) from e
        return NO_PAYLOAD

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """HTTP 503 with `Retry-After` when an error says Neo4j is unreachable (code
        UNAVAILABLE): clients and load balancers retry, where a 200 would look final."""
        answers = response_data if isinstance(response_data, list) else [response_data]
        codes = {
            (error.get("extensions") or {}).get("code")
            for answer in answers
            for error in answer.get("errors") or ()
            if isinstance(error, dict)
        }
        if ErrorCode.UNAVAILABLE in codes:
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return super().create_response(response_data, sub_response)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(local_graphiql(self.graphql_ide_html))


def _inside(dist: Path, path: str) -> Path | None:
    """The file `path` names under `dist`, if it is one (and stays inside)."""
    candidate = (dist / path).resolve()
    if not candidate.is_relative_to(dist.resolve()) or not candidate.is_file():
        return None
    return candidate


def mount_web(app: FastAPI, dist: Path = WEB_DIST) -> None:
    """Serve the built page: add this after every other route, as it answers any other GET."""

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def page(path: str) -> Response:
        top = path.split("/", 1)[0]
        if top in RESERVED:
            raise HTTPException(status_code=404)
        if top == "assets":
            found = _inside(dist, path)
            if found is None:
                raise HTTPException(status_code=404)
            return FileResponse(found, headers={"Cache-Control": IMMUTABLE})
        index = dist / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": NO_CACHE})
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": NO_CACHE})
