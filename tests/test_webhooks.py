"""Watchlist webhooks against real HTTP servers on this machine (http.server in threads): a
good receiver checks the signature, a slow one is cut off by the timeout without holding back
another list, a failing one (5xx, then success) gets retries with backoff, a malicious one
redirects to another host and is not followed. Deliveries run through the API's `Deliverer`
over the real graph; the events are written by the derived step's own writer."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from neo4j import Driver

from api.webhooks import Deliverer
from graph.driver import connect_async
from graph.read.watch import watchlist_deliveries
from graph.reader import ReadPool
from graph.unit_of_work import Writer
from graph.write.event import write_events
from graph.write.watch import create_watchlist, watch
from graph.write.webhook import set_webhook
from schema.apikey import Role
from schema.audit import Actor
from schema.settings import Settings
from schema.watch import EntityKind, Event, EventKind, Watchlist, new_watchlist_id
from schema.webhook import (
    SIGNATURE_HEADER,
    Delivery,
    Pending,
    check_url,
    new_webhook_secret,
    retry_delay,
    sign,
    verify,
)
from tests.conftest import load_works, most_prolific, sample_file, short_id
from tests.receivers import ok, receiver

R = TypeVar("R")
ADMIN = Actor(name="tests", key_id="key_tests", role=Role.ADMIN)


@pytest.fixture(scope="module")
def scientist(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The most prolific sample author, loaded with one of their works (events need a
    watched entity, nothing more)."""
    tmp = tmp_path_factory.mktemp("webhooks")
    author, _, works = most_prolific()
    path = sample_file({min(works)}, tmp / "works.jsonl")
    load_works(graph, settings, [path], tmp / "quarantine", derive=False)
    return short_id(author)


def fast(settings: Settings, **changes: Any) -> Settings:
    """The settings with a short timeout and retry interval (seconds)."""
    values = {"webhook_timeout": 0.5, "webhook_retry_seconds": 0.2, **changes}
    return settings.model_copy(update=values)


def on_pool(settings: Settings, work: Callable[[ReadPool], Awaitable[R]]) -> R:
    async def run() -> R:
        pool = ReadPool(connect_async(settings), settings.neo4j_database)
        try:
            return await work(pool)
        finally:
            await pool.close()

    return asyncio.run(run())


async def hooked_list(pool: ReadPool, scientist: str, url: str) -> tuple[str, str]:
    """A new list watching the scientist with a webhook to `url`: (its id, the secret)."""
    made = Watchlist(
        id=new_watchlist_id(), name="hooked", owner="tests", created_at=datetime.now(UTC)
    )
    writer = pool.reader().write
    await writer(create_watchlist, made)
    at = datetime.now(UTC)
    await writer(
        watch,
        watchlist_id=made.id,
        entity_id=scientist,
        kind=EntityKind.SCIENTIST,
        actor=ADMIN,
        at=at,
    )
    secret = new_webhook_secret()
    await writer(set_webhook, watchlist_id=made.id, url=url, secret=secret, actor=ADMIN, at=at)
    return made.id, secret


async def unhook(pool: ReadPool, watchlist_id: str) -> None:
    await pool.reader().write(
        set_webhook,
        watchlist_id=watchlist_id,
        url=None,
        secret=None,
        actor=ADMIN,
        at=datetime.now(UTC),
    )


def new_event(graph: Driver, settings: Settings, scientist: str, subject: str) -> Event:
    """An event about the scientist, written as the derived step writes them, a moment after
    now (so it follows every webhook set before)."""
    event = Event(
        id=f"work:{scientist}:{subject}",
        kind=EventKind.NEW_WORK,
        entity_id=scientist,
        entity_kind=EntityKind.SCIENTIST,
        at=datetime.now(UTC) + timedelta(milliseconds=5),
        summary=f"new work (2026): {subject}",
        facts={"work": subject, "title": "标题 title", "year": 2026},
    )
    Writer(graph, settings.neo4j_database)(write_events, [event])
    return event


async def log_of(pool: ReadPool, watchlist_id: str) -> list[Delivery]:
    _, page = await pool.reader()(watchlist_deliveries, watchlist_id, 0, 100)
    return sorted(page, key=lambda d: d.attempt)


def test_a_good_receiver_gets_each_event_once_signed(
    graph: Driver, settings: Settings, scientist: str
) -> None:
    with receiver(ok) as good:

        async def work(pool: ReadPool) -> tuple[str, str, list[Delivery], list[Delivery]]:
            wl, secret = await hooked_list(pool, scientist, good.url)
            new_event(graph, settings, scientist, "W-good")
            deliverer = Deliverer(pool, fast(settings))
            async with httpx.AsyncClient() as client:
                first = await deliverer.run_once(client)
                again = await deliverer.run_once(client)
            await unhook(pool, wl)
            return wl, secret, first, again + await log_of(pool, wl)

        wl, secret, first, rest = on_pool(settings, work)
    assert len(good.requests) == 1
    path, headers, payload = good.requests[0]
    assert path == "/hook"
    assert verify(secret, payload, headers[SIGNATURE_HEADER])
    assert not verify("whsec_other", payload, headers[SIGNATURE_HEADER])
    document = json.loads(payload)
    assert document["watchlist"] == wl
    assert document["event"]["id"] == f"work:{scientist}:W-good"
    assert document["event"]["facts"]["title"] == "标题 title"
    assert headers["X-TalentMap-Event"] == document["event"]["id"]
    [made] = first
    assert (made.ok, made.status, made.attempt, made.error) == (True, 200, 1, None)
    # The second round sent nothing; the log holds the one attempt.
    assert [(d.id, d.ok) for d in rest] == [(made.id, True)]


def test_a_slow_receiver_times_out_and_holds_back_no_other_list(
    graph: Driver, settings: Settings, scientist: str
) -> None:
    def slow(_: int) -> tuple[int, dict[str, str], float]:
        return 200, {}, 3.0

    with receiver(slow) as sleepy, receiver(ok) as good:

        async def work(pool: ReadPool) -> tuple[float, list[Delivery]]:
            lists = [await hooked_list(pool, scientist, r.url) for r in (sleepy, good)]
            new_event(graph, settings, scientist, "W-slow")
            started = time.monotonic()
            async with httpx.AsyncClient() as client:
                made = await Deliverer(pool, fast(settings)).run_once(client)
            seconds = time.monotonic() - started
            for wl, _ in lists:
                await unhook(pool, wl)
            return seconds, made

        seconds, made = on_pool(settings, work)
    by_url = {d.url: d for d in made}
    late, fine = by_url[sleepy.url], by_url[good.url]
    assert (late.ok, late.status) == (False, None)
    assert late.error == "no answer within 0.5 s"
    assert (fine.ok, fine.status) == (True, 200)
    assert len(good.requests) == 1
    assert seconds < 2.0, seconds  # the round did not wait for the slow receiver


def test_a_failing_receiver_gets_retries_with_backoff(
    graph: Driver, settings: Settings, scientist: str
) -> None:
    def flaky(n: int) -> tuple[int, dict[str, str], float]:
        return (503 if n < 2 else 204), {}, 0.0

    with receiver(flaky) as server:

        async def work(pool: ReadPool) -> tuple[list[int], list[Delivery]]:
            wl, _ = await hooked_list(pool, scientist, server.url)
            new_event(graph, settings, scientist, "W-flaky")
            # Retries after 30 s, then 60 s: each round is told the time it is.
            deliverer = Deliverer(pool, fast(settings, webhook_retry_seconds=30))
            made: list[int] = []
            async with httpx.AsyncClient() as client:
                for later in (0, 1, 31, 50, 92, 1000):
                    now = datetime.now(UTC) + timedelta(seconds=later)
                    made.append(len(await deliverer.run_once(client, now)))
            log = await log_of(pool, wl)
            await unhook(pool, wl)
            return made, log

        made, log = on_pool(settings, work)
    # One attempt, none while backing off, the retry, none, the last retry, nothing more.
    assert made == [1, 0, 1, 0, 1, 0]
    assert [(d.attempt, d.status, d.ok) for d in log] == [
        (1, 503, False),
        (2, 503, False),
        (3, 204, True),
    ]
    assert log[0].error == "HTTP 503"
    assert len(server.requests) == 3
    bodies = {payload for _, _, payload in server.requests}
    assert len(bodies) == 1  # the same signed body each time


def test_a_redirect_to_another_host_is_not_followed(
    graph: Driver, settings: Settings, scientist: str
) -> None:
    # 127.0.0.2 is another host on the loopback network.
    with receiver(ok, host="127.0.0.2") as elsewhere:

        def redirect(_: int) -> tuple[int, dict[str, str], float]:
            return 307, {"Location": elsewhere.url + "?stolen=1"}, 0.0

        with receiver(redirect) as malicious:

            async def work(pool: ReadPool) -> list[Delivery]:
                wl, _ = await hooked_list(pool, scientist, malicious.url)
                new_event(graph, settings, scientist, "W-redirect")
                async with httpx.AsyncClient() as client:
                    made = await Deliverer(pool, fast(settings)).run_once(client)
                await unhook(pool, wl)
                return made

            [made] = on_pool(settings, work)
    assert elsewhere.requests == []
    assert len(malicious.requests) == 1
    assert (made.ok, made.status) == (False, 307)
    assert made.error == f"redirect to {elsewhere.url}?stolen=1 not followed"


def test_two_processes_never_send_the_same_attempt(
    graph: Driver, settings: Settings, scientist: str
) -> None:
    with receiver(ok) as good:

        async def work(pool: ReadPool) -> list[Delivery]:
            wl, _ = await hooked_list(pool, scientist, good.url)
            new_event(graph, settings, scientist, "W-twice")
            one, two = Deliverer(pool, fast(settings)), Deliverer(pool, fast(settings))
            async with httpx.AsyncClient() as client:
                rounds = await asyncio.gather(one.run_once(client), two.run_once(client))
            await unhook(pool, wl)
            return [d for made in rounds for d in made]

        made = on_pool(settings, work)
    assert len(made) == 1
    assert len(good.requests) == 1


def test_signatures_urls_and_the_schedule() -> None:
    secret = "whsec_test"
    assert sign(secret, b"{}") == sign(secret, b"{}") != sign(secret, b"{ }")
    assert verify(secret, b"{}", sign(secret, b"{}"))
    assert not verify(secret, b"{}", None)
    assert check_url(" https://example.org/hook ") == "https://example.org/hook"
    for bad in ("ftp://example.org/x", "example.org/hook", "https://user:pw@example.org/"):
        with pytest.raises(ValueError):
            check_url(bad)
    assert [retry_delay(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    event = Event(
        id="e",
        kind=EventKind.NEW_WORK,
        entity_id="A1",
        entity_kind=EntityKind.SCIENTIST,
        at=datetime(2026, 1, 1, tzinfo=UTC),
        summary="s",
    )
    last = datetime(2026, 1, 1, 12, tzinfo=UTC)
    tried = Pending(
        watchlist_id="wl", url="http://x", secret=secret, event=event, attempts=2, last_at=last
    )
    assert not tried.due(last + timedelta(seconds=59), 30)
    assert tried.due(last + timedelta(seconds=60), 30)
    assert Pending(watchlist_id="wl", url="http://x", secret=secret, event=event).due(last, 30)
