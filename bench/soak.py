"""The soak run: `bench/soak` (not in CI; `--help` for the options).

Starts its own Neo4j (a temporary TALENTMAP_HOME, a free port), loads what bench/api loads
(reference data, the real shared sample, SYNTHETIC works up to about `--scientists` people),
serves the API in its own process (`talentmap serve`), and for `--minutes` minutes sends the
query families of bench/api, mixed at random (seeded), from `--clients` concurrent clients.
Reports the API process's resident memory (RSS) after the warm-up and at the end, every
minute between, the requests, the errors (any HTTP status but 200, any GraphQL error), the
latency percentiles and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench.api import (
    FAMILIES,
    Sample,
    _bench_home,
    api_headers,
    load_once,
    percentile,
    sample_ids,
    serve,
)
from bench.synthetic import free_port
from graph import server
from schema.settings import Settings


def rss_mib(pid: int) -> float:
    """The resident memory of process `pid` in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@dataclass
class Soak:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    rss: list[tuple[float, float, float]] = field(default_factory=list)  # (s, MiB, load)


async def client(
    http: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    sample: Sample,
    rng: random.Random,
    until: float,
    soak: Soak,
) -> None:
    while time.monotonic() < until:
        family = rng.choice(FAMILIES)
        started = time.perf_counter()
        try:
            response = await http.post(
                f"{url}/graphql",
                json={"query": family.query, "variables": family.variables(rng, sample)},
                headers=headers,
            )
        except httpx.HTTPError as e:
            soak.errors[f"{family.name}: {type(e).__name__}"] += 1
            continue
        soak.latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            soak.errors[f"{family.name}: HTTP {response.status_code}"] += 1
        elif response.json().get("errors"):
            codes = {(e.get("extensions") or {}).get("code") for e in response.json()["errors"]}
            soak.errors[f"{family.name}: {','.join(sorted(map(str, codes)))}"] += 1


async def sampler(pid: int, started: float, until: float, soak: Soak, every: float) -> None:
    while True:
        soak.rss.append((time.monotonic() - started, rss_mib(pid), os.getloadavg()[0]))
        if time.monotonic() >= until:
            return
        await asyncio.sleep(min(every, max(0.0, until - time.monotonic())))


async def run(
    url: str, headers: dict[str, str], sample: Sample, pid: int, args: argparse.Namespace
) -> Soak:
    soak = Soak()
    rng = random.Random(args.seed)
    limits = httpx.Limits(max_connections=args.clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        warm_until = time.monotonic() + args.warmup
        warm = Soak()
        await asyncio.gather(
            *(
                client(http, url, headers, sample, random.Random(rng.random()), warm_until, warm)
                for _ in range(args.clients)
            )
        )
        started = time.monotonic()
        until = started + args.minutes * 60
        await asyncio.gather(
            sampler(pid, started, until, soak, 60.0),
            *(
                client(http, url, headers, sample, random.Random(rng.random()), until, soak)
                for _ in range(args.clients)
            ),
        )
        soak.rss.append((time.monotonic() - started, rss_mib(pid), os.getloadavg()[0]))
    return soak


def report(console: Console, soak: Soak, args: argparse.Namespace) -> None:
    table = Table(title="API resident memory")
    for column in ("seconds", "RSS MiB", "load (1 min)"):
        table.add_column(column, justify="right")
    for seconds, mib, load in soak.rss:
        table.add_row(f"{seconds:.0f}", f"{mib:.1f}", f"{load:.2f}")
    console.print(table)
    first, last = soak.rss[0][1], soak.rss[-1][1]
    lat = sorted(soak.latencies)
    console.print(
        f"{args.clients} clients, {args.minutes:g} min, {len(lat):,} requests "
        f"({len(lat) / (args.minutes * 60):.1f}/s), p50 {percentile(lat, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(lat, 0.99) * 1000:.0f} ms; RSS {first:.1f} -> {last:.1f} MiB "
        f"({(last - first) / first * 100:+.1f}%); errors: {sum(soak.errors.values())}",
        highlight=False,
    )
    for what, count in soak.errors.most_common():
        console.print(f"  {count:,} x {what}", highlight=False)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds before measuring")
    parser.add_argument(
        "--scientists", type=int, default=20_000, help="about this many synthetic people"
    )
    parser.add_argument("--home", type=Path, help="as bench/api --home: keep and reuse a load")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=2000)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    console = Console(width=160)
    with contextlib.ExitStack() as stack:
        home = _bench_home(stack, args.home)
        settings = Settings(home=home, neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
        server.start(settings)
        api_process = None
        try:
            for line in load_once(settings, args.scientists, args.seed, args.batch_size):
                console.print(line, highlight=False)
            sample = sample_ids(settings)
            port = free_port()
            api_process = serve(settings, port, 1)
            headers = api_headers(settings)
            console.print(f"load average at the start: {os.getloadavg()[0]:.2f}")
            soak = asyncio.run(
                run(f"http://127.0.0.1:{port}", headers, sample, api_process.pid, args)
            )
            report(console, soak, args)
        finally:
            if api_process is not None:
                api_process.terminate()
                api_process.wait(timeout=30)
            server.stop(settings)


if __name__ == "__main__":
    main()
