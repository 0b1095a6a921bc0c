"""Webhooks of watchlists in the graph: the URL and secret on the `(:Watchlist)` node, and the
delivery log, `(:Watchlist)-[:SENT]->(:WebhookDelivery)`, one node per attempt.

Delivery runs outside every load (api/webhooks.py, in the API process): the derived step only
writes events, and this module finds the ones a list's webhook has not received. An attempt
is claimed by creating its node under an id made of the list, the event and the attempt's
number (schema.webhook.attempt_id), so two API processes never send the same attempt; its
result is written when the receiver has answered (or not) within the timeout.
"""

from __future__ import annotations

from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.read.watch import event_from_row
from graph.reader import Tx, fetch
from graph.write.watch import editable
from schema.audit import Actor
from schema.labels import Label, Rel
from schema.webhook import Delivery, Pending, attempt_id

SET_WEBHOOK = f"""
MATCH (l:{Label.WATCHLIST} {{id: $id}})
SET l.webhook_url = $url, l.webhook_secret = $secret, l.webhook_since = datetime($at)
"""
CLEAR_WEBHOOK = f"""
MATCH (l:{Label.WATCHLIST} {{id: $id}})
REMOVE l.webhook_url, l.webhook_secret, l.webhook_since
"""
# The events each list with a webhook has not received (no successful attempt), that were
# found after the list started watching their entity and after the webhook was set, with
# fewer than $max_attempts attempts; oldest first.
PENDING = f"""
MATCH (l:{Label.WATCHLIST}) WHERE l.webhook_url IS NOT NULL
MATCH (l)-[w:{Rel.WATCHES}]->()<-[:{Rel.CONCERNS}]-(e:{Label.EVENT})
WHERE e.at >= w.since AND e.at >= l.webhook_since
WITH DISTINCT l, e
OPTIONAL MATCH (l)-[:{Rel.SENT}]->(d:{Label.WEBHOOK_DELIVERY} {{event_id: e.id}})
WITH l, e, count(d) AS attempts, max(d.at) AS last, collect(d.ok) AS results
WHERE NOT true IN results AND attempts < $max_attempts
RETURN l.id AS watchlist, l.webhook_url AS url, l.webhook_secret AS secret,
       e {{.*, at: toString(e.at)}} AS event, attempts, toString(last) AS last
ORDER BY e.at, e.id
LIMIT $limit
"""
CLAIM = f"""
MATCH (l:{Label.WATCHLIST} {{id: $watchlist}})
MERGE (d:{Label.WEBHOOK_DELIVERY} {{id: $id}})
ON CREATE SET d += $props, d.at = datetime($at), d.claimed = $token
MERGE (l)-[:{Rel.SENT}]->(d)
RETURN d.claimed = $token AS mine
"""
FINISH = f"""
MATCH (d:{Label.WEBHOOK_DELIVERY} {{id: $id}})
SET d.ok = $ok, d.status = $status, d.error = $error, d.ms = $ms
"""


async def set_webhook(
    tx: AsyncManagedTransaction,
    *,
    watchlist_id: str,
    url: str | None,
    secret: str | None,
    actor: Actor,
    at: datetime,
) -> None:
    """Deliver the list's events from `at` on to `url`, signed with `secret` (a new secret
    replaces the old one); `url` None stops deliveries. The list's owner, or an admin."""
    await editable(tx, watchlist_id, actor)
    if url is None:
        await tx.run(CLEAR_WEBHOOK, id=watchlist_id)
        return
    await tx.run(SET_WEBHOOK, id=watchlist_id, url=url, secret=secret, at=at.isoformat())


async def pending_deliveries(tx: Tx, max_attempts: int, limit: int) -> list[Pending]:
    """Events webhooks still owe, oldest first (the scheduler decides which are due)."""
    rows = await fetch(tx, PENDING, max_attempts=max_attempts, limit=limit)
    return [
        Pending(
            watchlist_id=r["watchlist"],
            url=r["url"],
            secret=r["secret"],
            event=event_from_row(r["event"]),
            attempts=int(r["attempts"]),
            last_at=r["last"],
        )
        for r in rows
    ]


async def claim_delivery(
    tx: AsyncManagedTransaction, pending: Pending, at: datetime, token: str
) -> Delivery | None:
    """The next attempt of `pending`, claimed for the caller (`token`: a random value of the
    caller's); None when another process claimed it first."""
    attempt = pending.attempts + 1
    delivery = Delivery(
        id=attempt_id(pending.watchlist_id, pending.event.id, attempt),
        watchlist_id=pending.watchlist_id,
        event_id=pending.event.id,
        attempt=attempt,
        url=pending.url,
        at=at,
    )
    props = delivery.model_dump(mode="json", exclude={"id", "at", "ok", "status", "error", "ms"})
    result = await tx.run(
        CLAIM,
        watchlist=pending.watchlist_id,
        id=delivery.id,
        props=props,
        at=at.isoformat(),
        token=token,
    )
    record = await result.single()
    return delivery if record is not None and record["mine"] else None


async def finish_delivery(tx: AsyncManagedTransaction, delivery: Delivery) -> None:
    """The receiver's answer (or why there was none) on the claimed attempt."""
    await tx.run(
        FINISH,
        id=delivery.id,
        ok=delivery.ok,
        status=delivery.status,
        error=delivery.error,
        ms=delivery.ms,
    )
