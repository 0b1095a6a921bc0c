"""The README's path end to end: the `talentmap` commands as a user runs them, against the
session's Neo4j, ending with a GraphQL query over HTTP to `talentmap serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from neo4j import Driver
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SAMPLE_WORKS, free_port, most_prolific, short_id

TALENTMAP = [sys.executable, "-m", "talentmap.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [*TALENTMAP, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def migrated(graph: Driver) -> Driver:
    return graph


def test_migrate_twice(migrated: Driver) -> None:
    first = run("db", "migrate")
    assert first.returncode == 0, first.stderr
    assert "0 migration(s) applied now" in first.stdout  # the fixture migrated already
    assert run("db", "migrate").stdout == first.stdout


def test_bad_input_exits_nonzero_naming_file_and_line(migrated: Driver, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "https://openalex.org/W5"}\n{"id": "https://openalex.org/W6"\n')
    strict = run("ingest", "openalex", "--strict", str(bad))
    assert strict.returncode == 2
    assert f"{bad}:2: not valid JSON" in strict.stderr
    assert "nothing was written" in strict.stderr
    assert "Traceback" not in strict.stderr
    records, _, _ = migrated.execute_query("MATCH (w:Work {id: 'W5'}) RETURN w")
    assert records == []

    done = run("ingest", "openalex", str(bad))
    assert done.returncode == 2
    assert f"{bad}:2: not valid JSON" in done.stderr
    assert "1 unusable record(s) quarantined" in done.stderr
    records, _, _ = migrated.execute_query("MATCH (w:Work {id: 'W5'}) RETURN w")
    assert len(records) == 1

    missing = run("ingest", "openalex", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2
    assert f"{tmp_path / 'nope.jsonl'}: no such file" in missing.stderr


def test_ingest_then_stats(migrated: Driver) -> None:
    done = run("ingest", "openalex", str(SAMPLE_WORKS))
    assert done.returncode == 0, done.stderr
    assert "openalex-works: read 340, written 340, quarantined 0" in done.stdout
    stats = run("db", "stats")
    assert stats.returncode == 0
    rows = {
        cells[0]: cells[1]
        for line in stats.stdout.splitlines()
        if len(cells := [c.strip() for c in line.strip("│|").split("│") if c.strip()]) == 2
    }
    assert int(rows["Work"].replace(",", "")) >= 340  # and the cited works outside the sample
    assert rows["AUTHORED"] != "0"


@contextmanager
def serving(*options: str) -> Iterator[str]:
    """`talentmap serve` on a free port with `options`, until ready; its URL."""
    port = free_port()
    process = subprocess.Popen(
        [*TALENTMAP, "serve", "--port", str(port), *options],
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"talentmap serve did not come up:\n{output}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def served(migrated: Driver) -> Iterator[str]:
    with serving() as url:
        yield url


def test_serve_answers_a_scientist_query(served: str) -> None:
    # An author chosen and counted from the raw JSON, independently of the code under test.
    author, name, work_ids = most_prolific()
    query = '{ scientist(id: "%s") { ... on Scientist { name works { totalCount } } } }'
    payload = {"query": query % short_id(author)}
    assert httpx.post(f"{served}/graphql", json=payload).status_code == 401  # no key
    created = run("apikey", "create", "--role", "viewer", "--name", "cli-readme")
    assert created.returncode == 0, created.stderr
    headers = {"Authorization": f"Bearer {created.stdout.strip()}"}
    body = httpx.post(f"{served}/graphql", json=payload, headers=headers).json()
    assert body == {"data": {"scientist": {"name": name, "works": {"totalCount": len(work_ids)}}}}


def test_serve_with_workers_answers_and_counts_every_request(migrated: Driver) -> None:
    author, name, work_ids = most_prolific()
    query = 'query Card { scientist(id: "%s") { ... on Scientist { name works { totalCount } } } }'
    payload = {"query": query % short_id(author)}
    created = run("apikey", "create", "--role", "viewer", "--name", "cli-workers")
    assert created.returncode == 0, created.stderr
    headers = {"Authorization": f"Bearer {created.stdout.strip()}"}
    expected = {"data": {"scientist": {"name": name, "works": {"totalCount": len(work_ids)}}}}
    with serving("--workers", "2") as url:
        # A new connection per request, so that the kernel spreads them over both workers.
        for _ in range(12):
            assert httpx.post(f"{url}/graphql", json=payload, headers=headers).json() == expected
        # Whichever process answers /metrics counts all twelve (a process counting only its own
        # would fall short as soon as the two shared the requests).
        pages = [httpx.get(f"{url}/metrics").text for _ in range(6)]
    for page in pages:
        counts = [
            sample.value
            for family in text_string_to_metric_families(page)
            for sample in family.samples
            if sample.name == "talentmap_graphql_request_seconds_count"
            and sample.labels.get("operation") == "Card"
        ]
        assert counts == [12]


def test_help_says_why_reruns_are_safe() -> None:
    for command in (["neo4j", "start"], ["db", "migrate"], ["ingest", "openalex"]):
        done = run(*command, "--help")
        assert done.returncode == 0
        text = " ".join(done.stdout.split()).lower()
        assert "re-run" in text or "does nothing" in text or "nothing is provisioned" in text, (
            command,
            json.dumps(text[:300]),
        )
