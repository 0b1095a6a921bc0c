"""`talentmap apikey create|list|revoke` as a user runs them: the key printed once and alone
on stdout, only its SHA-256 in the graph, the key working against the API until revoked."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import httpx
from neo4j import Driver

from schema.settings import Settings
from tests.conftest import rows

TALENTMAP = [sys.executable, "-m", "talentmap.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [*TALENTMAP, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def status(url: str, key: str) -> int:
    response = httpx.post(
        f"{url}/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    return response.status_code


def test_create_prints_the_key_once_and_stores_its_hash(
    graph: Driver, settings: Settings, api_url: str
) -> None:
    created = run("apikey", "create", "--role", "recruiter", "--name", "cli-frontend")
    assert created.returncode == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1
    key = lines[0]
    assert key.startswith("tmk_") and len(key) > 40
    assert "shown only this once" in created.stderr
    assert key not in created.stderr

    (stored,) = rows(
        graph,
        settings,
        "MATCH (k:ApiKey {name: 'cli-frontend'}) RETURN properties(k) AS props",
    )
    props = stored["props"]
    assert props["hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert props["role"] == "recruiter"
    assert key not in {str(v) for v in props.values()}
    assert status(api_url, key) == 200

    listed = run("apikey", "list")
    assert listed.returncode == 0, listed.stderr
    assert key not in listed.stdout + listed.stderr
    (line,) = [x for x in listed.stdout.splitlines() if "cli-frontend" in x]
    assert props["id"] in line and "recruiter" in line


def test_revoke_by_name_and_id(graph: Driver, settings: Settings, api_url: str) -> None:
    first = run("apikey", "create", "--role", "viewer", "--name", "cli-twin").stdout.strip()
    second = run("apikey", "create", "--role", "viewer", "--name", "cli-twin").stdout.strip()
    ids = [
        r["id"]
        for r in rows(
            graph,
            settings,
            "MATCH (k:ApiKey {name: 'cli-twin'}) RETURN k.id AS id, k.hash AS hash",
        )
        if r["hash"] == hashlib.sha256(first.encode()).hexdigest()
    ]
    (first_id,) = ids

    ambiguous = run("apikey", "revoke", "cli-twin")
    assert ambiguous.returncode == 1
    assert "2 active keys are named 'cli-twin'" in ambiguous.stderr

    by_id = run("apikey", "revoke", first_id)
    assert by_id.returncode == 0, by_id.stderr
    assert f"API key {first_id} (cli-twin, role viewer) is revoked." in by_id.stdout
    again = run("apikey", "revoke", first_id)
    assert "was already revoked" in again.stdout

    by_name = run("apikey", "revoke", "cli-twin")  # now only the second one is active
    assert by_name.returncode == 0, by_name.stderr
    assert first_id not in by_name.stdout

    deadline = time.monotonic() + settings.api_key_cache_seconds + 2
    while status(api_url, first) == 200 or status(api_url, second) == 200:
        assert time.monotonic() < deadline, "revoked keys still work"
        time.sleep(0.2)
    revoked = rows(
        graph,
        settings,
        "MATCH (k:ApiKey {name: 'cli-twin'}) WHERE k.revoked_at IS NOT NULL RETURN k.id AS id",
    )
    assert len(revoked) == 2


def test_bad_input(graph: Driver) -> None:
    bad_role = run("apikey", "create", "--role", "root", "--name", "x")
    assert bad_role.returncode == 2
    assert bad_role.stdout == ""
    missing = run("apikey", "revoke", "no-such-key")
    assert missing.returncode == 1
    assert "no key has the id 'no-such-key', and no active key has that name" in missing.stderr
    blank = run("apikey", "create", "--role", "viewer", "--name", "  ")
    assert blank.returncode == 1
    assert blank.stdout == ""
