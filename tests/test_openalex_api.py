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
        records = self._listed(query.get("filter", ""))
        results = records[offset : offset + per_page]
        next_cursor = None
        if results:
            next_cursor = secrets.token_urlsafe(12)
            self._offsets[next_cursor] = offset + len(results)
            self.issued.append(next_cursor)
        meta = {"count": len(records), "per_page": per_page, "next_cursor": next_cursor}
        return 200, {}, {"meta": meta, "results": results}

    def _listed(self, filter_value: str) -> list[dict[str, Any]]:
        """The records a list request pages through: those matching a filter of topic
        attributes (the world counts' citations), else all (the API job's filters are not
        evaluated here)."""
        attributes = {p.partition(":")[0] for p in filter_value.split(",") if p}
        if attributes and attributes <= set(TOPIC_ATTRIBUTES):
            return [r for r in self.records if matches(r, filter_value)]
        return self.records

    def _groups(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """`group_by=publication_year` over the records matching the filter (see
        `matches`), as OpenAlex answers it (keys as strings, most works first)."""
        if query["group_by"] != "publication_year":
            return 400, {}, {"error": "Invalid group_by", "message": query["group_by"]}
        try:
            chosen = [r for r in self.records if matches(r, query.get("filter", ""))]
        except ValueError as e:
            return 400, {}, {"error": "Invalid query parameters", "message": str(e)}
        counts = Counter(int(r["publication_year"]) for r in chosen)
        groups = [
            {"key": str(y), "key_display_name": str(y), "count": n}
            for y, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        ]
        return 200, {}, {"meta": {"count": len(groups)}, "results": [], "group_by": groups}

    def answered(self) -> list[Seen]:
        return [s for s in self.seen if s.status == 200]


# The work filters the fake answers, as OpenAlex reads them: the ids a work's topics give.
TOPIC_ATTRIBUTES = {
    "topics.id": lambda t: t["id"].rsplit("/", 1)[-1],
    "topics.subfield.id": lambda t: t["subfield"]["id"].rsplit("/", 1)[-1],
    "topics.field.id": lambda t: t["field"]["id"].rsplit("/", 1)[-1],
}


def matches(record: dict[str, Any], filter_value: str) -> bool:
    """Whether a work passes an OpenAlex filter of topic attributes: `attr:a|b` (any of them),
    `attr:!a` (not it), parts joined by commas all hold."""
    for part in filter(None, filter_value.split(",")):
        attribute, _, value = part.partition(":")
        if attribute not in TOPIC_ATTRIBUTES or not value:
            raise ValueError(f"the fake cannot filter by {part!r}")
        have = {TOPIC_ATTRIBUTES[attribute](t) for t in record.get("topics") or []}
        if value.startswith("!"):
            if value[1:] in have:
                return False
        elif not have & set(value.split("|")):
            return False
    return True


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


# --- the world's counts per topic, subfield, field and segment --------------------------------


@pytest.fixture(scope="module")
def counted(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Driver:
    """The taxonomy, the industries and the sample works with their derived step, loaded once
    for the world-count tests (each counts different nodes)."""
    from ingest.reference.industries import load_industries
    from ingest.reference.taxonomy import load_taxonomy
    from tests.conftest import load_works

    fresh(graph, settings)
    writer = Writer(graph, settings.neo4j_database)
    load_taxonomy(writer)
    load_works(graph, settings, [SAMPLE_WORKS], tmp_path_factory.mktemp("works"))
    # After the works, so their derived step ranks no segment (the counts job's heat reads them).
    load_industries(writer)
    return graph


def the_world() -> list[dict[str, Any]]:
    """The fake's world: the sample three times over (ids apart)."""
    return [{**w, "id": f"{w['id']}{k}"} for k in range(3) for w in sample_works()]


def test_topic_counts_from_the_api_feed_the_heat(
    counted: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`talentmap ingest openalex-counts --topic ...` against a server whose world is the sample
    three times over (ids apart): those topics' heat counts the world's works (3x the loaded
    ones), with the world's shares, and says so; the other topics keep the graph's."""
    from typer.testing import CliRunner

    from talentmap import cli

    graph = counted
    works = {short_id(w["id"]): w for w in sample_works()}
    by_topic: dict[str, Counter[int]] = defaultdict(Counter)
    totals: Counter[int] = Counter()
    for work in works.values():
        totals[int(work["publication_year"])] += 1
        for t in {short_id(t["id"]) for t in work.get("topics") or []}:
            by_topic[t][int(work["publication_year"])] += 1
    chosen = sorted(by_topic, key=lambda t: (-sum(by_topic[t].values()), t))[:2]
    fake = FakeOpenAlex(the_world(), faults={2: (500, {})})
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


def segment_topics_from_files() -> dict[str, set[str]]:
    """Each segment's topics from data/industries.yaml and the taxonomy CSV (a subfield it
    needs gives all of its topics)."""
    import csv

    import yaml

    root = Path(__file__).resolve().parents[1] / "data"
    in_subfield: dict[str, set[str]] = defaultdict(set)
    with (root / "openalex" / "topics_taxonomy.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            in_subfield[row["subfield_id"]].add(row["topic_id"])
    segments: dict[str, set[str]] = {}
    for industry in yaml.safe_load((root / "industries.yaml").read_text("utf-8"))["industries"]:
        for seg in industry["segments"]:
            topics = set(seg.get("topic_ids") or [])
            for sub in seg.get("subfield_ids") or []:
                topics |= in_subfield[sub.rsplit("/", 1)[-1]]
            segments[seg["id"]] = topics
    return segments


def by_year(works: list[dict[str, Any]], ids: Any, wanted: str | set[str]) -> Counter[int]:
    """Works per publication year among those where `ids` (topic record -> id) gives `wanted`
    (an id, or any of a set) for one of the work's topics: each work once."""
    accept = {wanted} if isinstance(wanted, str) else wanted
    return Counter(
        int(w["publication_year"])
        for w in works
        if {ids(t) for t in w.get("topics") or []} & accept
    )


def last_part(key: str) -> Any:
    """Topic record -> the last part of its `key` object's id (`topics` for its own)."""
    if key == "topic":
        return lambda t: t["id"].rsplit("/", 1)[-1]
    return lambda t: t[key]["id"].rsplit("/", 1)[-1]


def most_common(works: list[dict[str, Any]], key: str, n: int) -> list[str]:
    """The `n` ids of `key` (subfield, field) with most works in `works` (each work once)."""
    ids = last_part(key)
    seen = Counter(i for w in works for i in {ids(t) for t in w.get("topics") or []})
    return [i for i, _ in seen.most_common(n)]


def overcount(works: list[dict[str, Any]], topics: set[str]) -> int:
    """How many more a segment's works would be as the sum of its topics' works."""
    ids = last_part("topic")
    found = [len({ids(t) for t in w.get("topics") or []} & topics) for w in works]
    return sum(found) - sum(1 for n in found if n)


def test_subfield_field_and_segment_counts_are_their_own_calls(
    counted: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subfield, a field and a segment are each counted by their own filter, so a work with
    two of a segment's topics counts once (the chosen segment has such works: summing its
    topics' counts would be more); the segment asked in chunks adds up to the same; the heat
    of those nodes takes the world's works and shares; a subfield not counted keeps the
    graph's. Expected values from the raw records and the data files, not from the graph."""
    from typer.testing import CliRunner

    from ingest.openalex.counts import Wanted, fetch_world_counts
    from talentmap import cli

    works = sample_works()
    subfield, other_subfield = most_common(works, "subfield", 2)
    [field_id] = most_common(works, "field", 1)
    segments = segment_topics_from_files()
    segment = max(sorted(segments), key=lambda s: overcount(works, segments[s]))
    assert overcount(works, segments[segment]) > 0 and len(segments[segment]) == 5
    want = {
        ("Subfield", f"subfields/{subfield}"): by_year(works, last_part("subfield"), subfield),
        ("Field", f"fields/{field_id}"): by_year(works, last_part("field"), field_id),
        ("ChainSegment", segment): by_year(works, last_part("topic"), segments[segment]),
    }
    totals = Counter(int(w["publication_year"]) for w in works)
    fake = FakeOpenAlex(the_world())
    if settings.neo4j_password is not None:  # an external server: keep files out of ~
        monkeypatch.setenv("TALENTMAP_HOME", str(tmp_path))
    with serving(fake) as url:
        monkeypatch.setenv("TALENTMAP_OPENALEX_API_URL", url)
        args = [
            "ingest",
            "openalex-counts",
            "--subfield",
            subfield,
            "--field",
            f"fields/{field_id}",
        ]
        done = CliRunner().invoke(cli.app, [*args, "--segment", segment])
        missing = CliRunner().invoke(cli.app, ["ingest", "openalex-counts", "--segment", "x/y"])
        stored = stored_world(counted, settings)
        fetch_world_counts(
            settings.model_copy(update={"openalex_api_url": url}),
            Writer(counted, settings.neo4j_database),
            Wanted(segments=[segment]),
            backoff=FAST,
            max_or=2,
        )
    assert done.exit_code == 0, done.output
    assert "1 subfield(s), 1 field(s), 1 segment(s)" in done.output
    assert missing.exit_code == 2 and "x/y" in missing.output
    t = sorted(segments[segment])
    assert (
        [s.query.get("filter", "") for s in fake.answered()]
        == [
            "",
            f"topics.subfield.id:{subfield}",
            f"topics.field.id:{field_id}",
            "topics.id:" + "|".join(t),
            "",  # the chunked run: all works, then the chunks, each without the ones before
            f"topics.id:{t[0]}|{t[1]}",
            f"topics.id:{t[2]}|{t[3]},topics.id:!{t[0]},topics.id:!{t[1]}",
            f"topics.id:{t[4]}," + ",".join(f"topics.id:!{x}" for x in t[:4]),
        ]
    )
    assert stored_world(counted, settings) == stored
    for node, counts in want.items():
        assert stored[node] == {y: 3 * n for y, n in counts.items()}, node
        assert_world_heat(counted, settings, node, counts, totals)
    [kept] = rows(
        counted,
        settings,
        "MATCH (n:Subfield {id: $id}) RETURN n.heat_source AS source",
        id=f"subfields/{other_subfield}",
    )
    assert kept["source"] == "graph"


def test_count_ids_and_filters_without_a_server() -> None:
    """Ids as people type them become the graph's; a wrong kind is named; a segment's chunks
    leave out the works of the chunks before them."""
    from ingest.openalex.counts import Wanted, level_filter, normalized, segment_filters
    from schema.labels import Label

    got = normalized(
        Wanted(
            topics=["https://openalex.org/T10001"],
            subfields=["1702", "https://openalex.org/subfields/1702"],
            fields=["fields/17"],
            segments=[" ai/vision "],
        )
    )
    assert (got.topics, got.subfields, got.fields, got.segments) == (
        ["T10001"],
        ["subfields/1702"],
        ["fields/17"],
        ["ai/vision"],
    )
    with pytest.raises(IngestError, match="'fields/17' is not a subfield id"):
        normalized(Wanted(subfields=["fields/17"]))
    assert level_filter(Label.SUBFIELD, "subfields/1702") == "topics.subfield.id:1702"
    assert level_filter(Label.FIELD, "fields/17") == "topics.field.id:17"
    assert segment_filters(["T3", "T1", "T2", "T1"], 2) == [
        "topics.id:T1|T2",
        "topics.id:T3,topics.id:!T1,topics.id:!T2",
    ]


def test_world_citations_add_up_the_works_counts_by_year(
    counted: Driver, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--citations`: the citations a segment's works received per year are their
    counts_by_year added up, paged with `select` (group_by only counts), each work once however
    many of the segment's topics it has; the segment's heat takes them. Expected from the raw
    records (the world is the sample three times)."""
    from typer.testing import CliRunner

    from talentmap import cli

    works = sample_works()
    segments = segment_topics_from_files()
    segment = max(sorted(segments), key=lambda s: overcount(works, segments[s]))
    ids = last_part("topic")
    cited: Counter[int] = Counter()
    for w in works:
        if {ids(t) for t in w.get("topics") or []} & segments[segment]:
            for c in w.get("counts_by_year") or []:
                cited[int(c["year"])] += 3 * int(c["cited_by_count"])
    fake = FakeOpenAlex(the_world())
    if settings.neo4j_password is not None:  # an external server: keep files out of ~
        monkeypatch.setenv("TALENTMAP_HOME", str(tmp_path))
    with serving(fake) as url:
        monkeypatch.setenv("TALENTMAP_OPENALEX_API_URL", url)
        args = ["ingest", "openalex-counts", "--segment", segment, "--citations"]
        done = CliRunner().invoke(cli.app, args)
    assert done.exit_code == 0, done.output
    paged = [s.query for s in fake.answered() if "group_by" not in s.query]
    assert len(paged) == 2  # the segment's 69 works on one page, then the empty one
    assert all(q["select"] == "id,counts_by_year" for q in paged)
    assert all(q["filter"] == "topics.id:" + "|".join(sorted(segments[segment])) for q in paged)
    [heat] = rows(
        counted,
        settings,
        "MATCH (n:ChainSegment {id: $id}) RETURN n.heat_years AS years, n.heat_citations AS "
        "citations, n.world_citation_years AS cited_years, n.world_citations AS cited",
        id=segment,
    )
    assert dict(zip(heat["cited_years"], heat["cited"], strict=True)) == {
        y: n for y, n in cited.items() if n
    }
    assert heat["citations"] == [cited[y] for y in heat["years"]]


def assert_world_heat(
    graph: Driver,
    settings: Settings,
    node: tuple[str, str],
    counts: Counter[int],
    totals: Counter[int],
) -> None:
    """The node's heat says openalex, counts the world's works (3x `counts`) and has the
    world's shares (`counts` over `totals`: the world is the sample three times)."""
    label, key = node
    [heat] = rows(
        graph,
        settings,
        f"MATCH (n:{label} {{id: $id}}) RETURN n.heat_source AS source, n.heat_years AS years, "
        "n.heat_works AS works, n.heat_share AS share",
        id=key,
    )
    assert heat["source"] == "openalex", node
    assert heat["works"] == [3 * counts[y] for y in heat["years"]], node
    for year, share in zip(heat["years"], heat["share"], strict=True):
        assert abs(share - (counts[year] / totals[year] if totals[year] else 0.0)) < 1e-6


def stored_world(graph: Driver, settings: Settings) -> dict[tuple[str, str], dict[int, int]]:
    """The world's works per year stored on subfields, fields and segments, by (label, id);
    the years with none left out."""
    found = rows(
        graph,
        settings,
        "MATCH (n) WHERE n.world_years IS NOT NULL AND NOT n:Topic "
        "RETURN [x IN labels(n) WHERE x IN ['Subfield', 'Field', 'ChainSegment']][0] AS label, "
        "n.id AS id, n.world_years AS years, n.world_works AS works",
    )
    return {
        (r["label"], r["id"]): {y: n for y, n in zip(r["years"], r["works"], strict=True) if n}
        for r in found
    }
