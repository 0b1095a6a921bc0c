"""The peer benchmark: `python -m bench.peer` (or `make bench-peer`; `--help` for the options).

Our API beside @neo4j/graphql (the Node service in bench/peer/, its own package-lock.json)
over the same graph, and beside the bare Cypher our API runs (each request's repository calls
recorded in-process and replayed through the Python driver, as bench/api does). The graph is
bench/api's load (`--home` keeps and reuses it). Three questions (bench/peer_families.py):
a scientist's profile, two institutions' cooperation, a name search.

1. The check: for `--check` drawn ids per question both APIs must give the same data; any
   difference is printed and the run stops with exit status 1.
2. The load: one generator for both APIs, wrk (Debian's `wrk`, a Lua script in bench/peer/),
   `--seconds` per cell after a warm-up, at each of `--clients`; p50/p99 and requests/s of
   ours, the peer's and the bare Cypher in one run, the CPU each API process spent per
   request, and the machine's load average with every row.
3. The floor: our document executed by graphql-core (our SDL, api/schema.graphql) over
   resolvers that return our API's finished answer, JSON decoding and encoding included: the
   CPU a GraphQL server cannot avoid, per request.

The table goes to bench/results/peer-<time>.md and the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql
import httpx

from bench.api import (
    Call,
    Family,
    Sample,
    _bench_home,
    api_headers,
    load_once,
    percentile,
    record,
    replay_bare,
    sample_ids,
    serve,
)
from bench.peer_families import FAMILIES, Ids, PeerFamily, differences
from bench.synthetic import free_port
from graph import server
from schema.settings import Settings

REPO = Path(__file__).resolve().parent.parent
PEER = REPO / "bench" / "peer"
RESULTS = REPO / "bench" / "results"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Cell:
    """One measurement: latency percentiles (ms), requests/s, errors, CPU ms per request."""

    p50: float
    p99: float
    rps: float
    errors: int
    requests: int = 0
    cpu_ms: float | None = None


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of the process `pid` and its live descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        todo.extend(children.get(current, []))
    return total


def wrk(url: str, bodies: Path, headers: dict[str, str], clients: int, seconds: int) -> Cell:
    """`wrk` with `clients` connections on one thread for `seconds`."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(PEER / "wrk.lua"), url, "--", str(bodies)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr or done.stdout}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Cell(
        result["p50"] / 1000, result["p99"] / 1000, result["requests"] / result["seconds"],
        result["errors"], result["requests"],
    )  # fmt: skip


def load_cell(
    url: str, bodies: Path, headers: dict[str, str], pid: int, clients: int, seconds: int
) -> Cell:
    """A warm-up of a fifth of `seconds`, then the measured run with the API's CPU."""
    wrk(url, bodies, headers, clients, max(1, seconds // 5))
    before = cpu_seconds(pid)
    cell = wrk(url, bodies, headers, clients, seconds)
    cell.cpu_ms = (cpu_seconds(pid) - before) * 1000 / max(1, cell.requests)
    return cell


async def bare_cell(settings: Settings, calls: list[list[Call]], clients: int) -> Cell:
    """The recorded repository calls replayed through the driver, `clients` at once."""
    timing = await replay_bare(settings, calls, clients, max(10, len(calls) // 5))
    lat = timing.latencies
    return Cell(
        statistics.median(lat), percentile(lat, 0.99), len(lat) / timing.seconds, timing.errors
    )


def floor_ms(
    family: PeerFamily, answers: list[tuple[dict[str, Any], dict[str, Any]]]
) -> tuple[float, float]:
    """CPU ms per request of graphql-core executing our document over the finished data
    (JSON decoding of the request and encoding of the answer included): with parsing and
    validation each time, and over the document parsed and validated once (as our API's
    caches do)."""
    schema = graphql.build_schema((REPO / "api" / "schema.graphql").read_text(encoding="utf-8"))
    bodies = [json.dumps({"query": family.ours, "variables": v}) for v, _ in answers]
    document = graphql.parse(family.ours)
    assert not graphql.validate(schema, document)
    rounds = max(1, 2000 // len(answers))

    def timed(parse: bool) -> float:
        start = time.process_time()
        for _ in range(rounds):
            for body, (_, data) in zip(bodies, answers, strict=True):
                request = json.loads(body)
                if parse:
                    doc = graphql.parse(request["query"])
                    graphql.validate(schema, doc)
                result = graphql.execute_sync(
                    schema,
                    doc if parse else document,
                    root_value=data,
                    variable_values=request["variables"],
                )
                json.dumps({"data": result.data})
        return (time.process_time() - start) * 1000 / (rounds * len(answers))

    return timed(True), timed(False)


def start_peer(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    if not (PEER / "node_modules").is_dir():
        raise SystemExit(f"the peer's packages are missing: run `npm ci` in {PEER}")
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USERNAME": settings.neo4j_username,
        "NEO4J_PASSWORD": settings.resolved_password() or "",
        "NEO4J_DATABASE": settings.neo4j_database,
        "PEER_PORT": str(port),
    }
    log = (Path(settings.home) / "peer.log").open("wb")
    process = subprocess.Popen(
        ["node", str(PEER / "server.mjs")], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return process
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the peer did not become ready within 60 s; see {log.name}")


@dataclass
class Endpoints:
    """Both APIs: their URLs, the headers each needs and the process whose CPU is counted."""

    ours: str
    ours_headers: dict[str, str]
    ours_pid: int
    peer: str
    peer_pid: int


def ask(url: str, headers: dict[str, str], query: str, variables: dict[str, Any]) -> Any:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=60
    )
    response.raise_for_status()
    return response.json()


def check(
    family: PeerFamily, ends: Endpoints, draws: list[tuple[dict[str, Any], dict[str, Any]]]
) -> tuple[list[str], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Both APIs asked the same questions: the differences, and our answers' data (for the
    floor) with our variables."""
    problems, answers = [], []
    for ours_vars, peer_vars in draws:
        ours = ask(ends.ours, ends.ours_headers, family.ours, ours_vars)
        peer = ask(ends.peer, {}, family.peer, peer_vars)
        problems += [f"{family.name} {ours_vars}: {d}" for d in differences(family, ours, peer)]
        answers.append((ours_vars, ours.get("data") or {}))
    return problems, answers


def warm(settings: Settings, family: PeerFamily, ours_vars: dict[str, Any]) -> None:
    """Our document run once in-process without the API's timeout, so that Neo4j has
    planned its query texts: planning our search's query took 46 s on its first run on a
    machine at load 25 (0.2-0.4 s after), past the API's 10 s timeout."""
    patient = settings.model_copy(update={"api_query_timeout": 600.0})
    asyncio.run(record(patient, Family(family.name, family.ours, lambda rng, s: {}), [ours_vars]))


def to_ids(sample: Sample) -> Ids:
    return Ids(scientists=sample.connected, pairs=sample.pairs, names=sample.names)


COLUMNS = (
    "family", "clients",
    "ours p50 ms", "p99", "req/s", "peer p50 ms", "p99", "req/s", "bare p50 ms", "p99", "req/s",
    "ours/peer req/s", "ours/peer p50", "ours/bare p50",
    "ours CPU ms/req", "peer CPU ms/req", "errors ours/peer/bare", "load 1 min",
)  # fmt: skip


def row(family: str, clients: int, ours: Cell, peer: Cell, bare: Cell) -> list[str]:
    def cells(c: Cell) -> list[str]:
        return [f"{c.p50:.1f}", f"{c.p99:.1f}", f"{c.rps:,.0f}"]

    return [
        family, str(clients), *cells(ours), *cells(peer), *cells(bare),
        f"{ours.rps / peer.rps:.2f}", f"{ours.p50 / peer.p50:.2f}", f"{ours.p50 / bare.p50:.2f}",
        f"{ours.cpu_ms or 0:.2f}", f"{peer.cpu_ms or 0:.2f}",
        f"{ours.errors}/{peer.errors}/{bare.errors}", f"{os.getloadavg()[0]:.2f}",
    ]  # fmt: skip


def measure_family(
    settings: Settings,
    ends: Endpoints,
    family: PeerFamily,
    draws: list[tuple[dict[str, Any], dict[str, Any]]],
    args: argparse.Namespace,
    work: Path,
) -> tuple[list[list[str]], list[Cell]]:
    """Rows for each client count: ours and the peer through wrk, then the bare replay."""
    slug = family.name.replace(" ", "-")
    ours_bodies, peer_bodies = work / f"{slug}-ours.jsonl", work / f"{slug}-peer.jsonl"
    ours_bodies.write_text(
        "".join(json.dumps({"query": family.ours, "variables": o}) + "\n" for o, _ in draws)
    )
    peer_bodies.write_text(
        "".join(json.dumps({"query": family.peer, "variables": p}) + "\n" for _, p in draws)
    )
    bench_family = Family(family.name, family.ours, lambda rng, s: {})
    calls = asyncio.run(record(settings, bench_family, [o for o, _ in draws]))
    rows, ours_cells = [], []
    for clients in args.clients:
        ours = load_cell(
            ends.ours, ours_bodies, ends.ours_headers, ends.ours_pid, clients, args.seconds
        )
        peer = load_cell(ends.peer, peer_bodies, {}, ends.peer_pid, clients, args.seconds)
        bare = asyncio.run(bare_cell(settings, calls, clients))
        rows.append(row(family.name, clients, ours, peer, bare))
        ours_cells.append(ours)
        print(" | ".join(rows[-1]), flush=True)
    return rows, ours_cells


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scientists", type=int, default=100_000, help="bench/api's load size")
    parser.add_argument("--home", type=Path, help="keep and reuse the loaded graph here")
    parser.add_argument("--clients", default="1,10,20", help="comma-separated connections")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's time per cell")
    parser.add_argument("--requests", type=int, default=300, help="drawn variables per family")
    parser.add_argument("--check", type=int, default=50, help="ids compared per family")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=2000)
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    if shutil.which("wrk") is None:
        parser.error("wrk is missing: `apt-get install wrk` (Debian)")
    return args


def run(settings: Settings, ends: Endpoints, args: argparse.Namespace, work: Path) -> str:
    """The check, then the load, for every family; the report as Markdown."""
    ids = to_ids(sample_ids(settings))
    rng = random.Random(args.seed)
    rows: list[list[str]] = []
    floors: list[list[str]] = []
    for family in FAMILIES:
        draws = [family.variables(rng, ids) for _ in range(args.requests)]
        warm(settings, family, draws[0][0])
        problems, answers = check(family, ends, draws[: args.check])
        print(f"check {family.name}: {len(answers)} ids, {len(problems)} differences", flush=True)
        if problems:
            print("\n".join(problems[:20]))
            raise SystemExit(1)
        full, executed = floor_ms(family, answers)
        family_rows, cells = measure_family(settings, ends, family, draws, args, work)
        rows += family_rows
        cpu = max(cells, key=lambda c: c.rps).cpu_ms or 0.0
        floors.append(
            [family.name, f"{full:.2f}", f"{executed:.2f}", f"{cpu:.2f}", f"{cpu / executed:.1f}"]
        )
    return (
        markdown(list(COLUMNS), rows)
        + "\n"
        + markdown(
            [
                "family",
                "graphql-core CPU ms/req, parse+validate+execute",
                "execute only (the floor)",
                "ours CPU ms/req (at its best req/s)",
                "ours/floor",
            ],
            floors,
        )
    )


def main() -> None:
    args = arguments()
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M")
    with contextlib.ExitStack() as stack:
        home = _bench_home(stack, args.home)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="talentmap-peer-")))
        settings = Settings(home=home, neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
        server.start(settings)
        stack.callback(server.stop, settings)
        notes = load_once(settings, args.scientists, args.seed, args.batch_size)
        ours_port, peer_port = free_port(), free_port()
        ours = serve(settings, ours_port, 1)
        stack.callback(_end, ours)
        peer = start_peer(settings, peer_port)
        stack.callback(_end, peer)
        ends = Endpoints(
            f"http://127.0.0.1:{ours_port}", api_headers(settings), ours.pid,
            f"http://127.0.0.1:{peer_port}", peer.pid,
        )  # fmt: skip
        tables = run(settings, ends, args, work)
    report = (
        f"# Peer benchmark, {started} UTC\n\n" + "".join(f"- {n}\n" for n in notes) + "\n" + tables
        + f"\nOurs: `talentmap serve --workers 1`; peer: @neo4j/graphql 7 on Node {_node()}, "
        f"graphql-http; bare: our Cypher through the Python driver. Load: wrk, one thread, "
        f"{args.seconds:g} s per cell after a warm-up; {args.requests} drawn variables per "
        f"family. Neo4j {settings.neo4j_version}, heap {settings.neo4j_heap}, page cache "
        f"{settings.neo4j_pagecache}. Machine: {os.cpu_count()} cores shared with other work, "
        f"load average (1 min) {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after.\n"
    )  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"peer-{started.replace(' ', '-').replace(':', '')}.md"
    out.write_text(report, encoding="utf-8")
    print(report)
    print(f"written to {out}")


def _node() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


if __name__ == "__main__":
    main()
