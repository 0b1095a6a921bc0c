"""Webhooks of watchlists: a list's events delivered as signed JSON to a URL its owner sets.
No I/O: the secret, the signature, the body, the retry schedule and the delivery log's entries.

The receiver checks `X-TalentMap-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body
under the list's secret (shown once, when the webhook is set). A failed delivery (no answer
within the timeout, a status other than 2xx, a redirect: redirects are never followed) is
tried again after `base`, then 2·base, 4·base, ... up to `max_attempts` attempts in all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from schema.watch import Event

SIGNATURE_HEADER = "X-TalentMap-Signature"
EVENT_HEADER = "X-TalentMap-Event"
DELIVERY_HEADER = "X-TalentMap-Delivery"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix that names what follows, not a secret)


def new_webhook_secret() -> str:
    """256 random bits, URL-safe: the key of the list's signatures."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether `header` signs `body` under `secret` (constant-time comparison): what a
    receiver does."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def check_url(url: str) -> str:
    """The URL stripped, when it is an absolute http(s) URL without credentials in it."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    if parts.username or parts.password:
        raise ValueError(
            "a webhook URL carries no user name or password (the signature is the proof)"
        )
    return text


def retry_delay(attempts: int, base: float) -> timedelta:
    """How long after its latest attempt a delivery tried `attempts` times is due again."""
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def body(watchlist_id: str, event: Event) -> bytes:
    """The JSON a receiver gets: the list and the event (UTF-8, keys sorted)."""
    document = {
        "watchlist": watchlist_id,
        "event": {
            "id": event.id,
            "kind": str(event.kind),
            "entityId": event.entity_id,
            "entityKind": str(event.entity_kind),
            "at": event.at.isoformat(),
            "summary": event.summary,
            "facts": event.facts,
        },
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def attempt_id(watchlist_id: str, event_id: str, attempt: int) -> str:
    """The id of the `attempt`th delivery of an event to a list: made once, by whoever
    claims it (so two API processes never send the same attempt)."""
    return f"{watchlist_id}|{event_id}|{attempt}"


class Delivery(BaseModel):
    """One attempt to deliver one event: what the receiver answered, or why there was no
    answer. `ok` is None while the attempt is under way."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    watchlist_id: str
    event_id: str
    attempt: int
    url: str
    at: datetime
    ok: bool | None = None
    status: int | None = None
    error: str | None = None
    ms: float | None = None


class Pending(BaseModel):
    """An event a list's webhook has not yet received: how often it was tried, and when last."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    watchlist_id: str
    url: str
    secret: str
    event: Event
    attempts: int = 0
    last_at: datetime | None = None

    def due(self, now: datetime, base: float) -> bool:
        return self.last_at is None or now >= self.last_at + retry_delay(self.attempts, base)
