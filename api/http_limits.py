"""Limits on what one HTTP request may take from the process, before GraphQL sees it:

- body size: a body over `api_max_body_bytes` gets 413 (code PAYLOAD_TOO_LARGE) at once when
  its Content-Length says so, else as soon as the bytes counted while it streams in pass the
  limit (chunked bodies, which declare no length, included): never read whole;
- body time: the whole body must arrive within `api_body_timeout` seconds of the first read,
  else 408 (code REQUEST_TIMEOUT);
- header time: a connection that has not sent a request's headers within
  `api_header_timeout` seconds of opening (or of that request's first byte) is closed
  (`HeaderTimeoutProtocol`; uvicorn itself waits for ever);
- request time: a GraphQL request must start its answer within `request_deadline` seconds
  (the query timeout, the client's grace of graph.reader.CLIENT_GRACE, and 1 s), else 503
  with `Retry-After` (code TIMEOUT);
- uvicorn's own: an idle keep-alive connection is closed after `api_keep_alive_timeout`
  seconds, and over `api_max_connections` connections at once new requests get 503.

Refusals are GraphQL-shaped (`errors[0].extensions.code`, the request id), like the 401, and
close the connection, so an unread body is never read.
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import RETRY_AFTER_SECONDS, ErrorCode
from api.requests import current_request_id
from graph.reader import CLIENT_GRACE
from schema.settings import Settings


class _Refused(Exception):  # noqa: N818 - a signal inside this module, not an error
    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


async def refuse(
    send: Send, status: int, code: ErrorCode, message: str, *, retry_after: int | None = None
) -> None:
    """Answer `status` with a GraphQL-shaped error body, and close the connection."""
    extensions = {"code": code, "requestId": current_request_id()}
    body = json.dumps({"data": None, "errors": [{"message": message, "extensions": extensions}]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body.encode())).encode()),
                (b"connection", b"close"),
                *([(b"retry-after", str(retry_after).encode())] if retry_after else []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class BodyLimitMiddleware:
    """Pure ASGI: counts the body as the app reads it (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    def too_large(self) -> _Refused:
        return _Refused(
            413,
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"the request body is over the limit of {self.max_bytes:,} bytes",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            refusal = self.too_large()
            await refuse(send, refusal.status, refusal.code, str(refusal))
            return
        started = False
        received = 0
        complete = False
        deadline = asyncio.get_running_loop().time() + self.timeout

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _Refused(
                    408,
                    ErrorCode.REQUEST_TIMEOUT,
                    f"the request body did not arrive within {self.timeout:g} s",
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self.too_large()
                complete = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _Refused as refusal:
            if started:
                raise
            await refuse(send, refusal.status, refusal.code, str(refusal))


def request_deadline(settings: Settings) -> float:
    """Seconds a GraphQL request has to start its answer: longer than one unit of work may
    take (graph/reader.py), so a single slow query still gets its own TIMEOUT answer."""
    return settings.api_query_timeout + CLIENT_GRACE + 1.0


class DeadlineMiddleware:
    """Pure ASGI: a request to `prefix` (GraphQL) must start its response within `seconds`
    (`request_deadline`), else 503 with `Retry-After` and code TIMEOUT.
    Each Neo4j unit of work is bounded on its own (graph/reader.py); this bounds their sum, so
    a request meeting a slow or restarting Neo4j at several steps (its key, then its fields)
    still ends in time. A response that has started (a subscription's stream) is not cut."""

    def __init__(self, app: ASGIApp, *, seconds: float, prefix: str = "/graphql") -> None:
        self.app = app
        self.seconds = seconds
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        started = False
        deadline = asyncio.timeout(self.seconds)

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                deadline.reschedule(None)
            await send(message)

        try:
            async with deadline:
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            if started or not deadline.expired():
                raise
            await refuse(
                send,
                503,
                ErrorCode.TIMEOUT,
                f"the request took longer than {self.seconds:g} s; retry shortly",
                retry_after=RETRY_AFTER_SECONDS,
            )


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request headers do not arrive
    within `header_timeout` seconds of the connection opening or of the request's first byte
    (uvicorn's keep-alive timeout covers the idle time between requests)."""

    # The seconds, set on the subclass `uvicorn_options` makes for one app. None: read from
    # the environment's settings, which is how the worker processes of `talentmap serve
    # --workers N` (each importing this class anew) get it, as their app gets every setting.
    header_timeout: float | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given = type(self).header_timeout
        self._header_seconds = given if given is not None else _environment_header_timeout()
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self._header_seconds, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows the transport type
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()


@cache
def _environment_header_timeout() -> float:
    return Settings().api_header_timeout


def uvicorn_options(settings: Settings, *, workers: int = 1) -> dict[str, Any]:
    """The uvicorn settings that carry the limits above (for `uvicorn.run` or `Config`).
    With several workers the protocol class travels by name to processes that read the
    header timeout from the environment (the settings came from it too)."""
    protocol: type[HeaderTimeoutProtocol] = (
        HeaderTimeoutProtocol
        if workers > 1
        else type(
            "HeaderTimeoutProtocol",
            (HeaderTimeoutProtocol,),
            {"header_timeout": settings.api_header_timeout},
        )
    )
    return {
        "http": protocol,
        "timeout_keep_alive": settings.api_keep_alive_timeout,
        "limit_concurrency": settings.api_max_connections,
    }
