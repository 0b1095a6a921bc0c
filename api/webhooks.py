"""Delivering watchlists' events to their webhooks, in the API process, outside every load.

The derived step only writes events (graph/write/event.py); a `Deliverer` polls the graph for
the events webhooks still owe (graph/write/webhook.py), every `webhook_poll_seconds`, and
POSTs each as signed JSON (schema/webhook.py) with httpx: a timeout on every request,
redirects never followed (a receiver cannot send our signed body, or us, to another host),
the answer (or why there was none) written to the list's delivery log. A failed delivery is
retried with exponential backoff. Lists are served side by side, each list's events in order,
and a list's round stops at its first failure: a slow or failing receiver holds back its own
list, never another's, and never a load.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import defaultdict
from datetime import UTC, datetime

import httpx

from graph.errors import GraphError
from graph.reader import ReadPool
from graph.write.webhook import claim_delivery, finish_delivery, pending_deliveries
from schema.settings import Settings
from schema.webhook import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    Delivery,
    Pending,
    body,
    sign,
)

log = logging.getLogger("talentmap.api.webhooks")

BATCH = 200  # pending deliveries read per round


class Deliverer:
    def __init__(self, pool: ReadPool, settings: Settings) -> None:
        self._pool = pool
        self._timeout = settings.webhook_timeout
        self._base = settings.webhook_retry_seconds
        self._max_attempts = settings.webhook_max_attempts
        self._poll = settings.webhook_poll_seconds
        # Marks this process's claims (graph.write.webhook.claim_delivery).
        self._token = secrets.token_hex(8)

    async def run_once(
        self, client: httpx.AsyncClient, now: datetime | None = None
    ) -> list[Delivery]:
        """One round: every delivery due at `now` (default: now), lists side by side; the
        attempts made."""
        reader = self._pool.reader()
        found = await reader(pending_deliveries, self._max_attempts, BATCH)
        now = now or datetime.now(UTC)
        by_list: dict[str, list[Pending]] = defaultdict(list)
        for pending in found:
            by_list[pending.watchlist_id].append(pending)
        rounds = await asyncio.gather(
            *(self._deliver_list(client, items, now) for items in by_list.values())
        )
        return [d for made in rounds for d in made]

    async def _deliver_list(
        self, client: httpx.AsyncClient, items: list[Pending], now: datetime
    ) -> list[Delivery]:
        made: list[Delivery] = []
        for pending in items:
            if not pending.due(now, self._base):
                break  # in order: a later event waits for the earlier one
            delivery = await self.deliver(client, pending)
            if delivery is None:
                break  # another process has this list's round
            made.append(delivery)
            if not delivery.ok:
                break
        return made

    async def deliver(self, client: httpx.AsyncClient, pending: Pending) -> Delivery | None:
        """Claim the next attempt of `pending`, POST it, log the answer; None when another
        process claimed it."""
        reader = self._pool.reader()
        claimed = await reader.write(claim_delivery, pending, datetime.now(UTC), self._token)
        if claimed is None:
            return None
        result = await post(client, pending, claimed.id, self._timeout)
        done = claimed.model_copy(update=result)
        await reader.write(finish_delivery, done)
        return done

    async def run_forever(self) -> None:
        """Rounds every `webhook_poll_seconds` until cancelled; a failed round is logged and
        the next one tries again."""
        async with httpx.AsyncClient(follow_redirects=False) as client:
            while True:
                try:
                    await self.run_once(client)
                except (GraphError, httpx.HTTPError) as e:
                    log.warning("webhook round failed: %s", e)
                except Exception:  # a bug must not stop every later delivery
                    log.exception("webhook round failed")
                await asyncio.sleep(self._poll)


async def post(
    client: httpx.AsyncClient, pending: Pending, delivery_id: str, timeout: float
) -> dict[str, object]:
    """POST the event to the list's URL: {ok, status, error, ms}. Never raises for what a
    receiver does."""
    content = body(pending.watchlist_id, pending.event)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(pending.secret, content),
        EVENT_HEADER: pending.event.id,
        DELIVERY_HEADER: delivery_id,
        "User-Agent": "TalentMap-Webhooks/1",
    }
    started = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        response = await client.post(
            pending.url, content=content, headers=headers, timeout=timeout, follow_redirects=False
        )
        status = response.status_code
        if response.is_redirect:
            where = response.headers.get("location", "?")
            error = f"redirect to {where} not followed"
        elif not response.is_success:
            error = f"HTTP {status}"
    except httpx.TimeoutException:
        error = f"no answer within {timeout:g} s"
    except httpx.HTTPError as e:
        error = f"{type(e).__name__}: {e}"
    ms = round((time.perf_counter() - started) * 1000, 1)
    return {"ok": error is None, "status": status, "error": error, "ms": ms}
