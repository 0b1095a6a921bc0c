"""The OpenAlex API job against a real HTTP server on 127.0.0.1 that serves the sample works as
OpenAlex list pages (opaque cursors, scripted 429s and 500s), then the spool file loaded into
the real Neo4j by the same job runner as `talentmap ingest openalex`."""

from __future__ import annotations

import gzip
import json
import secrets
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from neo4j import Driver
from pydantic import SecretStr

from graph.unit_of_work import Writer
from ingest.errors import IngestError
from ingest.jobs import run_job
from ingest.openalex.api import (
    Backoff,
    InvalidQueryError,
    OpenAlexApiError,
    build_filter,
    fetch_to_spool,
    parse_since,
    retry_after,
)
from ingest.openalex.entities import SOURCES
from schema.settings import Settings
from tests.conftest import (
    SAMPLE_WORKS,
    free_port,
    fresh,
    rows,
    sample_works,
    short_id,
    snapshot,
)

API_KEY = "sk-test-0123456789abcdef"
MAILTO = "talent@example.org"
FAST = Backoff(base=0.001, cap=0.01, attempts=4)
SERVER_LIFETIME = 60.0  # seconds; the server shuts itself down after this, whatever happens
REQUEST_BUDGET = 100  # requests beyond this are answered 503
BATCH = 1000


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    query: dict[str, str]
    user_agent: str
    status: int = 0


@dataclass
class FakeOpenAlex:
    """An OpenAlex list endpoint over `records`: cursor paging as OpenAlex does it (a
    next_cursor with every non-empty page, then an empty page with next_cursor null), and
    `faults`: request number (1-based) -> (status, headers) answered instead of a page."""

    records: list[dict[str, Any]]
    entity: str = "works"
    faults: dict[int, tuple[int, dict[str, str]]] = field(default_factory=dict)
    always: int | None = None  # answer every request with this status
    budget: int = REQUEST_BUDGET  # requests beyond this are answered 503
    seen: list[Seen] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # next_cursor values, in order
    _offsets: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, path: str, query: dict[str, str], agent: str
    ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            seen = Seen(path, query, agent)
            self.seen.append(seen)
            number = len(self.seen)
            status, headers, body = self._answer(number, path, query)
            seen.status = status
        return status, headers, json.dumps(body).encode()

    def _answer(
        self, number: int, path: str, query: dict[str, str]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if number > self.budget:
            return 503, {}, {"error": "budget", "message": "the test server's budget is spent"}
        if self.always is not None:
            return self.always, {}, {"error": "Server error", "message": "scripted failure"}
        if number in self.faults:
            status, headers = self.faults[number]
            return status, headers, {"error": "Scripted", "message": f"scripted {status}"}
        if path != f"/{self.entity}":
            return 404, {}, {"error": "Not found", "message": path}
        if "group_by" in query:
            return self._groups(query)
        cursor = query.get("cursor", "")
        offset = 0 if cursor == "*" else self._offsets.get(cursor)
        if offset is None:
            return 400, {}, {"error": "Invalid cursor", "message": cursor}
        per_page = int(query.get("per-page", "25"))
        results = self.records[offset : offset + per_page]
        next_cursor = None
        if results:
            next_cursor = secrets.token_urlsafe(12)
            self._offsets[next_cursor] = offset + len(results)
            self.issued.append(next_cursor)
        meta = {"count": len(self.records), "per_page": per_page, "next_cursor": next_cursor}
        return 200, {}, {"meta": meta, "results": results}

    def _groups(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """`group_by=publication_year` over the records, filtered by `topics.id:T...` if
        given, as OpenAlex answers it (keys as strings, most works first)."""
        if query["group_by"] != "publication_year":
            return 400, {}, {"error": "Invalid group_by", "message": query["group_by"]}
        wanted = query.get("filter", "").removeprefix("topics.id:")
        counts: dict[int, int] = {}
        for record in self.records:
            topics = {t["id"].rsplit("/", 1)[-1] for t in record.get("topics") or []}
            if not wanted or wanted in topics:
                year = int(record["publication_year"])
                counts[year] = counts.get(year, 0) + 1
        groups = [
            {"key": str(y), "key_display_name": str(y), "count": n}
            for y, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        ]
        return 200, {}, {"meta": {"count": len(groups)}, "results": [], "group_by": groups}

    def answered(self) -> list[Seen]:
        return [s for s in self.seen if s.status == 200]


def _handler(fake: FakeOpenAlex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 5  # an idle or stuck connection frees its thread
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            agent = self.headers.get("User-Agent", "")
            status, headers, body = fake.answer(parts.path, query, agent)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(fake: FakeOpenAlex) -> Iterator[str]:
    """The fake on a free loopback port, in a daemon thread; it stops when the block ends, or
    by itself after SERVER_LIFETIME seconds."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    watchdog = threading.Timer(SERVER_LIFETIME, server.shutdown)
    watchdog.daemon = True
    thread.start()
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        watchdog.cancel()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def api_settings(url: str, home: Path, *, key: str | None = API_KEY) -> Settings:
    return Settings(
        openalex_api_url=url,
        openalex_api_key=SecretStr(key) if key else None,
        openalex_mailto=MAILTO,
        home=home,
    )


def spooled(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def spool_dir_contents(home: Path) -> list[str]:
    folder = home / "spool"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- paging, query parameters, retries ---------------------------------------------------------


def test_every_record_once_in_order_through_a_429_and_a_500(tmp_path: Path) -> None:
    works = sample_works()
    fake = FakeOpenAlex(works, faults={2: (429, {"Retry-After": "0"}), 4: (500, {})})
    progress: list[tuple[int, int | None]] = []
    with serving(fake) as url:
        report = fetch_to_spool(
            api_settings(url, tmp_path),
            "works",
            ["type:article", "publication_year:2000-2030"],
            date(2024, 1, 31),
            per_page=50,
            on_progress=lambda done, total: progress.append((done, total)),
            backoff=FAST,
        )

    # every record exactly once, in the server's order, the same JSON value as served
    assert spooled(report.path) == works
    assert report.records == len(works) == 340
    assert report.complete and report.total == len(works)
    assert report.path.name.startswith("openalex-works-")
    assert report.path.name.endswith(".jsonl.gz")
    assert report.path.parent == tmp_path / "spool"
    assert spool_dir_contents(tmp_path) == [report.path.name]  # no .partial left

    # the cursor chain: "*" first, then each next_cursor the server issued, in order; the
    # chain ended on the empty page that carries next_cursor null
    pages = -(-len(works) // 50)
    assert [s.query["cursor"] for s in fake.answered()] == ["*", *fake.issued]
    assert len(fake.issued) == pages and report.pages == pages + 1

    # the retries: request 2 (429) and request 4 (500) were each asked again, same cursor
    statuses = [s.status for s in fake.seen]
    assert statuses == [200, 429, 200, 500] + [200] * (pages + 1 - 2)
    assert fake.seen[1].query["cursor"] == fake.seen[2].query["cursor"]
    assert fake.seen[3].query["cursor"] == fake.seen[4].query["cursor"]
    assert report.requests == len(fake.seen) and report.retries == 2

    # what every request carried
    for seen in fake.seen:
        assert seen.path == "/works"
        assert seen.query["filter"] == (
            "type:article,publication_year:2000-2030,from_updated_date:2024-01-31"
        )
        assert seen.query["per-page"] == "50"
        assert seen.query["api_key"] == API_KEY
        assert seen.query["mailto"] == MAILTO
        assert "TalentMap" in seen.user_agent and MAILTO in seen.user_agent

    assert progress == [(min(50 * n, len(works)), len(works)) for n in range(1, pages + 1)] + [
        (len(works), len(works))
    ]


def test_no_key_and_no_mailto_are_not_sent(tmp_path: Path) -> None:
    fake = FakeOpenAlex(sample_works()[:3])
    with serving(fake) as url:
        settings = Settings(openalex_api_url=url, home=tmp_path)
        report = fetch_to_spool(settings, "works", [], date(2024, 1, 1), backoff=FAST)
    assert report.records == 3
    assert {s.query["per-page"] for s in fake.seen} == {"200"}
    assert all("api_key" not in s.query and "mailto" not in s.query for s in fake.seen)
    assert all(s.query["filter"] == "from_updated_date:2024-01-01" for s in fake.seen)


def test_max_records_stops_early(tmp_path: Path) -> None:
    works = sample_works()
    fake = FakeOpenAlex(works)
    with serving(fake) as url:
        report = fetch_to_spool(
            api_settings(url, tmp_path),
            "works",
            ["type:article"],
            None,
            per_page=50,
            max_records=75,
            backoff=FAST,
        )
    assert spooled(report.path) == works[:75]
    assert not report.complete
    assert len(fake.seen) == 2  # no page fetched beyond what was needed


def test_429_without_retry_after_backs_off_and_retries(tmp_path: Path) -> None:
    fake = FakeOpenAlex(sample_works()[:5], faults={1: (429, {}), 2: (429, {})})
    with serving(fake) as url:
        report = fetch_to_spool(api_settings(url, tmp_path), "works", ["a:b"], None, backoff=FAST)
    assert report.records == 5 and report.retries == 2
    assert [s.status for s in fake.seen] == [429, 429, 200, 200]


def test_persistent_500_gives_up_naming_url_and_status_not_key(tmp_path: Path) -> None:
    fake = FakeOpenAlex(sample_works(), always=500)
    with serving(fake) as url, pytest.raises(OpenAlexApiError) as caught:
        fetch_to_spool(api_settings(url, tmp_path), "works", ["type:article"], None, backoff=FAST)
    message = str(caught.value)
    assert isinstance(caught.value, IngestError)
    assert len(fake.seen) == FAST.attempts
    assert f"{url}/works?" in message
    assert "filter=type:article&per-page=200&cursor=*" in message
    assert "after 4 attempt(s)" in message and "HTTP 500" in message
    assert API_KEY not in message and "api_key" not in message
    assert spool_dir_contents(tmp_path) == []  # neither a spool file nor a .partial


def test_long_retry_after_is_not_waited_out(tmp_path: Path) -> None:
    fake = FakeOpenAlex(sample_works(), faults={1: (429, {"Retry-After": "3600"})})
    with serving(fake) as url, pytest.raises(OpenAlexApiError, match="wait 3600s"):
        fetch_to_spool(api_settings(url, tmp_path), "works", ["a:b"], None, backoff=FAST)
    assert len(fake.seen) == 1


def test_a_4xx_is_not_retried_and_shows_openalex_message(tmp_path: Path) -> None:
    fake = FakeOpenAlex(sample_works(), faults={1: (400, {})})
    with serving(fake) as url, pytest.raises(OpenAlexApiError) as caught:
        fetch_to_spool(api_settings(url, tmp_path), "works", ["a:b"], None, backoff=FAST)
    assert "HTTP 400" in str(caught.value) and "scripted 400" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert len(fake.seen) == 1


def test_nothing_listening_is_retried_then_reported(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # bound and released: nothing listens there
    with pytest.raises(OpenAlexApiError) as caught:
        fetch_to_spool(api_settings(url, tmp_path), "works", ["a:b"], None, backoff=FAST)
    assert "ConnectError" in str(caught.value) and f"{url}/works?" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert spool_dir_contents(tmp_path) == []


# --- the query ---------------------------------------------------------------------------------


def test_since_must_be_an_iso_date() -> None:
    assert parse_since("2024-02-29") == date(2024, 2, 29)
    for bad in ("2023-02-29", "yesterday", "2024/01/01", "20240101", ""):
        with pytest.raises(InvalidQueryError, match="is not a date; expected an ISO date"):
            parse_since(bad)


def test_filters_are_comma_joined_with_since() -> None:
    since = date(2024, 5, 1)
    assert (
        build_filter(["a:1", "b.c:x|y, d:2"], since)
        == "a:1,b.c:x|y,d:2,from_updated_date:2024-05-01"
    )
    assert build_filter([], None) == ""
    with pytest.raises(InvalidQueryError, match="key:value"):
        build_filter(["publication_year"], None)
    with pytest.raises(InvalidQueryError, match="not both"):
        build_filter(["from_updated_date:2024-01-01"], since)


def test_bad_queries_are_refused_before_any_request(tmp_path: Path) -> None:
    settings = api_settings("http://127.0.0.1:9", tmp_path)  # never asked
    with pytest.raises(InvalidQueryError, match="every OpenAlex works"):
        fetch_to_spool(settings, "works", [], None)
    with pytest.raises(InvalidQueryError, match="unknown OpenAlex entity"):
        fetch_to_spool(settings, "works/../x", ["a:b"], None)
    with pytest.raises(InvalidQueryError, match="per-page"):
        fetch_to_spool(settings, "works", ["a:b"], None, per_page=201)


def test_retry_after_header_forms() -> None:
    assert retry_after("0") == 0.0
    assert retry_after("2.5") == 2.5
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    assert retry_after(None) is None and retry_after("soon") is None


def test_backoff_grows_and_is_capped() -> None:
    import random

    backoff = Backoff(base=1.0, cap=8.0)
    rng = random.Random(7)
    waits = [backoff.delay(n, rng) for n in range(1, 7)]
    for n, wait in enumerate(waits, start=1):
        ceiling = min(8.0, 2.0 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling


# --- the spool loaded into the real Neo4j -----------------------------------------------------


def test_spool_loads_like_a_file(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    works = sample_works()
    fake = FakeOpenAlex(works, faults={3: (429, {"Retry-After": "0"}), 5: (500, {})})
    with serving(fake) as url:
        spool = fetch_to_spool(
            api_settings(url, tmp_path / "home"),
            "works",
            ["type:article"],
            date(2024, 1, 1),
            per_page=64,
            backoff=FAST,
        )
    writer = Writer(graph, settings.neo4j_database)
    quarantine = tmp_path / "quarantine"
    report = run_job(
        writer, SOURCES["works"], [spool.path], quarantine_dir=quarantine, batch_size=BATCH
    )
    distinct = {short_id(w["id"]) for w in works}
    assert report.read == len(works) and report.written == len(works)
    assert report.quarantined == 0 and report.run_id
    nodes, _ = first = snapshot(graph, settings)
    loaded = {
        props["id"]
        for labels, props in map(json.loads, nodes)
        if "Work" in labels and not props.get("stub")
    }
    assert loaded == distinct and len(loaded) == len(distinct)

    again = run_job(
        writer, SOURCES["works"], [spool.path], quarantine_dir=quarantine, batch_size=BATCH
    )
    assert again.written == len(works)
    assert snapshot(graph, settings) == first  # a re-run changes nothing


# --- the command line ----------------------------------------------------------------------------


def test_command_fetches_and_loads(
    graph: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`talentmap ingest openalex-api`, in-process so it can reach the fake server."""
    from typer.testing import CliRunner

    from talentmap import cli

    works = sample_works()
    fake = FakeOpenAlex(works, faults={2: (500, {})})
    if settings.neo4j_password is not None:  # an external server: keep the spool out of ~
        monkeypatch.setenv("TALENTMAP_HOME", str(tmp_path))
    monkeypatch.setenv("TALENTMAP_OPENALEX_API_KEY", API_KEY)
    monkeypatch.setenv("TALENTMAP_OPENALEX_MAILTO", MAILTO)
    with serving(fake) as url:
        monkeypatch.setenv("TALENTMAP_OPENALEX_API_URL", url)
        args = ["ingest", "openalex-api", "--filter", "type:article", "--since", "2024-01-31"]
        bad = CliRunner().invoke(cli.app, [*args[:-1], "2024-31-01"])
        done = CliRunner().invoke(cli.app, [*args, "--per-page", "100", "--no-derive"])
    assert bad.exit_code == 2 and "--since '2024-31-01' is not a date" in bad.output
    assert done.exit_code == 0, done.output
    assert f"fetched {len(works)} record(s)" in done.output and "(1 retried)" in done.output
    assert f"openalex-works: read {len(works)}, written {len(works)}" in done.output
    assert API_KEY not in done.output
    assert fake.seen[-1].query["filter"] == "type:article,from_updated_date:2024-01-31"
    nodes, _ = snapshot(graph, settings)
    loaded = {
        props["id"]
        for labels, props in map(json.loads, nodes)
        if "Work" in labels and not props.get("stub")
    }
    assert loaded == {short_id(w["id"]) for w in works}


# --- the world's counts per topic ----------------------------------------------------------------


def test_topic_counts_from_the_api_feed_the_heat(
    graph: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`talentmap ingest openalex-counts --topic ...` against a server whose world is the sample
    three times over (ids apart): those topics' heat counts the world's works (3x the loaded
    ones), with the world's shares, and says so; the other topics keep the graph's."""
    from typer.testing import CliRunner

    from ingest.reference.taxonomy import load_taxonomy
    from talentmap import cli
    from tests.conftest import load_works

    works = {short_id(w["id"]): w for w in sample_works()}
    fresh(graph, settings)
    load_taxonomy(Writer(graph, settings.neo4j_database))
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path / "works")
    by_topic: dict[str, Counter[int]] = defaultdict(Counter)
    totals: Counter[int] = Counter()
    for work in works.values():
        totals[int(work["publication_year"])] += 1
        for t in {short_id(t["id"]) for t in work.get("topics") or []}:
            by_topic[t][int(work["publication_year"])] += 1
    chosen = sorted(by_topic, key=lambda t: (-sum(by_topic[t].values()), t))[:2]
    world = [{**w, "id": f"{w['id']}{k}"} for k in range(3) for w in works.values()]
    fake = FakeOpenAlex(world, faults={2: (500, {})})
    if settings.neo4j_password is not None:  # an external server: keep files out of ~
        monkeypatch.setenv("TALENTMAP_HOME", str(tmp_path))
    with serving(fake) as url:
        monkeypatch.setenv("TALENTMAP_OPENALEX_API_URL", url)
        args = ["ingest", "openalex-counts", *(x for t in chosen for x in ("--topic", t))]
        done = CliRunner().invoke(cli.app, args)
        missing = CliRunner().invoke(cli.app, ["ingest", "openalex-counts", "--topic", "T1"])
    assert done.exit_code == 0, done.output
    assert (
        f"openalex counts: {len(chosen)} topic(s)" in done.output and "(1 retried)" in done.output
    )
    assert missing.exit_code != 0 and "T1" in missing.output
    assert [s.query.get("filter", "") for s in fake.answered()] == [
        "",
        *(f"topics.id:{t}" for t in chosen),
    ]
    other = next(t for t in sorted(by_topic) if t not in chosen)
    for topic in [*chosen, other]:
        [heat] = rows(
            graph,
            settings,
            "MATCH (t:Topic {id: $id}) RETURN t.heat_source AS source, t.heat_years AS years, "
            "t.heat_works AS works, t.heat_share AS share",
            id=topic,
        )
        scale = 3 if topic in chosen else 1
        assert heat["source"] == ("openalex" if topic in chosen else "graph")
        assert heat["works"] == [scale * by_topic[topic][y] for y in heat["years"]], topic
        for year, share in zip(heat["years"], heat["share"], strict=True):
            want = by_topic[topic][year] / totals[year] if totals[year] else 0.0
            assert abs(share - want) < 1e-6, (topic, year)
