"""A job killed with SIGKILL mid-file and run again ends with the same graph as an
uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from neo4j import Driver

from schema.settings import Settings
from tests.conftest import fresh, sample_works, snapshot

COPIES = 2
BATCH = 20


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample twice over, each copy under new work ids (W<id><copy>)."""
    path = tmp_path_factory.mktemp("resume") / "works.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for copy in range(1, COPIES + 1):
            for work in sample_works():
                out.write(json.dumps({**work, "id": f"{work['id']}{copy}"}) + "\n")
    return path


def talentmap(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "talentmap.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def committed_position(graph: Driver, settings: Settings) -> int:
    records, _, _ = graph.execute_query(
        "MATCH (r:IngestRun {status: 'running'}) RETURN r.checkpoint AS c",
        database_=settings.neo4j_database,
    )
    positions = [max(json.loads(r["c"] or "{}").values(), default=0) for r in records]
    return max(positions, default=0)


def test_killed_job_resumes_to_the_same_graph(
    graph: Driver, settings: Settings, big_input: Path
) -> None:
    args = ("ingest", "openalex", "--batch-size", str(BATCH), str(big_input))
    fresh(graph, settings)
    whole = talentmap(*args)
    assert whole.wait(timeout=600) == 0, whole.stderr.read() if whole.stderr else ""
    expected = snapshot(graph, settings)

    fresh(graph, settings)
    victim = talentmap(*args)
    deadline = time.monotonic() + 300
    while committed_position(graph, settings) < 200:
        assert victim.poll() is None, "the job finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    total = COPIES * len(sample_works())
    records, _, _ = graph.execute_query(
        "MATCH (w:Work) WHERE w.stub IS NULL RETURN count(w) AS n",
        database_=settings.neo4j_database,
    )
    assert 200 <= records[0]["n"] < total  # killed mid-file, with batches committed

    again = talentmap(*args)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "resumed run" in out
    assert "skipped" in out
    got = snapshot(graph, settings)
    for kind, want_rows, got_rows in zip(("nodes", "rels"), expected, got, strict=True):
        want_set, got_set = set(want_rows), set(got_rows)
        assert len(got_rows) == len(want_rows), kind
        assert sorted(want_set - got_set)[:3] == sorted(got_set - want_set)[:3] == [], kind
