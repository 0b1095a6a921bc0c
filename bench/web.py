"""The page's budgets: `python -m bench.web [--url URL]` (or `make bench-web`).

Measures, against a running API that serves the built page (`make run`, or `talentmap serve`
over the demo data; `--key` when it has no anonymous role), in Debian's headless Chromium:

- initial JS: the gzip size of the scripts `index.html` loads before any view (the entry and
  its static imports), and of each view's lazy chunks on top (from web/dist, gzip level 9);
- map drawn: from navigation to `/map?industry=…` until the SVG has its circles, cold (a new
  browser context each run: nothing cached) and warm (the same context again), median of runs;
  the same zoomed into China (`focus=china`: the provinces' chunk loaded on demand);
- network layout: the ForceAtlas2 time the scientist view records (`data-layout-ms`) for the
  co-author network of the person with the most co-authors, and its node count.

Budgets (issue 15): initial JS <= 500 KB gzip, map drawn <= 2 s, layout (<= 300 nodes) <= 1 s.
Results also go to bench/results/web.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
DIST = REPO / "web" / "dist"
RESULTS = REPO / "bench" / "results" / "web.json"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
BUSIEST = """{ searchScientists(first: 100, sort: CITATIONS) {
  ... on ScientistSearchConnection {
    edges { node { id coauthors(first: 0) { totalCount } } }
  }
} }"""


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def bundle_sizes() -> dict[str, Any]:
    """Gzip bytes of the initial scripts and of every other chunk, from the built page."""
    index = (DIST / "index.html").read_text(encoding="utf-8")
    initial = sorted(set(re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', index)))
    chunks = {p.name: gzip_size(p) for p in sorted((DIST / "assets").glob("*.js"))}
    first = sum(gzip_size(DIST / name) for name in initial)
    return {
        "initial_js_gzip": first,
        "initial_files": initial,
        "all_js_gzip": sum(chunks.values()),
        "largest_lazy_chunks": dict(sorted(chunks.items(), key=lambda kv: -kv[1])[:5]),
        "provinces_gzip": sum(n for name, n in chunks.items() if name.startswith("provinces")),
    }


def _context(browser: Browser, url: str, key: str | None) -> Any:
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    if key:
        context.add_init_script(f"sessionStorage.setItem('talentmap.apiKey', {json.dumps(key)})")
    return context


def map_drawn(browser: Browser, url: str, key: str | None, path: str, runs: int) -> dict[str, Any]:
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(runs):
        context = _context(browser, url, key)
        page = context.new_page()
        for times in (cold, warm):
            started = time.perf_counter()
            page.goto(path, wait_until="commit")
            page.wait_for_selector("svg[data-drawn] circle", timeout=30_000)
            times.append(time.perf_counter() - started)
        points = page.locator("circle.point").count()
        context.close()
    return {
        "path": path,
        "points": points,
        "cold_median_s": statistics.median(cold),
        "warm_median_s": statistics.median(warm),
        "cold_max_s": max(cold),
    }


def network_layout(browser: Browser, url: str, key: str | None, runs: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = httpx.post(f"{url}/graphql", json={"query": BUSIEST}, headers=headers, timeout=60)
    edges = body.json()["data"]["searchScientists"]["edges"]
    busiest = max(edges, key=lambda e: e["node"]["coauthors"]["totalCount"])["node"]["id"]
    layouts: list[float] = []
    drawn: list[float] = []
    nodes = 0
    for _ in range(runs):
        context = _context(browser, url, key)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"/scientist/{busiest}", wait_until="commit")
        network = page.locator("[data-testid=network][data-layout-ms]")
        network.wait_for(timeout=30_000)
        drawn.append(time.perf_counter() - started)
        layouts.append(float(str(network.get_attribute("data-layout-ms"))) / 1000)
        nodes = int(str(network.get_attribute("data-nodes")))
        context.close()
    return {
        "scientist": busiest,
        "nodes": nodes,
        "layout_median_s": statistics.median(layouts),
        "view_drawn_median_s": statistics.median(drawn),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running API")
    parser.add_argument("--key", default=None, help="an API key, when anonymous access is off")
    parser.add_argument("--industry", default="artificial-intelligence")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    console = Console()
    results: dict[str, Any] = {"bundle": bundle_sizes()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        path = f"/map?industry={options.industry}"
        results["map"] = map_drawn(browser, options.url, options.key, path, options.runs)
        china = f"{path}&region=cn/suzhou&focus=china"
        results["china"] = map_drawn(browser, options.url, options.key, china, options.runs)
        results["network"] = network_layout(browser, options.url, options.key, options.runs)
        browser.close()
    table = Table(title="The page's budgets (headless Chromium on this machine)")
    for column in ("measure", "value", "budget"):
        table.add_column(column)
    bundle, drawn, network = results["bundle"], results["map"], results["network"]
    table.add_row("initial JS, gzip", f"{bundle['initial_js_gzip'] / 1024:.1f} KB", "<= 500 KB")
    table.add_row("all JS chunks, gzip", f"{bundle['all_js_gzip'] / 1024:.1f} KB", "")
    table.add_row(
        f"map drawn, cold ({drawn['points']} points)", f"{drawn['cold_median_s']:.2f} s", "<= 2 s"
    )
    table.add_row("map drawn, warm", f"{drawn['warm_median_s']:.2f} s", "<= 2 s")
    china = results["china"]
    table.add_row(
        f"China map drawn, cold (provinces chunk {bundle['provinces_gzip'] / 1024:.0f} KB gzip)",
        f"{china['cold_median_s']:.2f} s",
        "<= 2 s",
    )
    table.add_row("China map drawn, warm", f"{china['warm_median_s']:.2f} s", "<= 2 s")
    table.add_row(
        f"network layout ({network['nodes']} nodes)",
        f"{network['layout_median_s'] * 1000:.0f} ms",
        "<= 1 s",
    )
    table.add_row("scientist view to network drawn", f"{network['view_drawn_median_s']:.2f} s", "")
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
