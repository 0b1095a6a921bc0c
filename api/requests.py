"""Request ids: every HTTP request gets one (or keeps a sane `X-Request-ID` it came with),
returned in the `X-Request-ID` response header, carried by masked errors
(`extensions.requestId`) and written in the log line of every unexpected error, so a user's
report leads to the traceback."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
# A caller's id is kept only when it cannot forge log lines or bloat them.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current: ContextVar[str | None] = ContextVar("talentmap_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request)."""
    return _current.get()


def set_request_id(request_id: str) -> None:
    """Make `request_id` the current one (the middleware's job; tests outside HTTP use it)."""
    _current.set(request_id)


class RequestIdMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): the id is set in the context the whole request
    runs in, resolvers and DataLoader batches included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.lower().encode(), b"").decode("latin-1")
        request_id = given if _ACCEPTED.fullmatch(given) else uuid.uuid4().hex
        token = _current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
