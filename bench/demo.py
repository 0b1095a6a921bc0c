"""The demo's time: `python -m bench.demo` (or `make bench-demo`).

Runs `make run` as a user types it, from an empty TALENTMAP_HOME (a temporary one; Neo4j's
jars come from the shared cache, so a first run also downloads them), on a free Bolt port and
a free API port, until the API's `/readyz` answers 200; then stops it. Each step's seconds
are taken from the moment make echoes the step's command to the moment it echoes the next
(the last step, `serve`, until `/readyz`). Prints a table with the machine's load before and
after; issue 16's target is under 5 minutes on this machine. The home is removed afterwards
unless `--keep`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench.synthetic import free_port

REPO = Path(__file__).resolve().parent.parent


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def wait_ready(url: str, process: subprocess.Popen[str], limit: float) -> float:
    """Seconds until `url` answers 200; raises if the process ends first or time runs out."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if process.poll() is not None:
            raise SystemExit(f"make run ended with code {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic()
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer 200 within {limit:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--csmetrics", help="the CSMetrics folders to load (make run's CSMETRICS)")
    parser.add_argument("--limit", type=float, default=1800, help="give up after this many seconds")
    parser.add_argument("--log", type=Path, help="keep make's output here")
    parser.add_argument("--keep", action="store_true", help="keep the TALENTMAP_HOME afterwards")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="talentmap-demo-")
    api_port = free_port()
    env = {
        **os.environ,
        "TALENTMAP_HOME": home,
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
        "TALENTMAP_API_PORT": str(api_port),
    }
    command = ["make", "--no-print-directory", "run"]
    if args.csmetrics:
        command.append(f"CSMETRICS={args.csmetrics}")
    before = load_average()
    steps: list[tuple[str, float]] = []
    lines: list[str] = []
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            # make echoes each step's command (after any VAR=value) before running it
            words = line.split()
            while words and "=" in words[0] and not words[0].endswith("/talentmap"):
                words.pop(0)
            if len(words) >= 2 and words[0].endswith("/talentmap"):
                steps.append((" ".join(words[1:4]), time.monotonic()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ready = wait_ready(f"http://127.0.0.1:{api_port}/readyz", process, args.limit)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        reader.join(timeout=10)
        subprocess.run(
            [str(REPO / ".venv/bin/talentmap"), "neo4j", "stop"],
            env=env,
            cwd=REPO,
            capture_output=True,
            check=False,
        )
        if args.log:
            args.log.write_text("".join(lines), encoding="utf-8")
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    after = load_average()

    table = Table(title=f"make run to a serving API (TALENTMAP_HOME {home})")
    table.add_column("step")
    table.add_column("s", justify="right")
    marks = [t for _, t in steps] + [ready]
    if steps:
        table.add_row("install and page build (make's prerequisites)", f"{steps[0][1] - start:.1f}")
    for (name, at), end in zip(steps, marks[1:], strict=True):
        table.add_row(name, f"{end - at:.1f}")
    table.add_row("[b]make run to /readyz 200[/b]", f"[b]{ready - start:.1f}[/b]")
    console = Console()
    console.print(table)
    console.print(f"machine: {os.cpu_count()} cores, load average before {before}, after {after}")


if __name__ == "__main__":
    main()
