"""Real HTTP servers on this machine for webhook tests: http.server in a thread, answering
each POST as a test says, and keeping what it received."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """A real HTTP server on a loopback address, answering each POST with `answer(n)` (n: the
    request's number, from 0): (status, headers, seconds to wait first)."""

    def __init__(
        self, answer: Callable[[int], tuple[int, dict[str, str], float]], host: str
    ) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = self.rfile.read(length)
                n = len(outer.requests)
                outer.requests.append((self.path, dict(self.headers), payload))
                status, headers, wait = answer(n)
                time.sleep(wait)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://{host}:{self.server.server_address[1]}/hook"


@contextmanager
def receiver(
    answer: Callable[[int], tuple[int, dict[str, str], float]], host: str = "127.0.0.1"
) -> Iterator[Receiver]:
    made = Receiver(answer, host)
    thread = threading.Thread(target=made.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield made
    finally:
        made.server.shutdown()
        made.server.server_close()


def ok(_: int) -> tuple[int, dict[str, str], float]:
    return 200, {}, 0.0
