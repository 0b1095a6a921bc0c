"""The page, end to end: Debian's Chromium (Playwright, `executable_path`) against the real API
on a loopback port over a real Neo4j graph with the demo data (the OpenAlex sample, the
taxonomy, the chains, the Suzhou profile and the ROR records of the sample's institutions).

Each view opens from its deep link and shows what the API answers to the same question: the
test asks GraphQL itself (`ask`) and compares ids, names and counts on the page. The two flows
a recruiter follows are walked by clicking. Every page is watched for console errors and
failed requests. The language walk screenshots every view in both languages into
docs/screenshots/, which the README embeds.

The page is served from web/dist: built here (`npm ci`, `npm run build`) when it is missing,
and the module fails, not skips, when it cannot be built.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import yaml
from neo4j import Driver
from playwright.sync_api import (
    Browser,
    BrowserType,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    expect,
    sync_playwright,
)

from graph.unit_of_work import Writer
from graph.write.apikey import create_api_key, revoke_api_key
from schema.apikey import Role, key_hash, new_key_id, new_secret
from schema.settings import Settings
from tests.conftest import REPO, ask, sample_works, serve_api

WEB = REPO / "web"
DIST = WEB / "dist"
SHOTS = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
EN: dict[str, str] = json.loads((WEB / "src" / "i18n" / "en.json").read_text(encoding="utf-8"))
ZH: dict[str, str] = json.loads((WEB / "src" / "i18n" / "zh.json").read_text(encoding="utf-8"))

# The demo's answers the flows walk through (the sample: the GNMT paper's authors, the US).
HANZI_NAME = "吴永辉"  # Yonghui Wu, found by the pinyin of his hanzi name
SCIENTIST = "A5010253402"
REGION = "US"
INDUSTRY = "artificial-intelligence"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def web_dist() -> None:
    """The built page: built now when missing (the Makefile's `web` target rebuilds it when
    web/ changed); a clear failure when Node is not there to build it."""
    if (DIST / "index.html").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("web/dist is missing and npm is not installed (Node 20.19+): run `make web`")
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    subprocess.run([npm, "run", "build"], cwd=WEB, check=True)
    assert (DIST / "index.html").is_file()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright's launch arguments: Debian's Chromium, never a downloaded browser.
    SwiftShader gives the headless browser the WebGL that sigma draws with."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk")
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
    }


# pytest-playwright's Playwright and browser live for the whole session, and with them the event
# loop Playwright's sync API runs: a later module in the same process could not asyncio.run().
# Here they live for this module only.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    found: BrowserType = getattr(playwright, browser_name)
    return found


@pytest.fixture(scope="module")
def browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    launched = browser_type.launch(**browser_type_launch_args)
    yield launched
    launched.close()


@dataclass
class Site:
    url: str
    keys: dict[str, str] = field(default_factory=dict)


def _key(graph: Driver, settings: Settings, role: Role, name: str, *, revoked: bool) -> str:
    secret, key_id = new_secret(), new_key_id()
    writer = Writer(graph, settings.neo4j_database)
    writer(create_api_key, key_id=key_id, name=name, role=role, digest=key_hash(secret))
    if revoked:
        writer(revoke_api_key, key_id)
    return secret


@pytest.fixture(scope="module")
def site(graph: Driver, settings: Settings, web_dist: None) -> Iterator[Site]:
    """The API serving the page; no anonymous access, so keys decide what a browser sees."""
    with serve_api(settings) as url:
        keys = {
            role.value: _key(graph, settings, role, f"web-{role.value}", revoked=False)
            for role in (Role.VIEWER, Role.RECRUITER, Role.ADMIN)
        }
        keys["revoked"] = _key(graph, settings, Role.VIEWER, "web-revoked", revoked=True)
        yield Site(url, keys)


class Watched:
    """A page with its console errors and failed requests recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium logs every HTTP error status; a refused key (401) is an answer the page
        # shows (the sign-in with the API's reason), which the tests check themselves.
        if message.type == "error" and "status of 401" not in message.text:
            self.problems.append(f"console: {message.text}")

    def _failed(self, request: Request) -> None:
        # A request the page itself aborts (a view left before its answer came) is no failure.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.method} {request.url} {request.failure}")


@pytest.fixture
def open_page(browser: Browser, site: Site) -> Iterator[Any]:
    """open_page(path, lang="en", key="viewer"): a new browser context with that language and
    that key in its session (None: no key), at the deep link; after the test, no console error
    and no failed request on any of them."""
    watched: list[Watched] = []
    contexts = []

    def open_(path: str, lang: str = "en", key: str | None = "viewer") -> Page:
        context = browser.new_context(
            base_url=site.url,
            locale="zh-CN" if lang == "zh" else "en-US",
            viewport={"width": 1280, "height": 900},
        )
        contexts.append(context)
        if key is not None:
            secret = json.dumps(site.keys[key])
            context.add_init_script(f"sessionStorage.setItem('talentmap.apiKey', {secret})")
        page = context.new_page()
        watched.append(Watched(page))
        page.goto(path)
        settled(page)
        return page

    yield open_
    for context in contexts:
        context.close()
    problems = [p for w in watched for p in w.problems]
    assert not problems, problems


def settled(page: Page) -> None:
    """The view has its answer: a heading, and nothing loading any more."""
    page.locator("main h1, main h2").first.wait_for()
    page.wait_for_function("() => !document.querySelector('main .state.loading')", timeout=20_000)


def graphql(site: Site, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = ask(site.url, query, variables, key=site.keys["admin"])
    assert "errors" not in body, body
    return body["data"]


def ids_on(page: Page, testid: str) -> list[str]:
    links = page.get_by_test_id(testid).locator("a[data-id]")
    return [str(links.nth(i).get_attribute("data-id")) for i in range(links.count())]


def count_on(page: Page, testid: str) -> int:
    return int(str(page.get_by_test_id(testid).get_attribute("data-count")))


# --- views from their deep links -----------------------------------------------------------------

MAP = """
query ($industry: ID, $region: ID) {
  talentMap(industry: $industry, region: $region, first: 100) {
    ... on TalentMap { totalCount edges { talent inRegion node { id name } } }
  }
}"""


def test_map_shows_the_institutions_the_api_ranks(open_page: Any, site: Site) -> None:
    page = open_page(f"/map?industry={INDUSTRY}&region={REGION}")
    answer = graphql(site, MAP, {"industry": INDUSTRY, "region": REGION})["talentMap"]
    assert answer["totalCount"] > 0
    page.locator("svg[data-drawn]").wait_for()
    assert count_on(page, "map-total") == answer["totalCount"]
    assert ids_on(page, "map-list") == [e["node"]["id"] for e in answer["edges"]][:50]
    assert page.locator("circle.point").count() == answer["totalCount"] <= 100
    inside = sum(1 for e in answer["edges"] if e["inRegion"])
    assert page.locator("circle.point.inside").count() == inside > 0
    top = answer["edges"][0]
    first = page.get_by_test_id("map-list").locator("li").first
    expect(first).to_contain_text(top["node"]["name"])
    expect(first.get_by_test_id("talent")).to_have_text(str(top["talent"]))


SEARCH = """
query ($q: String) {
  searchScientists(query: $q, first: 20) {
    ... on ScientistSearchConnection { totalCount edges { node { id name } } }
  }
}"""


def test_search_shows_the_api_results(open_page: Any, site: Site) -> None:
    page = open_page("/search?q=wang")
    answer = graphql(site, SEARCH, {"q": "wang"})["searchScientists"]
    assert answer["totalCount"] > 0
    assert count_on(page, "result-count") == answer["totalCount"]
    assert ids_on(page, "results") == [e["node"]["id"] for e in answer["edges"]]


SCIENTIST_Q = """
query ($id: ID!) {
  scientist(id: $id) {
    ... on Scientist {
      name works(first: 100) { totalCount }
      coauthors(first: 30) { totalCount edges { node { id } } }
    }
  }
}"""


def test_scientist_profile_and_network(open_page: Any, site: Site) -> None:
    page = open_page(f"/scientist/{SCIENTIST}")
    answer = graphql(site, SCIENTIST_Q, {"id": SCIENTIST})["scientist"]
    expect(page.locator("main h1")).to_have_text(answer["name"])
    assert ids_on(page, "coauthors") == [e["node"]["id"] for e in answer["coauthors"]["edges"]]
    expect(page.get_by_test_id("metric-works")).to_have_text(str(answer["works"]["totalCount"]))
    expect(page.locator("canvas").first).to_be_visible()  # the works-by-year chart
    network = page.locator("[data-testid=network][data-nodes]")
    network.wait_for()
    # The ego, its co-authors (first 25) and theirs: at least the ego and 25 people.
    assert int(str(network.get_attribute("data-nodes"))) >= 1 + min(
        25, answer["coauthors"]["totalCount"]
    )


INSTITUTION_Q = """
query ($id: ID!) {
  institution(id: $id) {
    ... on Institution {
      name rorId worksByYear { year works }
      scientists(first: 20) { totalCount edges { node { id } } }
      partners(first: 10) { totalCount edges { jointWorksCount node { id } } }
    }
  }
}"""

COOPERATION_Q = """
query ($a: ID!, $b: ID!) {
  institutionCooperation(a: $a, b: $b) {
    ... on InstitutionCooperation {
      jointWorksCount pairs(first: 20) { edges { node { atA { id } } } }
    }
  }
}"""


def sample_works_by_year(ror_id: str) -> list[dict[str, int]]:
    """Works per year of the sample's records that list the institution in an authorship."""
    ror = ror_id if ror_id.startswith("https://") else f"https://ror.org/{ror_id}"
    counts: dict[int, int] = {}
    for work in sample_works():
        listed = {i.get("ror") for a in work["authorships"] for i in a["institutions"]}
        if ror in listed and work.get("publication_year"):
            counts[work["publication_year"]] = counts.get(work["publication_year"], 0) + 1
    return [{"year": y, "works": n} for y, n in sorted(counts.items())]


def test_map_to_institution_to_cooperation(open_page: Any, site: Site) -> None:
    """The second flow: map → an institution → the cooperation with a partner."""
    page = open_page(f"/map?region={REGION}")
    first = page.get_by_test_id("map-list").locator("a[data-id]").first
    institution = str(first.get_attribute("data-id"))
    first.click()
    settled(page)
    answer = graphql(site, INSTITUTION_Q, {"id": institution})["institution"]
    expect(page.locator("main h1")).to_contain_text(answer["name"])
    expect(page.get_by_test_id("people-count")).to_have_text(
        str(answer["scientists"]["totalCount"])
    )
    assert ids_on(page, "scientists") == [e["node"]["id"] for e in answer["scientists"]["edges"]]
    # Works by year: the chart's table as the API answers, and as the sample's records say.
    years = page.get_by_test_id("works-by-year").locator("tbody tr")
    shown = [
        {k: int(str(years.nth(i).get_attribute(f"data-{k}"))) for k in ("year", "works")}
        for i in range(years.count())
    ]
    assert shown == answer["worksByYear"] == sample_works_by_year(str(answer["rorId"])) != []
    expect(page.locator("canvas").first).to_be_visible()
    partners = [e["node"]["id"] for e in answer["partners"]["edges"]]
    assert ids_on(page, "partners") == partners and partners
    page.get_by_test_id("partners").locator("a[data-id]").first.click()
    settled(page)
    assert "/cooperation?" in page.url
    joint = graphql(site, COOPERATION_Q, {"a": institution, "b": partners[0]})
    assert count_on(page, "joint-count") == joint["institutionCooperation"]["jointWorksCount"] > 0
    pairs = joint["institutionCooperation"]["pairs"]["edges"]
    assert page.get_by_test_id("pairs").locator("li").count() == len(pairs)


CHAIN_Q = """
query ($industry: ID!, $region: ID) {
  talentChain(industry: $industry, region: $region, first: 5) {
    ... on TalentChain {
      segments {
        segment { id }
        scientists { totalCount edges { node { id } } }
        institutions { edges { node { id } } }
        regionCounts { gap }
      }
    }
  }
}"""


def test_chain_shows_each_segment_and_its_gaps(open_page: Any, site: Site) -> None:
    page = open_page(f"/chain/{INDUSTRY}?region={REGION}")
    answer = graphql(site, CHAIN_Q, {"industry": INDUSTRY, "region": REGION})["talentChain"]
    segments = page.get_by_test_id("segments").locator(":scope > li")
    assert segments.count() == len(answer["segments"])
    for i, expected in enumerate(answer["segments"]):
        shown = segments.nth(i)
        assert shown.get_attribute("data-id") == expected["segment"]["id"]
        assert ("gap" in str(shown.get_attribute("class"))) == expected["regionCounts"]["gap"]
        lists = shown.locator(".kind-list")
        people = [str(a.get_attribute("data-id")) for a in lists.nth(0).locator("a").all()]
        assert people == [e["node"]["id"] for e in expected["scientists"]["edges"]]
        places = [str(a.get_attribute("data-id")) for a in lists.nth(2).locator("a").all()]
        assert places == [e["node"]["id"] for e in expected["institutions"]["edges"]]
    assert any(s["regionCounts"]["gap"] for s in answer["segments"])


TEAM_Q = """
query ($id: ID!) {
  scientist(id: $id) { ... on Scientist { teams { team { id } } } }
}"""
TEAM_MEMBERS = """
query ($id: ID!) {
  team(id: $id) { ... on Team { name membersCount members { scientist { id } } } }
}"""


def test_team_view(open_page: Any, site: Site) -> None:
    lead = "A5068955381"  # Greg S. Corrado, who leads a team in the sample
    team_id = graphql(site, TEAM_Q, {"id": lead})["scientist"]["teams"][0]["team"]["id"]
    team = graphql(site, TEAM_MEMBERS, {"id": team_id})["team"]
    page = open_page(f"/team/{team_id}")
    expect(page.locator("main h1")).to_have_text(team["name"])
    expect(page.get_by_test_id("members-count")).to_have_text(str(team["membersCount"]))
    assert ids_on(page, "members") == [m["scientist"]["id"] for m in team["members"]]


REGION_Q = """
query ($region: ID!) {
  regionCooperation(region: $region, first: 50) {
    ... on RegionCooperation { totalCount edges { node { id } } }
  }
}"""


def test_region_cooperation(open_page: Any, site: Site) -> None:
    page = open_page(f"/cooperation/region/{REGION}")
    answer = graphql(site, REGION_Q, {"region": REGION})["regionCooperation"]
    assert count_on(page, "partner-count") == answer["totalCount"] > 0
    assert ids_on(page, "partners") == [e["node"]["id"] for e in answer["edges"]]
    page.locator("svg[data-drawn]").wait_for()
    assert page.locator("path.arc").count() > 0


# --- China, the home region, and search facets -------------------------------------------------

PROVINCES = json.loads(
    (WEB / "src" / "assets" / "china" / "provinces.topo.json").read_text(encoding="utf-8")
)
SUZHOU = yaml.safe_load((REPO / "data" / "regions" / "suzhou.yaml").read_text(encoding="utf-8"))
REGION_MAP_Q = """
query ($region: ID!) {
  regionMap(region: $region) {
    ... on RegionMap {
      city { id nameEn latitude longitude institutionsCount }
      districts { id nameEn nameZh latitude longitude institutionsCount }
    }
  }
}"""


def places_on(page: Page) -> list[tuple[str, str]]:
    marks = page.get_by_test_id("districts").locator("g.place")
    return [
        (
            str(marks.nth(i).get_attribute("data-id")),
            str(marks.nth(i).locator("text").text_content()),
        )
        for i in range(marks.count())
    ]


WITHIN_Q = """
query ($region: ID, $within: Boolean!, $after: String) {
  talentMap(region: $region, within: $within, first: 100, after: $after) {
    ... on TalentMap {
      totalCount edges { inRegion node { id } } pageInfo { hasNextPage endCursor }
    }
  }
}"""


def whole_map(site: Site, region: str, within: bool) -> tuple[int, list[tuple[str, bool]]]:
    """Every institution of talentMap, page by page: (total, [(id, in the region)])."""
    found: list[tuple[str, bool]] = []
    after = None
    while True:
        variables = {"region": region, "within": within, "after": after}
        answer = graphql(site, WITHIN_Q, variables)["talentMap"]
        found += [(e["node"]["id"], e["inRegion"]) for e in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            return answer["totalCount"], found
        after = answer["pageInfo"]["endCursor"]


# Each label's box as the browser laid it out, in the map's units.
LABEL_BOXES_JS = """() => [...document.querySelectorAll('[data-testid=districts] g.place text')]
  .map((t) => {
    const b = t.getBBox();
    return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height];
  })"""


def overlapping(boxes: list[list[Any]]) -> list[tuple[str, str]]:
    """The pairs of labels whose boxes intersect."""
    return [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if min(a[3], b[3]) > max(a[1], b[1]) and min(a[4], b[4]) > max(a[2], b[2])
    ]


def steady(page: Page) -> None:
    """The map's answers are in (no request for half a second), it is drawn and its labels
    are placed."""
    page.wait_for_load_state("networkidle")
    page.locator("svg[data-drawn]").wait_for()
    page.locator("[data-testid=districts][data-placed]").wait_for()


def picker(page: Page) -> dict[str, str]:
    options = page.get_by_test_id("region-picker").locator("option")
    return {
        str(o.get_attribute("value")): str(o.text_content()).removeprefix("· ")
        for o in options.all()
    }


def expected_picker(lang: str, us: str) -> dict[str, str]:
    """The picker's places named as the profile file names them (the US: as ROR does)."""
    suffix = "zh" if lang == "zh" else "en"
    places = [SUZHOU["city"], *SUZHOU["districts"], SUZHOU["country"]]
    return {p["id"]: p[f"name_{suffix}"] for p in places} | {"US": us}


def test_map_zooms_into_china_and_the_home_region(open_page: Any, site: Site) -> None:
    """focus=china draws every province of the shipped file and marks the home city; focus=region
    draws each district of the profile at its seat, with the institutions the API counts, labels
    that overlap none other in either language, and ranks the region's own institutions; the
    region picker names its places in the page's language."""
    answer = graphql(site, REGION_MAP_Q, {"region": "cn/suzhou"})["regionMap"]
    districts = SUZHOU["districts"]
    assert [(d["id"], d["nameEn"], d["latitude"], d["longitude"]) for d in answer["districts"]] == [
        (d["id"], d["name_en"], d["latitude"], d["longitude"])
        for d in sorted(districts, key=lambda d: d["id"])
    ]
    assert answer["city"]["institutionsCount"] == sum(
        d["institutionsCount"] for d in answer["districts"]
    )
    page = open_page("/map?region=cn/suzhou&focus=china")
    page.locator("svg[data-drawn]").wait_for()
    provinces = page.get_by_test_id("provinces")
    shapes = PROVINCES["objects"]["chn"]["geometries"]
    assert provinces.get_attribute("data-count") == str(len(shapes)) == "32"
    assert provinces.locator("path.province").count() == len(shapes)
    assert places_on(page) == [(SUZHOU["city"]["id"], SUZHOU["city"]["name_en"])]
    page.get_by_role("button", name=EN["map.homeRegion"]).click()
    page.wait_for_url("**focus=region**")
    steady(page)
    expect(page.get_by_test_id("districts").locator("g.place")).to_have_count(len(districts))
    assert places_on(page) == [(d["id"], d["nameEn"]) for d in answer["districts"]]
    titles = page.get_by_test_id("districts").locator("g.place title").all_text_contents()
    counts = [str(d["institutionsCount"]) for d in answer["districts"]]
    assert [t.rsplit(": ", 1)[1].split()[0] for t in titles] == counts
    boxes = page.evaluate(LABEL_BOXES_JS)
    assert len(boxes) == len(districts) and overlapping(boxes) == []
    us = graphql(site, '{ region(id: "US") { ... on Region { nameEn } } }')["region"]["nameEn"]
    assert picker(page) == expected_picker("en", us)
    expect(page.get_by_test_id("region-name")).to_have_text(SUZHOU["city"]["name_en"])
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("districts").locator("text").first).to_have_text(
        answer["districts"][0]["nameZh"]
    )
    steady(page)
    boxes = page.evaluate(LABEL_BOXES_JS)
    assert [b[0] for b in boxes] == [d["nameZh"] for d in answer["districts"]]
    assert overlapping(boxes) == []
    expect(page.get_by_test_id("region-name")).to_have_text(SUZHOU["city"]["name_zh"])
    assert picker(page) == expected_picker("zh", "美国")  # ROR has no Chinese name: the browser's
    # Zoomed into a region, the side list ranks that region's institutions, in the order the
    # whole world's map has them (the US: the demo's Suzhou institutions hold no talent).
    total, world = whole_map(site, REGION, within=False)
    inside = [i for i, is_in in world if is_in]
    assert whole_map(site, REGION, within=True) == (len(inside), [(i, True) for i in inside])
    page.goto(f"/map?region={REGION}&focus=region")
    page.wait_for_load_state("networkidle")
    page.locator("svg[data-drawn]").wait_for()
    assert count_on(page, "map-total") == len(inside) < total
    assert ids_on(page, "map-list") == inside[:50] != []


FACET_SEARCH_Q = """
query ($filter: ScientistFilter) {
  searchScientists(filter: $filter, first: 20) {
    ... on ScientistSearchConnection { totalCount edges { node { id } } }
  }
  facets(subject: SCIENTISTS, by: [YEAR], first: 40) {
    ... on Facets { buckets { edges { node { count keys { value } } } } }
  }
}"""


def test_search_facets_for_industry_and_years(open_page: Any, site: Site) -> None:
    """The industry and years facets filter the results as the API filters them."""
    page = open_page("/search")
    years = graphql(site, FACET_SEARCH_Q)["facets"]["buckets"]["edges"]
    expected = sorted((e["node"]["keys"][0]["value"] for e in years), key=int, reverse=True)
    since = page.get_by_label(EN["search.activeSince"]).locator("option")
    expect(since).to_have_count(len(expected) + 1)
    assert since.evaluate_all("els => els.map(e => e.value)") == ["", *expected]
    page.get_by_label(EN["search.industry"]).select_option(INDUSTRY)
    page.wait_for_url(f"**industry={INDUSTRY}**")
    settled(page)
    year = expected[len(expected) // 2]
    page.get_by_label(EN["search.activeSince"]).select_option(year)
    page.wait_for_url(f"**since={year}**")
    settled(page)
    answer = graphql(
        site, FACET_SEARCH_Q, {"filter": {"industry": INDUSTRY, "activeSince": int(year)}}
    )["searchScientists"]
    assert answer["totalCount"] > 0
    expect(page.get_by_test_id("result-count")).to_have_attribute(
        "data-count", str(answer["totalCount"])
    )
    assert ids_on(page, "results") == [e["node"]["id"] for e in answer["edges"]]


# --- technology heat and the evaluation score card ---------------------------------------------

LEAD = "A5068955381"  # Greg S. Corrado: a tier (ENGINEER) and ranked in the segment below
SEGMENT = f"{INDUSTRY}/language-and-knowledge"
SCORE = "score kind components { name value percentile weight contribution }"
HOT_Q = f"""
query ($industry: ID, $kind: HotKind) {{
  hotTopics(industry: $industry, kind: $kind, first: 50) {{
    ... on HotTopicConnection {{ totalCount edges {{ node {{ id heatScore {{ {SCORE} }} }} }} }}
  }}
}}"""
TOPIC_HEAT_Q = f"""
query ($id: ID!) {{
  topicHeat(id: $id) {{
    ... on TopicHeat {{
      name growth acceleration years {{ year works }} forecast {{ year works low high }}
      heatScore {{ {SCORE} }}
    }}
  }}
}}"""
REGION_HEAT_Q = """
query ($id: ID!, $region: ID) {
  topicHeat(id: $id, region: $region) {
    ... on TopicHeat {
      inRegion {
        regionId growth acceleration years { year works share } forecast { year works low high }
      }
    }
  }
}"""
EVALUATION_Q = """
query ($id: ID!, $segment: ID) {
  evaluation(scientist: $id, segment: $segment) {
    ... on Evaluation {
      score scorePercentile tier modelVersion
      components { name value percentile weight contribution }
    }
  }
}"""


def number(text: str | None) -> float | None:
    return None if text in (None, "") else float(str(text))


def shown_parts(page: Page, testid: str) -> list[dict[str, Any]]:
    """A score table's rows as the API's components (from the cells' data-value)."""
    rows = page.get_by_test_id(testid).locator("tbody tr")
    found = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        values = [number(cells.nth(j).get_attribute("data-value")) for j in range(4)]
        found.append(
            dict(
                zip(
                    ("name", "value", "percentile", "weight", "contribution"),
                    [rows.nth(i).get_attribute("data-name"), *values],
                    strict=True,
                )
            )
        )
    return found


def test_heat_view_ranks_topics_and_opens_one(open_page: Any, site: Site) -> None:
    """/heat: the hot topics the API ranks, with their scores; a click opens the topic's works
    per year, its forecast with the interval, growth, acceleration and score parts."""
    page = open_page(f"/heat?industry={INDUSTRY}&kind=HOT")
    answer = graphql(site, HOT_Q, {"industry": INDUSTRY, "kind": "HOT"})["hotTopics"]
    assert answer["totalCount"] > 0
    assert count_on(page, "hot-count") == answer["totalCount"]
    assert ids_on(page, "hot-topics") == [e["node"]["id"] for e in answer["edges"]]
    items = page.get_by_test_id("hot-topics").locator(":scope > li")
    scores = [float(str(items.nth(i).get_attribute("data-score"))) for i in range(items.count())]
    assert scores == [e["node"]["heatScore"]["score"] for e in answer["edges"]]
    # Every kind: the industry's topics by the score of their own kind.
    everything = graphql(site, HOT_Q, {"industry": INDUSTRY, "kind": None})["hotTopics"]
    assert everything["totalCount"] >= answer["totalCount"]
    page.get_by_role("button", name=EN["heat.choose.ALL"]).click()
    expect(page.get_by_test_id("hot-count")).to_have_attribute(
        "data-count", str(everything["totalCount"])
    )
    assert ids_on(page, "hot-topics") == [e["node"]["id"] for e in everything["edges"]]
    page.get_by_test_id("hot-topics").locator("a[data-id]").first.click()
    topic = everything["edges"][0]["node"]["id"]
    page.wait_for_url(f"**/heat/{topic}")
    settled(page)
    heat = graphql(site, TOPIC_HEAT_Q, {"id": topic})["topicHeat"]
    expect(page.locator("main h1")).to_have_text(heat["name"])
    chart = page.get_by_test_id("heat-chart")
    assert chart.get_attribute("data-years") == str(len(heat["years"]))
    assert chart.get_attribute("data-forecast") == str(len(heat["forecast"])) == "3"
    expect(page.locator("canvas").first).to_be_visible()
    rows = page.get_by_test_id("forecast").locator("tbody tr")
    assert [
        {
            k: float(str(rows.nth(i).get_attribute(f"data-{k}")))
            for k in ("year", "works", "low", "high")
        }
        for i in range(rows.count())
    ] == heat["forecast"]
    years = page.get_by_test_id("heat-years").locator("tbody tr")
    assert [
        {k: int(str(years.nth(i).get_attribute(f"data-{k}"))) for k in ("year", "works")}
        for i in range(years.count())
    ] == heat["years"]
    growth = page.get_by_test_id("heat-growth").get_attribute("data-value")
    assert number(growth) == heat["growth"]
    acceleration = page.get_by_test_id("heat-acceleration").get_attribute("data-value")
    assert number(acceleration) == heat["acceleration"]
    assert shown_parts(page, "heat-components") == heat["heatScore"]["components"]
    shows_the_region_part(page, site, topic)


def shows_the_region_part(page: Page, site: Site, topic: str) -> None:
    """The region picker adds ?region=…; the region's works and share per year stand beside
    the node's, with its growth, acceleration and forecast, as the API's inRegion has them."""
    expect(page.get_by_test_id("heat-region")).to_have_count(0)
    page.get_by_test_id("heat-region-picker").select_option(REGION)
    page.wait_for_url(lambda url: f"/heat/{topic}?region={REGION}" in url)
    settled(page)
    part = graphql(site, REGION_HEAT_Q, {"id": topic, "region": REGION})["topicHeat"]["inRegion"]
    assert part["regionId"] == REGION and sum(y["works"] for y in part["years"]) > 0
    expect(page.get_by_test_id("heat-region")).to_have_attribute("data-region", REGION)
    years = page.get_by_test_id("heat-years").locator("tbody tr")
    assert [
        {
            "year": int(str(years.nth(i).get_attribute("data-year"))),
            "works": int(str(years.nth(i).get_attribute("data-region-works"))),
            "share": float(str(years.nth(i).get_attribute("data-region-share"))),
        }
        for i in range(years.count())
    ] == part["years"]
    for name in ("growth", "acceleration"):
        shown = page.get_by_test_id(f"region-{name}").get_attribute("data-value")
        assert number(shown) == part[name], name
    rows = page.get_by_test_id("region-forecast").locator("tbody tr")
    assert [
        {
            k: float(str(rows.nth(i).get_attribute(f"data-{k}")))
            for k in ("year", "works", "low", "high")
        }
        for i in range(rows.count())
    ] == part["forecast"]


def test_score_card_shows_the_evaluation(open_page: Any, site: Site) -> None:
    """The score card from its deep link (a segment), then overall through the picker: score,
    tier in both languages, model version and every component as the API answers them."""
    page = open_page(f"/scientist/{LEAD}?segment={SEGMENT}")
    card = page.get_by_test_id("scorecard")
    for segment in (SEGMENT, None):
        answer = graphql(site, EVALUATION_Q, {"id": LEAD, "segment": segment})["evaluation"]
        assert (
            number(card.get_by_test_id("evaluation-score").get_attribute("data-value"))
            == (answer["score"])
        )
        percentile = card.get_by_test_id("evaluation-percentile").get_attribute("data-value")
        assert number(percentile) == answer["scorePercentile"]
        tier = card.get_by_test_id("evaluation-tier")
        assert tier.get_attribute("data-tier") == (answer["tier"] or "")
        key = f"tier.{answer['tier']}" if answer["tier"] else "tier.none"
        expect(tier).to_contain_text(EN[key])
        expect(tier).to_contain_text(ZH[key])
        expect(card.get_by_test_id("model-version")).to_have_text(answer["modelVersion"])
        assert shown_parts(page, "evaluation-components") == answer["components"]
        names = [c["name"] for c in answer["components"]]
        assert ("segment_fit" in names) == (segment is not None)
        if segment is not None:
            assert answer["tier"] is not None
            card.get_by_test_id("segment-picker").select_option("")
            page.wait_for_url(lambda url: "segment=" not in url)
            expect(card.locator('tr[data-name="segment_fit"]')).to_have_count(0)
            settled(page)


# --- the recruiter's flow, keys and roles --------------------------------------------------------

PATHS_Q = """
query ($from: ID!, $to: ID!) {
  introductionPaths(from: $from, to: $to, maxHops: 3, first: 5) {
    ... on IntroductionPaths { length paths { hops { target { id } } } }
  }
}"""


def test_recruiter_flow_from_a_hanzi_name_to_an_introduction(open_page: Any, site: Site) -> None:
    """Search a hanzi name → the scientist → a co-author in the network → introduction paths
    to an institution of the region."""
    page = open_page("/search", key="recruiter")
    page.get_by_role("combobox", name=EN["search.label"]).fill(HANZI_NAME)
    page.get_by_role("listbox").get_by_role("option").first.click()
    settled(page)
    assert page.url.endswith(f"/scientist/{SCIENTIST}")
    network = page.locator("[data-testid=network][data-nodes]")
    network.wait_for()
    # Click the strongest co-author where sigma drew them.
    coauthor = graphql(site, SCIENTIST_Q, {"id": SCIENTIST})["scientist"]["coauthors"]["edges"]
    target = coauthor[0]["node"]["id"]
    point = network.evaluate(
        "(el, id) => el.sigma.framedGraphToViewport(el.sigma.getNodeDisplayData(id))", target
    )
    network.click(position={"x": point["x"], "y": point["y"]})
    page.wait_for_url(lambda url: "/scientist/" in url and SCIENTIST not in url)
    clicked = page.url.rsplit("/", 1)[1]
    assert clicked != SCIENTIST
    settled(page)
    page.get_by_role("link", name=EN["scientist.findPaths"]).click()
    settled(page)
    stanford = "00f54p054"  # an institution in the region (US)
    page.get_by_label(EN["paths.to"]).fill(stanford)
    page.get_by_role("button", name=EN["paths.submit"]).click()
    settled(page)
    answer = graphql(site, PATHS_Q, {"from": clicked, "to": stanford})["introductionPaths"]
    if answer["length"] is None:
        expect(page.locator("main .state.empty")).to_be_visible()
    else:
        assert count_on(page, "path-count") == len(answer["paths"])
        last = [p["hops"][-1]["target"]["id"] for p in answer["paths"]]
        shown = page.get_by_test_id("paths").locator("li.path")
        assert [
            str(shown.nth(i).locator("a[data-id]").last.get_attribute("data-id"))
            for i in range(shown.count())
        ] == last


def test_paths_refused_to_a_viewer_with_the_api_reason(open_page: Any) -> None:
    page = open_page(f"/paths?from={SCIENTIST}&to=00f54p054", key="viewer")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("introductionPaths requires the recruiter role")


@pytest.mark.parametrize(("key", "role"), [("viewer", "VIEWER"), ("recruiter", "RECRUITER")])
def test_the_role_decides_which_views_show(open_page: Any, key: str, role: str) -> None:
    """whoami's role: a viewer sees no introductions (recruiter+) in the menu or on a profile."""
    page = open_page(f"/scientist/{SCIENTIST}", key=key)
    expect(page.get_by_test_id("role")).to_have_attribute("data-role", role)
    expect(page.get_by_test_id("role")).to_have_text(EN[f"role.{role}"])
    nav = page.locator("header nav").get_by_role("link", name=EN["nav.paths"])
    find = page.locator("main").get_by_role("link", name=EN["scientist.findPaths"])
    expect(page.locator("header nav")).to_contain_text(EN["nav.map"])
    expect(nav).to_have_count(0 if role == "VIEWER" else 1)
    expect(find).to_have_count(0 if role == "VIEWER" else 1)


@pytest.mark.parametrize(
    ("key", "reason"),
    [(None, "an API key is required"), ("revoked", "was revoked")],
)
def test_missing_or_revoked_key_shows_the_sign_in(
    open_page: Any, key: str | None, reason: str
) -> None:
    page = open_page(f"/scientist/{SCIENTIST}", key=key)
    expect(page.get_by_test_id("signin-reason")).to_contain_text(reason)
    expect(page.get_by_role("textbox", name=EN["signin.key"])).to_be_visible()


def test_signing_in_with_a_key_opens_the_view(open_page: Any, site: Site) -> None:
    page = open_page(f"/scientist/{SCIENTIST}", key=None)
    page.get_by_role("textbox", name=EN["signin.key"]).fill(site.keys["viewer"])
    page.get_by_role("button", name=EN["signin.submit"]).click()
    expect(page.locator("main h1")).to_have_text("Yonghui Wu")


# --- languages and screenshots -------------------------------------------------------------------

VIEWS = {
    "map": f"/map?industry={INDUSTRY}&region={REGION}&partners=1",
    "map-china": "/map?region=cn/suzhou&focus=china",
    "map-region": "/map?region=cn/suzhou&focus=region",
    "chain": f"/chain/{INDUSTRY}?region={REGION}",
    "search": "/search?q=wang",
    "scientist": f"/scientist/{SCIENTIST}?segment={SEGMENT}",
    "institution": "/institution/{a}",
    "team": "/team/{team}",
    "cooperation": "/cooperation?a={a}&b={b}",
    "region": f"/cooperation/region/{REGION}",
    "paths": f"/paths?from={SCIENTIST}&to=A5088551093",
    "heat": f"/heat?industry={INDUSTRY}&kind=HOT",
    "heat-topic": f"/heat/{{topic}}?region={REGION}",
}
# The page's own labels (not data): where untranslated text would show.
LABELS_JS = """() => {
  const parts = [];
  for (const el of document.querySelectorAll(
      'header nav a, h1, h2, h3, h4, label, button, dt, legend, .state, .count, footer, '
      + '.legend-line, .kind, .stage, .badge, .gap-mark, .tie, th, caption, .tier, .part')) {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.name, a[data-id], select, input, option').forEach((n) => n.remove());
    parts.push(copy.textContent);
  }
  return parts.join('\\n');
}"""


def untranslated(text: str) -> list[str]:
    """English labels (those that differ in Chinese) found in `text`, placeholders aside."""
    found = []
    for key, english in EN.items():
        if english == ZH[key]:
            continue
        for piece in re.split(r"\{\w+\}", english):
            piece = piece.strip(" :·.,()")
            if len(piece) >= 4 and piece in text:
                found.append(f"{key}: {piece!r}")
    return found


def test_tables_have_the_same_keys() -> None:
    assert EN.keys() == ZH.keys()
    assert all(ZH[k].strip() for k in ZH)


def test_every_view_in_both_languages(open_page: Any, site: Site) -> None:
    """Every view in Chinese shows no English label; the switch turns it into English; each
    is screenshot in both languages."""
    team = graphql(site, TEAM_Q, {"id": "A5068955381"})["scientist"]["teams"][0]["team"]["id"]
    a = "00f54p054"
    b = graphql(site, INSTITUTION_Q, {"id": a})["institution"]["partners"]["edges"][0]["node"]["id"]
    hot = graphql(site, HOT_Q, {"industry": INDUSTRY, "kind": "HOT"})["hotTopics"]
    topic = hot["edges"][0]["node"]["id"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in VIEWS.items():
        page = open_page(path.format(team=team, a=a, b=b, topic=topic), lang="zh", key="recruiter")
        if name.startswith("map") or name == "region":
            page.locator("svg[data-drawn]").wait_for()
        expect(page.locator("header nav")).to_contain_text(ZH["nav.map"])
        assert untranslated(page.evaluate(LABELS_JS)) == [], name
        page.screenshot(path=SHOTS / f"{name}-zh.png", full_page=name != "scientist")
        page.get_by_test_id("lang-switch").click()
        expect(page.locator("header nav")).to_contain_text(EN["nav.map"])
        expect(page.locator("html")).to_have_attribute("lang", "en")
        settled(page)
        page.screenshot(path=SHOTS / f"{name}-en.png", full_page=name != "scientist")
        page.context.close()


# --- serving -------------------------------------------------------------------------------------


def test_serving_deep_links_and_cache_headers(site: Site) -> None:
    deep = httpx.get(f"{site.url}/scientist/{SCIENTIST}")
    assert deep.status_code == 200 and "text/html" in deep.headers["content-type"]
    assert deep.headers["cache-control"] == "no-cache"
    asset = re.search(r'src="(/assets/[^"]+\.js)"', deep.text)
    assert asset is not None
    hashed = httpx.get(site.url + asset.group(1))
    assert hashed.status_code == 200
    assert "immutable" in hashed.headers["cache-control"]
    assert httpx.get(f"{site.url}/assets/missing.js").status_code == 404
    assert httpx.get(f"{site.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{site.url}/metrics").headers["content-type"].startswith("text/plain")


def test_graphiql_renders_offline(browser: Browser, site: Site) -> None:
    """Every request that leaves the machine is refused; GraphiQL still draws its editor."""
    context = browser.new_context(base_url=site.url)
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.goto("/graphql")
    expect(page.locator("#graphiql")).to_be_visible(timeout=20_000)
    expect(page.locator(".graphiql-query-editor")).to_be_visible()
    context.close()
    assert outside == []
