"""Watchlists over real HTTP, and the events the derived step writes: a watched scientist gets
a new work in a load, and its event appears with the right facts; re-running changes nothing;
lists are private unless shared; viewers read, recruiters keep lists; writes are audited."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from websockets.typing import Subprotocol

from graph.unit_of_work import Writer
from ingest.derived.step import derive
from schema.settings import Settings
from tests.conftest import (
    ask,
    create_key,
    load_works,
    most_prolific,
    rows,
    sample_file,
    scalar,
    short_id,
)

WATCHLIST = """
  __typename
  ... on Watchlist { id name shared owner entityIds }
  ... on Failure { message }
"""
CREATE = f"""mutation ($n: String!, $s: Boolean!) {{
  createWatchlist(name: $n, shared: $s) {{ {WATCHLIST} }}
}}"""
WATCH = f"mutation ($l: ID!, $e: ID!) {{ watch(watchlist: $l, entity: $e) {{ {WATCHLIST} }} }}"
UNWATCH = f"mutation ($l: ID!, $e: ID!) {{ unwatch(watchlist: $l, entity: $e) {{ {WATCHLIST} }} }}"
EVENTS = """
query ($l: ID!, $since: DateTime) {
  events(watchlist: $l, since: $since, first: 50) {
    __typename
    ... on EventConnection {
      totalCount
      edges { node { id kind entityId entityKind at summary facts
                     entity { __typename ... on Scientist { id } } } }
    }
    ... on NotFound { message }
  }
}"""


@pytest.fixture(scope="module")
def sample(
    graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The most prolific sample author's works but the last two (by id), loaded and derived;
    each held-back work in a file of its own."""
    tmp = tmp_path_factory.mktemp("watch")
    author, _, works = most_prolific()
    held, live = sorted(works)[-1], sorted(works)[-2]
    first = sample_file(works - {held, live}, tmp / "works.jsonl")
    later = sample_file({held}, tmp / "later.jsonl")
    streamed = sample_file({live}, tmp / "live.jsonl")
    load_works(graph, settings, [first], tmp / "quarantine")
    yield {
        "author": short_id(author),
        "held": held,
        "later": later,
        "live": live,
        "streamed": streamed,
        "tmp": tmp,
    }


@pytest.fixture(scope="module")
def keys(graph: Driver, settings: Settings, api_url: str) -> dict[str, str]:
    return {
        name: create_key(graph, settings, role, name)
        for name, role in (("alice", "recruiter"), ("bob", "recruiter"), ("vera", "viewer"))
    }


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def watching(
    api_url: str, key: str, name: str, entity: str, *, shared: bool = False
) -> dict[str, Any]:
    """A new watchlist of `key`'s, watching `entity`."""
    made: dict[str, Any] = data(
        ask(api_url, CREATE, {"n": name, "s": shared}, key=key), "createWatchlist"
    )
    data(ask(api_url, WATCH, {"l": made["id"], "e": entity}, key=key), "watch")
    return made


@contextmanager
def subscribed(api_url: str, key: str, query: str, variables: dict[str, Any]) -> Iterator[Any]:
    """A graphql-transport-ws connection to the API with `key`, acknowledged, subscribed to
    `query` as subscription "1"."""
    from websockets.sync.client import connect

    url = api_url.replace("http://", "ws://") + "/graphql"
    with connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={"Authorization": f"Bearer {key}"},
        open_timeout=30,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
        payload = {"query": query, "variables": variables}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield ws


def test_a_new_work_of_a_watched_scientist_becomes_one_event(
    api_url: str, graph: Driver, settings: Settings, sample: dict[str, Any], keys: dict[str, str]
) -> None:
    alice = keys["alice"]
    made = data(ask(api_url, CREATE, {"n": "Kunshan AI", "s": False}, key=alice), "createWatchlist")
    assert (made["__typename"], made["owner"], made["shared"]) == ("Watchlist", "alice", False)
    listed = data(
        ask(
            api_url,
            WATCH,
            {"l": made["id"], "e": f"https://openalex.org/{sample['author']}"},
            key=alice,
        ),
        "watch",
    )
    assert listed["entityIds"] == [sample["author"]]
    before = data(ask(api_url, EVENTS, {"l": made["id"]}, key=alice), "events")
    assert before["totalCount"] == 0

    load_works(graph, settings, [sample["later"]], sample["tmp"] / "quarantine")
    after = data(ask(api_url, EVENTS, {"l": made["id"]}, key=alice), "events")
    new_works = [e["node"] for e in after["edges"] if e["node"]["kind"] == "NEW_WORK"]
    assert len(new_works) == 1, after
    [event] = new_works
    raw = json.loads(sample["later"].read_text(encoding="utf-8"))
    assert event["entityId"] == sample["author"]
    assert event["entity"] == {"__typename": "Scientist", "id": sample["author"]}
    assert event["facts"]["work"] == sample["held"]
    assert event["facts"]["year"] == raw["publication_year"]
    assert event["id"] == f"work:{sample['author']}:{sample['held']}"
    assert str(raw["publication_year"]) in event["summary"]
    # The work's mark is gone with the step that read it.
    assert scalar(graph, settings, "MATCH (w:Work) WHERE w.new_record RETURN count(w)") == 0

    # Idempotent: the same load again (skipped as unchanged), and the derived step over the
    # same work marked again, write no second event.
    total = after["totalCount"]
    load_works(graph, settings, [sample["later"]], sample["tmp"] / "quarantine")
    rows(
        graph,
        settings,
        "MATCH (w:Work {id: $id}) SET w.needs_derive = true, w.new_record = true",
        id=sample["held"],
    )
    derive(Writer(graph, settings.neo4j_database), max_authors=settings.max_authors_for_ties)
    again = data(ask(api_url, EVENTS, {"l": made["id"]}, key=alice), "events")
    assert again["totalCount"] == total
    assert scalar(graph, settings, "MATCH (e:Event) RETURN count(e)") == total

    # `since` after the event: nothing.
    later = data(
        ask(api_url, EVENTS, {"l": made["id"], "since": "2999-01-01T00:00:00Z"}, key=alice),
        "events",
    )
    assert later["totalCount"] == 0


def test_private_lists_roles_and_audit(
    api_url: str, sample: dict[str, Any], keys: dict[str, str]
) -> None:
    alice, bob, vera = keys["alice"], keys["bob"], keys["vera"]
    mine = data(ask(api_url, CREATE, {"n": "mine", "s": False}, key=alice), "createWatchlist")
    shared = data(ask(api_url, CREATE, {"n": "district", "s": True}, key=alice), "createWatchlist")
    seen = {w["id"] for w in data(ask(api_url, "{ watchlists { id } }", key=vera), "watchlists")}
    assert shared["id"] in seen and mine["id"] not in seen
    hidden = data(ask(api_url, EVENTS, {"l": mine["id"]}, key=bob), "events")
    assert hidden["__typename"] == "NotFound"
    # Bob sees the shared list but does not change it.
    refused = data(
        ask(api_url, WATCH, {"l": shared["id"], "e": sample["author"]}, key=bob), "watch"
    )
    assert refused["__typename"] == "Forbidden"
    unknown = data(ask(api_url, WATCH, {"l": mine["id"], "e": "A0000000001"}, key=alice), "watch")
    assert unknown["__typename"] == "InvalidInput"
    blank = data(ask(api_url, CREATE, {"n": "  ", "s": False}, key=alice), "createWatchlist")
    assert blank["__typename"] == "InvalidInput"
    # Viewers read; they keep no lists.
    body = ask(api_url, CREATE, {"n": "v", "s": False}, key=vera)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    data(ask(api_url, WATCH, {"l": mine["id"], "e": sample["author"]}, key=alice), "watch")
    gone = data(
        ask(api_url, UNWATCH, {"l": mine["id"], "e": sample["author"]}, key=alice), "unwatch"
    )
    assert gone["entityIds"] == []
    log = data(
        ask(api_url, "{ auditLog(first: 100) { edges { node { action entity keyName } } } }"),
        "auditLog",
    )
    actions = {(e["node"]["action"], e["node"]["keyName"]) for e in log["edges"]}
    assert {("createWatchlist", "alice"), ("watch", "alice"), ("unwatch", "alice")} <= actions


def test_affiliation_events_from_differences() -> None:
    from datetime import UTC, datetime

    from schema.watch import EventKind, affiliation_events

    at = datetime(2026, 1, 1, tzinfo=UTC)
    before = {"I1": {"name": "Old U", "start": 2010, "end": 2020}}
    after = {**before, "I2": {"name": "New U", "start": 2021, "end": 2024}}
    [moved] = affiliation_events("A1", before, after, at)
    assert (moved.kind, moved.facts["institution"], moved.id) == (
        EventKind.MOVE,
        "I2",
        "move:A1:I2",
    )
    side = {**after, "I3": {"name": "Side", "start": 2012, "end": 2013}}
    [extra] = affiliation_events("A1", after, side, at)
    assert extra.kind is EventKind.NEW_AFFILIATION
    assert affiliation_events("A1", {}, after, at) == []
    assert affiliation_events("A1", after, after, at) == []


def test_a_new_tie_with_the_home_region_is_reported(tmp_path: Path) -> None:
    """The home-region test in Cypher (graph.write.event) names what it relies on."""
    from graph.write.event import WATCHED_NEW_WORKS

    assert "new_record" in WATCHED_NEW_WORKS and "District" in WATCHED_NEW_WORKS


def test_an_event_arrives_over_the_subscription_after_an_ingest(
    api_url: str, graph: Driver, settings: Settings, sample: dict[str, Any], keys: dict[str, str]
) -> None:
    alice = keys["alice"]
    made = watching(api_url, alice, "live", sample["author"])
    query = "subscription ($l: ID!) { events(watchlist: $l) { id kind entityId facts } }"
    with subscribed(api_url, alice, query, {"l": made["id"]}) as ws:
        time.sleep(1.5)  # the subscription has started reading
        load_works(graph, settings, [sample["streamed"]], sample["tmp"] / "quarantine")
        deadline = time.monotonic() + 60
        kinds: list[str] = []
        while time.monotonic() < deadline:
            message = json.loads(ws.recv(timeout=60))
            assert message["type"] == "next", message
            event = message["payload"]["data"]["events"]
            kinds.append(event["kind"])
            if event["kind"] == "NEW_WORK":
                assert event["entityId"] == sample["author"]
                assert event["facts"]["work"] == sample["live"]
                break
        assert "NEW_WORK" in kinds
        ws.send(json.dumps({"id": "1", "type": "complete"}))


def test_a_subscription_needs_the_list_to_be_visible(
    api_url: str, sample: dict[str, Any], keys: dict[str, str]
) -> None:
    made = data(ask(api_url, CREATE, {"n": "p", "s": False}, key=keys["alice"]), "createWatchlist")
    query = "subscription ($l: ID!) { events(watchlist: $l) { id } }"
    with subscribed(api_url, keys["bob"], query, {"l": made["id"]}) as ws:
        message = json.loads(ws.recv(timeout=30))
        assert message["type"] in ("error", "next"), message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert "no watchlist" in errors[0]["message"]


SET_WEBHOOK = """
mutation ($l: ID!, $u: String!) {
  setWebhook(watchlist: $l, url: $u) {
    __typename
    ... on WebhookSet { url secret watchlist { id webhook { url since } } }
    ... on Watchlist { id webhook { url } }
    ... on InvalidInput { field }
    ... on Failure { message }
  }
}"""
DELIVERIES = """
query ($l: ID!) {
  watchlist(id: $l) {
    ... on Watchlist {
      webhook { url }
      deliveries(first: 10) { totalCount edges { node { eventId attempt ok status url } } }
    }
  }
}"""


def test_a_webhook_set_over_the_api_receives_the_lists_events(
    api_url: str, graph: Driver, settings: Settings, sample: dict[str, Any], keys: dict[str, str]
) -> None:
    from datetime import UTC, datetime

    from graph.write.event import write_events
    from schema.watch import EntityKind, Event, EventKind
    from schema.webhook import SIGNATURE_HEADER, verify
    from tests.receivers import ok, receiver

    alice = keys["alice"]
    made = watching(api_url, alice, "hooked", sample["author"], shared=True)
    with receiver(ok) as server:
        hook = {"l": made["id"], "u": server.url}
        # Only the owner (or an admin) sets it; viewers not at all; only http(s) URLs.
        assert data(ask(api_url, SET_WEBHOOK, hook, key=keys["bob"]), "setWebhook")[
            "__typename"
        ] == ("Forbidden")
        refused = ask(api_url, SET_WEBHOOK, hook, key=keys["vera"])
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        bad = data(
            ask(api_url, SET_WEBHOOK, {**hook, "u": "file:///etc/passwd"}, key=alice), "setWebhook"
        )
        assert (bad["__typename"], bad["field"]) == ("InvalidInput", "url")
        set_ = data(ask(api_url, SET_WEBHOOK, hook, key=alice), "setWebhook")
        assert set_["__typename"] == "WebhookSet", set_
        assert set_["secret"].startswith("whsec_") and len(set_["secret"]) > 40
        assert set_["watchlist"]["webhook"]["url"] == server.url
        # The event the derived step would write for the watched scientist.
        event = Event(
            id=f"work:{sample['author']}:W-hooked",
            kind=EventKind.NEW_WORK,
            entity_id=sample["author"],
            entity_kind=EntityKind.SCIENTIST,
            at=datetime.now(UTC),
            summary="new work (2026): hooked",
            facts={"work": "W-hooked", "year": 2026},
        )
        Writer(graph, settings.neo4j_database)(write_events, [event])
        # The API's deliverer polls every webhook_poll_seconds (5 s by default).
        deadline = time.monotonic() + 30
        logged: dict[str, Any] = {}
        while time.monotonic() < deadline:
            logged = data(ask(api_url, DELIVERIES, {"l": made["id"]}, key=alice), "watchlist")
            if any(e["node"]["ok"] for e in logged["deliveries"]["edges"]):
                break
            time.sleep(0.3)
    [(_, headers, payload)] = server.requests
    assert verify(set_["secret"], payload, headers[SIGNATURE_HEADER])
    assert json.loads(payload)["event"]["id"] == event.id
    assert [e["node"] for e in logged["deliveries"]["edges"]] == [
        {"eventId": event.id, "attempt": 1, "ok": True, "status": 200, "url": server.url}
    ]
    # An empty URL stops deliveries; both writes are audited.
    gone = data(ask(api_url, SET_WEBHOOK, {**hook, "u": ""}, key=alice), "setWebhook")
    assert (gone["__typename"], gone["webhook"]) == ("Watchlist", None)
    log = data(
        ask(api_url, "{ auditLog(first: 100) { edges { node { action entity keyName } } } }"),
        "auditLog",
    )
    hooks = [e["node"] for e in log["edges"] if e["node"]["action"] == "setWebhook"]
    assert [h["keyName"] for h in hooks] == ["alice", "alice"]
