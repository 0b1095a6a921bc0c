"""HTTP limits (api/http_limits.py) over real sockets against the real API: bodies over the
limit refused before they are read whole (declared or chunked), slow headers and slow bodies
cut off, idle keep-alive connections closed. No Neo4j: the API points at a port nothing
listens on, so every request is refused before one is needed, asks `{ __typename }` as an
anonymous viewer, or gets the 503 of a Neo4j that is down."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http_limits import DeadlineMiddleware
from schema.settings import Settings
from tests.conftest import free_port, serve_api

LIMIT = 1_048_576  # the default, said in the README
SHORT = 0.5  # header and body seconds of this module's API


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{free_port()}",  # nothing listens: never asked
        neo4j_password="unused",
        home=tmp_path_factory.mktemp("limits"),
        api_anonymous_role="viewer",
        webhook_poll_seconds=0,
        api_header_timeout=SHORT,
        api_body_timeout=SHORT,
        api_keep_alive_timeout=1,
    )
    assert settings.api_max_body_bytes == LIMIT
    with serve_api(settings) as url:
        yield url, int(url.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP/1.1 response (with Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, body


def closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed the connection (recv gives b''), at most `seconds`."""
    started = time.monotonic()
    sock.settimeout(seconds)
    while sock.recv(65536):
        pass
    return time.monotonic() - started


def code(body: bytes) -> str:
    return str(json.loads(body)["errors"][0]["extensions"]["code"])


POST = b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"


def test_a_declared_60_mb_body_is_refused_before_it_is_sent(api: tuple[str, int]) -> None:
    with connect(api[1]) as sock:
        started = time.monotonic()
        # Headers only: what the server answers before reading any of the 60 MB.
        sock.sendall(POST + b"Content-Length: 60000000\r\n\r\n")
        status, headers, body = response(sock)
        assert (status, code(body), headers["connection"]) == (413, "PAYLOAD_TOO_LARGE", "close")
        assert f"{LIMIT:,}" in json.loads(body)["errors"][0]["message"]
        assert headers["x-request-id"]
        assert time.monotonic() - started < 2


def test_a_chunked_body_is_refused_once_past_the_limit(api: tuple[str, int]) -> None:
    chunk = b" " * 65536
    with connect(api[1]) as sock:
        sock.sendall(POST + b"Transfer-Encoding: chunked\r\n\r\n")
        for _ in range(LIMIT // len(chunk) + 1):  # just past the limit, never finished
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        status, headers, body = response(sock)
    assert (status, code(body), headers["connection"]) == (413, "PAYLOAD_TOO_LARGE", "close")


def test_a_body_under_the_limit_is_served(api: tuple[str, int]) -> None:
    query = json.dumps({"query": "{ __typename }"})
    padded = query[:-1] + " " * (LIMIT - len(query) - 10) + "}"
    answer = httpx.post(
        f"{api[0]}/graphql",
        content=padded.encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json() == {"data": {"__typename": "Query"}}


def test_slow_headers_are_cut_off(api: tuple[str, int]) -> None:
    with connect(api[1]) as sock:
        sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: t\r\n")  # and never the rest
        assert SHORT * 0.8 < closed_within(sock, 10) < SHORT + 3
    with connect(api[1]) as silent:  # a connection that never says anything
        assert closed_within(silent, 10) < SHORT + 3


def test_a_slow_body_gets_408(api: tuple[str, int]) -> None:
    with connect(api[1]) as sock:
        sock.sendall(POST + b"Content-Length: 100\r\n\r\n" + b'{"query": ')
        started = time.monotonic()
        status, _, body = response(sock)
        assert SHORT * 0.8 < time.monotonic() - started < SHORT + 3
    assert (status, code(body)) == (408, "REQUEST_TIMEOUT")


def test_idle_keep_alive_connections_are_closed(api: tuple[str, int]) -> None:
    body = json.dumps({"query": "{ __typename }"}).encode()
    with connect(api[1]) as sock:
        sock.sendall(POST + b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        status, headers, _ = response(sock)
        assert status == 200 and headers.get("connection") != "close"
        assert closed_within(sock, 10) < 1 + 3  # api_keep_alive_timeout is 1 s


def test_the_readme_lists_the_limits() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in (
        "TALENTMAP_API_MAX_BODY_BYTES",
        "TALENTMAP_API_HEADER_TIMEOUT",
        "TALENTMAP_API_BODY_TIMEOUT",
        "TALENTMAP_API_KEEP_ALIVE_TIMEOUT",
        "TALENTMAP_API_MAX_CONNECTIONS",
        "TALENTMAP_API_QUERY_TIMEOUT",
    ):
        assert name in readme, name


def test_without_neo4j_answers_are_503_with_retry_after(api: tuple[str, int]) -> None:
    """This module's API points at a port nothing listens on: Neo4j is down from the start."""
    url = api[0]
    asks = {
        "a resolver's read": {},
        "a key lookup": {"Authorization": "Bearer tmk_unknown"},
    }
    for what, headers in asks.items():
        started = time.monotonic()
        answer = httpx.post(
            f"{url}/graphql",
            json={"query": '{ scientist(id: "A5023888391") { __typename } }'},
            headers=headers,
            timeout=30,
        )
        assert time.monotonic() - started < 10, what
        assert answer.status_code == 503, (what, answer.text)
        assert answer.headers["retry-after"] == "5"
        errors = answer.json()["errors"]
        assert {e["extensions"]["code"] for e in errors} == {"UNAVAILABLE"}, what
        assert "unreachable" in errors[0]["message"]
        assert "127.0.0.1" not in answer.text  # the driver's words stay in the log
    ready = httpx.get(f"{url}/readyz", timeout=30)
    assert (ready.status_code, ready.headers["retry-after"]) == (503, "5")
    assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200


def test_the_deadline_refuses_a_late_answer_but_never_cuts_a_started_one() -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(5)

    async def streaming(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0.3)  # past the deadline, once the answer has started
        await send({"type": "http.response.body", "body": b"done"})

    async def run(app: ASGIApp, path: str) -> list[Message]:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "path": path, "headers": []}
        await DeadlineMiddleware(app, seconds=0.1)(scope, receive, send)
        return sent

    started = time.monotonic()
    late = asyncio.run(run(slow, "/graphql"))
    assert time.monotonic() - started < 1
    assert late[0]["status"] == 503
    assert (b"retry-after", b"5") in late[0]["headers"]
    assert code(late[1]["body"]) == "TIMEOUT"
    assert asyncio.run(run(streaming, "/graphql"))[-1]["body"] == b"done"
