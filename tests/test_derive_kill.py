"""The derived step killed with SIGKILL midway (`talentmap derive` in its own process, killed
once its first chunk of scientists is committed: their marks are gone, others remain) and run
again ends with the same graph as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from neo4j import Driver

from schema.settings import Settings
from tests.conftest import SAMPLE_WORKS, fresh, load_works, scalar, snapshot

WORKS = 40  # the sample's first works: a few hundred authorships
CHUNK = 20  # scientists per transaction of the step (TALENTMAP_DERIVE_CHUNK)
MARKED = "MATCH (s:Scientist {needs_derive: true}) RETURN count(s) AS n"


def first_works(path: Path) -> tuple[Path, int]:
    """The sample's first WORKS records as published, and their distinct authors."""
    lines = SAMPLE_WORKS.read_text(encoding="utf-8").splitlines()[:WORKS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    authors = {
        a["author"]["id"]
        for line in lines
        for a in json.loads(line)["authorships"]
        if (a.get("author") or {}).get("id")
    }
    return path, len(authors)


def derive() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "talentmap.cli", "derive"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "TALENTMAP_DERIVE_CHUNK": str(CHUNK)},
    )


def test_killed_derive_reruns_to_the_same_graph(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    works, total = first_works(tmp_path / "works.jsonl")
    assert total > 3 * CHUNK  # chunks enough to kill between two of them
    load_works(graph, settings, [works], tmp_path / "q1", derive=False)
    whole = derive()
    assert whole.wait(timeout=600) == 0, whole.stderr.read() if whole.stderr else ""
    expected = snapshot(graph, settings)

    fresh(graph, settings)
    load_works(graph, settings, [works], tmp_path / "q2", derive=False)
    victim = derive()
    deadline = time.monotonic() + 300
    # The works' chunks mark the authors (the count climbs to `total`, a chunk of works at a
    # time); then each scientists' chunk clears CHUNK marks: kill after the first of those.
    peak = 0
    while True:
        marked = scalar(graph, settings, MARKED)
        peak = max(peak, marked)
        if peak == total and 0 < marked < total:
            break
        assert victim.poll() is None, "the step passed the scientists before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert 0 < scalar(graph, settings, MARKED) < total  # killed between chunks
    assert snapshot(graph, settings) != expected

    again = derive()
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert scalar(graph, settings, MARKED) == 0
    assert snapshot(graph, settings) == expected
