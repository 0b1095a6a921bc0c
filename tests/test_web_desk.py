"""The page's desk views (issue 18: push and track), end to end: Debian's Chromium (Playwright)
against the real API over a real Neo4j holding the least that proves them: the sample works
matching one district's focus segment and the most prolific sample author's works but one,
that segment's industry and the region profile, with one derived step; two push lists, two
cases and a watchlist made through the API.

- /district/<id>: the focus industries the profile file names (those loaded), each segment's
  gap as the API says, the push lists newest first with what was new, the XLSX download opened
  with openpyxl, the recommendations; a viewer sees no recruiter's control.
- /cases?district=…: a card dragged to the next stage moves (the API shows the new version
  and its event); the keyboard's "move to" meets a version conflict, shown, then moves;
  targets progress; /case/<id>: the timeline.
- /watchlists, /watchlist/<id>: add and remove an entity; an ingest of the held-back work
  brings a NEW_WORK event into the open page over the subscription, and a reload shows it
  from the events query.
- Both languages (no untranslated label) with screenshots in docs/screenshots/.

Fixtures (browser, page, no console errors) come from tests/test_web.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from websockets.typing import Subprotocol

from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from schema.apikey import Role
from schema.settings import Settings
from tests import test_web as web
from tests.conftest import (
    SAMPLE_WORKS,
    load_works,
    most_prolific,
    sample_works,
    serve_api,
    short_id,
)
from tests.test_push import ZH_HEADERS, district_and_segment, said, segment_names
from tests.test_web import EN, LABELS_JS, SHOTS, ZH, Site, _key, graphql, settled, untranslated

# test_web's browser fixtures and its `open_page` (no console error, no failed request on any
# page), which pytest finds here by name; `site` below is this module's.
web_dist = web.web_dist
browser_type_launch_args = web.browser_type_launch_args
playwright = web.playwright
browser_type = web.browser_type
browser = web.browser
open_page = web.open_page


def _lines(works: set[str]) -> str:
    return (
        "\n".join(
            line
            for line in SAMPLE_WORKS.read_text(encoding="utf-8").split("\n")
            if line.strip() and short_id(json.loads(line)["id"]) in works
        )
        + "\n"
    )


@pytest.fixture(scope="module")
def loaded(
    graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The works of one district focus segment and of the most prolific author (the last of
    theirs held back, in a file of its own), the segment's industry, the profile, one derived
    step."""
    tmp = tmp_path_factory.mktemp("desk")
    district, segment, works = district_and_segment()
    author, _, theirs = most_prolific()
    held = sorted(theirs - works)[-1]
    first = tmp / "works.jsonl"
    first.write_text(_lines((works | theirs) - {held}), encoding="utf-8")
    later = tmp / "later.jsonl"
    later.write_text(_lines({held}), encoding="utf-8")
    load_works(graph, settings, [first], tmp / "quarantine", derive=False)
    writer = Writer(graph, settings.neo4j_database)
    # Only the segment's industry (one of the district's focus): the derived step ranks every
    # segment loaded, and a push and the page read every focus segment of the district.
    chains = yaml.safe_load(DEFAULT_INDUSTRIES_PATH.read_text(encoding="utf-8"))
    industry = segment.split("/")[0]
    assert industry in focus_in_profile(district)
    chains["industries"] = [i for i in chains["industries"] if i["id"] == industry]
    (tmp / "industries.yaml").write_text(yaml.safe_dump(chains, allow_unicode=True), "utf-8")
    load_industries(writer, tmp / "industries.yaml")
    load_region(writer, DEFAULT_REGION_PATH)
    derive(writer, max_authors=settings.max_authors_for_ties)
    coauthors = {
        short_id(a["author"]["id"])
        for w in sample_works()
        if short_id(w["id"]) in works
        for a in w["authorships"]
        if (a.get("author") or {}).get("id")
    }
    return {
        "other": sorted(coauthors - {short_id(author)})[0],
        "district": district,
        "segment": segment,
        "industries": [industry],
        "author": short_id(author),
        "held": held,
        "later": later,
        "tmp": tmp,
    }


@pytest.fixture(scope="module")
def site(
    graph: Driver, settings: Settings, loaded: dict[str, Any], web_dist: None
) -> Iterator[Site]:
    with serve_api(settings) as url:
        keys = {
            role.value: _key(graph, settings, role, f"desk-{role.value}", revoked=False)
            for role in (Role.VIEWER, Role.RECRUITER, Role.ADMIN)
        }
        yield Site(url, keys)


def as_recruiter(site: Site, query: str, variables: dict[str, Any]) -> Any:
    from tests.conftest import ask

    body = ask(site.url, query, variables, key=site.keys["recruiter"])
    assert "errors" not in body, body
    return body["data"]


PUSH = """mutation ($d: ID!, $s: ID) { push(district: $d, segment: $s) { ... on Pushed { pushLists {
  id segment entries { entityId kind } } } } }"""
CREATE_CASE = """mutation ($i: CaseInput!) { createCase(input: $i) {
  __typename ... on Case { id version stage } ... on Failure { message } } }"""
CASE = """query ($id: ID!) { case(id: $id) { ... on Case { id version stage
  events { version action actor changes { field before after } } } } }"""
MOVE = """mutation ($id: ID!, $v: Int!, $s: CaseStage!) {
  moveCase(id: $id, version: $v, stage: $s) { __typename ... on Case { version stage } } }"""


@pytest.fixture(scope="module")
def desk(site: Site, loaded: dict[str, Any]) -> dict[str, Any]:
    """Two pushes with a case opened between them on the first list's top scientist; a second
    case on the next scientist; a shared watchlist (viewers read it) of the most prolific
    author."""
    district = loaded["district"]
    segment = {"d": district, "s": loaded["segment"]}  # one segment: a push ranks each
    v1 = as_recruiter(site, PUSH, segment)["push"]["pushLists"]
    people = [e["entityId"] for lst in v1 for e in lst["entries"] if e["kind"] == "SCIENTIST"]
    cases = []
    for person in dict.fromkeys(people):
        made = as_recruiter(
            site,
            CREATE_CASE,
            {
                "i": {
                    "target": person,
                    "targetKind": "SCIENTIST",
                    "district": district,
                    "programme": "TALENT",
                    "nextAction": "first e-mail",
                }
            },
        )["createCase"]
        assert made["__typename"] == "Case", made
        cases.append(made["id"])
        if len(cases) == 2:
            break
    as_recruiter(site, PUSH, segment)
    made = as_recruiter(
        site,
        'mutation { createWatchlist(name: "Leads", shared: true) { ... on Watchlist { id } } }',
        {},
    )
    watchlist = made["createWatchlist"]["id"]
    watched = as_recruiter(
        site,
        "mutation ($l: ID!, $e: ID!) { watch(watchlist: $l, entity: $e) { __typename } }",
        {"l": watchlist, "e": loaded["author"]},
    )
    assert watched["watch"]["__typename"] == "Watchlist"
    return {"cases": cases, "watchlist": watchlist}


# --- the district -------------------------------------------------------------------------------

DISTRICT_CHAIN = """
query ($industry: ID!, $d: ID!) {
  talentChain(industry: $industry, region: $d, first: 5) {
    ... on TalentChain { segments { segment { id } regionCounts { gap } } }
  }
}"""
FOCUS = "query ($d: ID!) { region(id: $d) { ... on Region { kind industries { id } } } }"
PUSH_LISTS = """
query ($d: ID!) { pushLists(district: $d, first: 20) { totalCount edges { node {
  id segment version entries { entityId kind newSinceLast } } } } }"""
RECOMMEND = """
query ($d: ID!) { recommendations(district: $d, first: 20) {
  ... on RecommendationConnection { totalCount edges { node { entityId reasons { code } } } } } }"""


def focus_in_profile(district: str) -> list[str]:
    """The district's focus industries, from the profile file."""
    profile = yaml.safe_load(DEFAULT_REGION_PATH.read_text(encoding="utf-8"))
    [found] = [d for d in profile["districts"] if d["id"] == district]
    return sorted(found["industry_ids"])


def test_district_view(open_page: Any, site: Site, loaded: dict[str, Any], desk: Any) -> None:
    district = loaded["district"]
    page = open_page(f"/district/{district}", key="recruiter")
    expect(page.locator("main h1")).to_have_attribute("data-id", district)
    industries = page.get_by_test_id("focus").locator("article[data-id]")
    shown = [str(industries.nth(i).get_attribute("data-id")) for i in range(industries.count())]
    # The profile's focus industries that are in the graph (the module loads one chain).
    assert shown == [i for i in focus_in_profile(district) if i in loaded["industries"]]
    region = graphql(site, FOCUS, {"d": district})["region"]
    assert region["kind"] == "DISTRICT"
    assert shown == [i["id"] for i in region["industries"]]
    for i, industry in enumerate(shown):
        answer = graphql(site, DISTRICT_CHAIN, {"industry": industry, "d": district})
        rows = industries.nth(i).locator("tbody tr")
        rows.first.wait_for()
        assert [
            (rows.nth(j).get_attribute("data-id"), rows.nth(j).get_attribute("data-gap"))
            for j in range(rows.count())
        ] == [
            (s["segment"]["id"], "1" if s["regionCounts"]["gap"] else "0")
            for s in answer["talentChain"]["segments"]
        ]
    lists = graphql(site, PUSH_LISTS, {"d": district})["pushLists"]
    shown_lists = page.get_by_test_id("push-lists").locator(":scope > li")
    assert [shown_lists.nth(i).get_attribute("data-id") for i in range(shown_lists.count())] == [
        e["node"]["id"] for e in lists["edges"]
    ]
    newest: dict[str, int] = {}  # the first list of each segment is its newest version
    for edge in lists["edges"]:
        newest.setdefault(edge["node"]["segment"], edge["node"]["version"])
    assert set(newest.values()) == {2}
    for i, edge in enumerate(lists["edges"]):
        entries = shown_lists.nth(i).locator("tbody tr")
        assert [
            (entries.nth(j).get_attribute("data-entity"), entries.nth(j).get_attribute("data-new"))
            for j in range(entries.count())
        ] == [(e["entityId"], "1" if e["newSinceLast"] else "0") for e in edge["node"]["entries"]]
    recommended = graphql(site, RECOMMEND, {"d": district})["recommendations"]
    items = page.get_by_test_id("recommendations").locator(":scope > li")
    assert [items.nth(i).get_attribute("data-entity") for i in range(items.count())] == [
        e["node"]["entityId"] for e in recommended["edges"]
    ]
    assert items.first.locator(".reasons li").first.get_attribute("data-code") == "EVIDENCE"
    # The export: the XLSX the button downloads with the session's key.
    first = lists["edges"][0]["node"]
    with page.expect_download() as download:
        shown_lists.first.get_by_test_id("export-xlsx").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert [r[2] for r in table[2:]] == [e["entityId"] for e in first["entries"]]
    with page.expect_download() as download:
        shown_lists.first.get_by_test_id("export-csv").click()
    assert download.value.suggested_filename.endswith(f"-v{first['version']}.csv")


def test_district_view_for_a_viewer(open_page: Any, loaded: dict[str, Any], desk: Any) -> None:
    """Push lists for everyone; no recommendations, push or export refused to a viewer."""
    page = open_page(f"/district/{loaded['district']}", key="viewer")
    expect(page.get_by_test_id("push-lists")).to_be_visible()
    expect(page.get_by_test_id("recommendations")).to_have_count(0)
    expect(page.get_by_test_id("push-now")).to_have_count(0)


def test_unknown_district(open_page: Any) -> None:
    page = open_page("/district/cn/suzhou/atlantis")
    expect(page.get_by_role("alert")).to_contain_text("cn/suzhou/atlantis")
    city = open_page("/district/cn/suzhou")  # a region, not a district
    expect(city.get_by_role("alert")).to_contain_text(
        EN["district.notDistrict"].format(id="cn/suzhou")
    )


REASONS = """
query ($d: ID!) { recommendations(district: $d, first: 20) { ... on RecommendationConnection {
  edges { node { entityId segment segmentName segmentNameZh reasons {
    code value rank works citations partners hops institution years } } } } } }"""


def test_district_says_segments_and_reasons_in_chinese(
    open_page: Any, site: Site, loaded: dict[str, Any], desk: Any
) -> None:
    """In Chinese, the push lists and recommendations name segments by their Chinese names (the
    industries file's) and word each reason from its code and numbers."""
    district = loaded["district"]
    names = segment_names()
    page = open_page(f"/district/{district}", lang="zh", key="recruiter")
    lists = graphql(site, PUSH_LISTS, {"d": district})["pushLists"]["edges"]
    headings = page.get_by_test_id("push-lists").locator(":scope > li h3 .name")
    assert headings.all_text_contents() == [names[e["node"]["segment"]][1] for e in lists]
    answer = graphql(site, REASONS, {"d": district})["recommendations"]["edges"]
    items = page.get_by_test_id("recommendations").locator(":scope > li")
    expect(items).to_have_count(len(answer))
    for i, edge in enumerate(answer):
        node = edge["node"]
        assert (node["segmentName"], node["segmentNameZh"]) == names[node["segment"]]
        shown = items.nth(i).locator(".reasons .reason-text").all_text_contents()
        assert shown == [said(ZH, r, names[node["segment"]][1]) for r in node["reasons"]]
    # The downloads follow the page's language: Chinese headers and kinds, then English.
    newest = page.get_by_test_id("push-lists").locator(":scope > li").first
    first_kind = lists[0]["node"]["entries"][0]["kind"]
    with page.expect_download() as download:
        newest.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert (tuple(rows[0]), rows[1][1]) == (ZH_HEADERS, ZH[f"kind.{first_kind}"])
    page.get_by_test_id("lang-switch").click()
    first = answer[0]["node"]
    expect(items.first.locator(".reasons .reason-text").first).to_have_text(
        said(EN, first["reasons"][0], names[first["segment"]][0])
    )
    with page.expect_download() as download:
        newest.get_by_test_id("export-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert (rows[0][:3], rows[1][1]) == (["rank", "kind", "id"], first_kind)


# --- the case board -----------------------------------------------------------------------------


def card(page: Page, case: str) -> Any:
    return page.locator(f"li.card[data-id='{case}']")


def column(page: Page, stage: str) -> Any:
    return page.get_by_test_id("board").locator(f"section.column[data-stage='{stage}']")


def test_drag_a_card_to_the_next_stage(
    open_page: Any, site: Site, loaded: dict[str, Any], desk: Any
) -> None:
    case = desk["cases"][0]
    page = open_page(f"/cases?district={loaded['district']}", key="recruiter")
    before = graphql(site, CASE, {"id": case})["case"]
    assert before["stage"] == "IDENTIFIED"
    expect(column(page, "IDENTIFIED").locator(f"li[data-id='{case}']")).to_have_count(1)
    card(page, case).drag_to(column(page, "CONTACTED"))
    moved = column(page, "CONTACTED").locator(f"li[data-id='{case}']")
    expect(moved).to_have_attribute("data-version", str(before["version"] + 1))
    after = graphql(site, CASE, {"id": case})["case"]
    assert (after["stage"], after["version"]) == ("CONTACTED", before["version"] + 1)
    event = after["events"][-1]
    assert (event["version"], event["action"], event["actor"]) == (
        after["version"],
        "MOVED",
        "desk-recruiter",
    )
    assert {"field": "stage", "before": "IDENTIFIED", "after": "CONTACTED"} in event["changes"]
    # The case's own page: its timeline as the API has it.
    moved.get_by_role("link", name=EN["case.open"]).click()
    settled(page)
    timeline = page.get_by_test_id("timeline").locator(":scope > li")
    assert [
        (
            int(str(timeline.nth(i).get_attribute("data-version"))),
            timeline.nth(i).get_attribute("data-action"),
        )
        for i in range(timeline.count())
    ] == [(e["version"], e["action"]) for e in after["events"]]
    expect(page.get_by_test_id("case-stage")).to_have_attribute("data-stage", "CONTACTED")


def test_move_by_keyboard_meets_a_version_conflict(
    open_page: Any, site: Site, loaded: dict[str, Any], desk: Any
) -> None:
    """Someone moves the case after the board was read: the page's move is refused with the
    current version, shown; after a reload the same keys move it."""
    case = desk["cases"][1]
    page = open_page(f"/cases?district={loaded['district']}", key="recruiter")
    read = graphql(site, CASE, {"id": case})["case"]
    elsewhere = graphql(site, MOVE, {"id": case, "v": read["version"], "s": "CONTACTED"})
    assert elsewhere["moveCase"]["version"] == read["version"] + 1
    shown = card(page, case)
    assert shown.get_attribute("data-version") == str(read["version"])
    shown.get_by_test_id("move-select").focus()
    page.keyboard.press("Tab")  # the note
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    conflict = shown.get_by_test_id("conflict")
    expect(conflict).to_have_attribute("data-current", str(read["version"] + 1))
    expect(conflict).to_contain_text(EN["case.conflict"].split(":")[0])
    conflict.get_by_role("button", name=EN["case.reload"]).click()
    fresh = column(page, "CONTACTED").locator(f"li[data-id='{case}']")
    expect(fresh).to_have_attribute("data-version", str(read["version"] + 1))
    fresh.get_by_test_id("move-select").focus()
    expect(fresh.get_by_test_id("move-select")).to_have_value("VISITED")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(column(page, "VISITED").locator(f"li[data-id='{case}']")).to_have_count(1)
    assert graphql(site, CASE, {"id": case})["case"]["stage"] == "VISITED"


TARGETS = """
query { targetsProgress(region: "cn/suzhou", year: 2025) {
  ... on TargetsProgress { targets { id landed target } } } }"""
CASES = """query ($d: ID) { cases(filter: {district: $d}, first: 100) {
  totalCount edges { node { id stage } } } }"""


def test_board_shows_the_cases_and_targets_read_only_for_a_viewer(
    open_page: Any, site: Site, loaded: dict[str, Any], desk: Any
) -> None:
    page = open_page(f"/cases?district={loaded['district']}", key="viewer")
    answer = graphql(site, CASES, {"d": loaded["district"]})["cases"]
    assert (
        int(str(page.get_by_test_id("case-count").get_attribute("data-count")))
        == answer["totalCount"]
        >= 2
    )
    for edge in answer["edges"]:
        node = edge["node"]
        expect(column(page, node["stage"]).locator(f"li[data-id='{node['id']}']")).to_have_count(1)
    expect(page.get_by_test_id("move-select")).to_have_count(0)
    expect(page.locator("li.card[draggable='true']")).to_have_count(0)
    targets = graphql(site, TARGETS)["targetsProgress"]["targets"]
    rows = page.get_by_test_id("targets").locator("tbody tr")
    assert [
        (
            rows.nth(i).get_attribute("data-id"),
            rows.nth(i).get_attribute("data-landed"),
            rows.nth(i).get_attribute("data-target"),
        )
        for i in range(rows.count())
    ] == [(t["id"], str(t["landed"]), str(t["target"])) for t in targets] and targets


# --- watchlists and the live feed ---------------------------------------------------------------

WATCHLISTS = """{ watchlists { id entityIds entities { __typename
  ... on Scientist { id name } ... on Team { id name } ... on Institution { id name } } } }"""
EVENTS = """query ($l: ID!) { events(watchlist: $l, first: 50) {
  ... on EventConnection { totalCount edges { node { id kind entityId } } } } }"""


def test_watchlists_listed(open_page: Any, site: Site, desk: Any) -> None:
    page = open_page("/watchlists", key="recruiter")
    answer = graphql(site, WATCHLISTS)["watchlists"]
    links = page.get_by_test_id("watchlists").locator("a[data-id]")
    assert [links.nth(i).get_attribute("data-id") for i in range(links.count())] == [
        w["id"] for w in answer
    ]
    expect(page.get_by_role("button", name=EN["watch.create"])).to_be_visible()
    viewer = open_page("/watchlists", key="viewer")
    expect(viewer.get_by_role("button", name=EN["watch.create"])).to_have_count(0)


def test_watch_and_unwatch(open_page: Any, site: Site, loaded: dict[str, Any], desk: Any) -> None:
    other = loaded["other"]
    page = open_page(f"/watchlist/{desk['watchlist']}", key="recruiter")
    entities = page.get_by_test_id("entities")
    assert [str(a.get_attribute("data-id")) for a in entities.locator("a[data-id]").all()] == [
        loaded["author"]
    ]
    [watched] = [w for w in graphql(site, WATCHLISTS)["watchlists"] if w["id"] == desk["watchlist"]]
    assert [e["id"] for e in watched["entities"]] == [loaded["author"]]
    expect(entities).to_contain_text(watched["entities"][0]["name"])
    page.get_by_label(EN["watch.entity"]).fill(other)
    page.get_by_role("button", name=EN["watch.add"], exact=True).click()
    expect(entities.locator(f"a[data-id='{other}']")).to_have_count(1)
    listed = {w["id"]: w["entityIds"] for w in graphql(site, WATCHLISTS)["watchlists"]}
    assert set(listed[desk["watchlist"]]) == {loaded["author"], other}
    page.get_by_role("button", name=EN["watch.removeOne"].format(id=other)).click()
    expect(entities.locator(f"a[data-id='{other}']")).to_have_count(0)
    listed = {w["id"]: w["entityIds"] for w in graphql(site, WATCHLISTS)["watchlists"]}
    assert listed[desk["watchlist"]] == [loaded["author"]]


def test_an_event_arrives_live(
    open_page: Any, site: Site, graph: Driver, settings: Settings, loaded: dict[str, Any], desk: Any
) -> None:
    """The held-back work of the watched author is loaded while the page is open: its NEW_WORK
    event shows in the feed over the subscription; a reload shows it from the events query."""
    watchlist = desk["watchlist"]
    page = open_page(f"/watchlist/{watchlist}", key="viewer")
    expect(page.get_by_test_id("live")).to_have_attribute("data-state", "live")
    expect(page.get_by_role("button", name=EN["watch.add"], exact=True)).to_have_count(0)
    load_works(graph, settings, [loaded["later"]], loaded["tmp"] / "quarantine-later")
    loaded["held_loaded"] = True
    event_id = f"work:{loaded['author']}:{loaded['held']}"
    arrived = page.locator(f"li.live-event[data-id='{event_id}']")
    expect(arrived).to_have_attribute("data-kind", "NEW_WORK", timeout=20_000)
    answer = graphql(site, EVENTS, {"l": watchlist})["events"]
    assert event_id in [e["node"]["id"] for e in answer["edges"]]
    page.reload()
    settled(page)
    events = page.get_by_test_id("events").locator(":scope > li")
    assert [events.nth(i).get_attribute("data-id") for i in range(events.count())] == [
        e["node"]["id"] for e in answer["edges"]
    ]


def test_subscription_key_in_connection_init(site: Site, desk: Any) -> None:
    """What the page does: no Authorization header (a browser cannot send one), the key in
    connection_init; a wrong key there closes the socket (4403)."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url = site.url.replace("http://", "ws://") + "/graphql"
    for key, acknowledged in ((site.keys["viewer"], True), ("tm_wrong", False)):
        with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
            ws.send(json.dumps(init))
            if acknowledged:
                assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
            else:
                with pytest.raises(ConnectionClosed) as closed:
                    ws.recv(timeout=30)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


# --- a profile's changes since the last visit ----------------------------------------------------

ENTITY_EVENTS = """query ($e: ID!, $since: DateTime) {
  entityEvents(entity: $e, since: $since, first: 20) {
    ... on EventConnection { totalCount edges { node { id kind } } } } }"""


def test_what_changed_since_the_last_visit(
    open_page: Any, site: Site, graph: Driver, settings: Settings, loaded: dict[str, Any], desk: Any
) -> None:
    """The first visit says so; a visit after the watched author's held-back work arrived (the
    last visit put back to 2000) lists its NEW_WORK event, worded in Chinese from the raw
    record's title and year; the visit after that has nothing new."""
    if not loaded.get("held_loaded"):  # test_an_event_arrives_live loads it when run first
        load_works(graph, settings, [loaded["later"]], loaded["tmp"] / "quarantine-since")
        loaded["held_loaded"] = True
    author = loaded["author"]
    [held] = [w for w in sample_works() if short_id(w["id"]) == loaded["held"]]
    page = open_page(f"/scientist/{author}", lang="zh")
    expect(page.get_by_test_id("first-visit")).to_be_visible()
    page.evaluate(f"localStorage.setItem('talentmap.seen.{author}', '2000-01-01T00:00:00Z')")
    page.reload()
    settled(page)
    answer = graphql(site, ENTITY_EVENTS, {"e": author, "since": "2000-01-01T00:00:00Z"})
    events = answer["entityEvents"]["edges"]
    shown = page.get_by_test_id("since-events").locator(":scope > li")
    assert shown.evaluate_all("els => els.map(e => e.dataset.id)") == [
        e["node"]["id"] for e in events
    ]
    event = f"work:{author}:{loaded['held']}"
    text = ZH["says.NEW_WORK"].format(year=held["publication_year"], title=held["title"])
    expect(page.locator(f"li[data-id='{event}'] .summary")).to_have_text(text)
    page.reload()
    settled(page)
    expect(page.get_by_test_id("since-visit")).not_to_have_attribute(
        "data-since", "2000-01-01T00:00:00Z"
    )
    expect(page.get_by_test_id("since-events")).to_have_count(0)
    expect(page.get_by_test_id("since-visit").locator(".state.empty")).to_be_visible()


# --- opening and changing a case on the page ------------------------------------------------------

CASE_FULL = """query ($id: ID!) { case(id: $id) { ... on Case { id version stage owner district
  programme priority tier nextAction nextActionDue notes links targetId
  events { version action actor changes { field before after } } } } }"""
AUDIT = "{ auditLog(first: 100) { edges { node { action entity keyName } } } }"


def test_open_a_case_from_a_profile_and_change_it(
    open_page: Any, site: Site, loaded: dict[str, Any], desk: Any
) -> None:
    """A recruiter opens a case from a co-author's profile with the form, then changes its
    priority and moves it on its page; the API has each change, by that key, audited. A viewer
    sees neither the link nor the forms."""
    other, district = loaded["other"], loaded["district"]
    page = open_page(f"/scientist/{other}", key="recruiter")
    page.get_by_test_id("open-case").click()
    settled(page)
    expect(page.get_by_test_id("case-target")).to_have_attribute("data-id", other)
    form = page.get_by_test_id("case-form")
    form.get_by_label(EN["cases.district"]).select_option(district)
    form.get_by_label(EN["case.programmeLabel"]).select_option("COOPERATION")
    form.get_by_label(EN["caseForm.priority"]).select_option("HIGH")
    form.get_by_label(EN["caseForm.nextAction"]).fill("visit the lab")
    form.get_by_label(EN["caseForm.due"]).fill("2099-01-31")
    form.get_by_label(EN["caseForm.notes"]).fill("<b>met at a conference</b>")
    form.get_by_role("button", name=EN["caseForm.create"]).click()
    page.wait_for_url("**/case/case-*")
    settled(page)
    case = page.url.rsplit("/", 1)[1]
    made = graphql(site, CASE_FULL, {"id": case})["case"]
    assert {k: made[k] for k in ("stage", "owner", "district", "programme", "priority")} == {
        "stage": "IDENTIFIED",
        "owner": "desk-recruiter",
        "district": district,
        "programme": "COOPERATION",
        "priority": "HIGH",
    }
    assert (made["targetId"], made["nextAction"], made["nextActionDue"]) == (
        other,
        "visit the lab",
        "2099-01-31",
    )
    assert made["notes"] == "<b>met at a conference</b>"  # stored as text, shown as text
    expect(page.locator(".notes")).to_have_text("<b>met at a conference</b>")
    # Change the priority: one UPDATED event, at version 2.
    edit = page.get_by_test_id("case-edit")
    edit.get_by_label(EN["caseForm.priority"]).select_option("LOW")
    edit.get_by_role("button", name=EN["caseForm.save"]).click()
    expect(page.get_by_test_id("case-version")).to_have_text("2")
    changed = graphql(site, CASE_FULL, {"id": case})["case"]
    assert changed["priority"] == "LOW"
    assert changed["events"][-1]["changes"] == [
        {"field": "priority", "before": "HIGH", "after": "LOW"}
    ]
    assert changed["events"][-1]["actor"] == "desk-recruiter"
    # Move it on its page.
    page.get_by_test_id("case-move").get_by_role("button", name=EN["case.move"]).click()
    expect(page.get_by_test_id("case-stage")).to_have_attribute("data-stage", "CONTACTED")
    moved = graphql(site, CASE_FULL, {"id": case})["case"]
    assert [(e["version"], e["action"]) for e in moved["events"]] == [
        (1, "CREATED"),
        (2, "UPDATED"),
        (3, "MOVED"),
    ]
    timeline = page.get_by_test_id("timeline").locator(":scope > li")
    expect(timeline).to_have_count(3)
    audited = [
        (e["node"]["action"], e["node"]["keyName"])
        for e in graphql(site, AUDIT)["auditLog"]["edges"]
        if e["node"]["entity"] == case
    ]
    actions = ["createCase", "updateCase", "moveCase"]
    assert sorted(audited) == sorted((a, "desk-recruiter") for a in actions)
    viewer = open_page(f"/case/{case}", key="viewer")
    expect(viewer.get_by_test_id("case-stage")).to_have_attribute("data-stage", "CONTACTED")
    expect(viewer.get_by_test_id("case-edit")).to_have_count(0)
    expect(viewer.get_by_test_id("case-move")).to_have_count(0)
    profile = open_page(f"/scientist/{other}", key="viewer")
    expect(profile.get_by_test_id("open-case")).to_have_count(0)
    refused = open_page(f"/cases/new?target={other}&kind=SCIENTIST", key="viewer")
    expect(refused.get_by_role("alert")).to_contain_text(EN["caseForm.recruitersOnly"])


def place_names_zh() -> dict[str, str]:
    """The home city's and its districts' Chinese names, from the region profile file."""
    profile = yaml.safe_load(DEFAULT_REGION_PATH.read_text(encoding="utf-8"))
    return {p["id"]: p["name_zh"] for p in [profile["city"], *profile["districts"]]}


# The tables' prefix of each case field whose values are codes.
CODES = {"stage": "case.stage.", "programme": "case.programme.", "priority": "case.priority."}
CODES |= {"tier": "tier."}


def worded_zh(field: str, value: Any, places: dict[str, str]) -> str:
    """A case field's raw value as the Chinese page should word it."""
    if value in (None, "", []):
        return "\u2013"  # an en dash, as the page shows none
    if isinstance(value, list):
        return ", ".join(worded_zh(field, v, places) for v in value)
    if field in CODES:
        return ZH[CODES[field] + value]
    return places[value] if field == "district" else str(value)


def test_case_timeline_and_board_in_chinese(
    open_page: Any, site: Site, loaded: dict[str, Any], desk: Any
) -> None:
    """The case page in Chinese: each change's field by its Chinese label and its values
    through the tables (stage, programme, priority) or by the district's name in the region
    profile, as the API's raw changes say; no English label in the timeline; the case's
    district and the board's targets named in Chinese."""
    case, places = desk["cases"][0], place_names_zh()
    page = open_page(f"/case/{case}", lang="zh", key="viewer")
    events = graphql(site, CASE, {"id": case})["case"]["events"]
    timeline = page.get_by_test_id("timeline").locator(":scope > li")
    expect(timeline).to_have_count(len(events))
    changed = 0
    for i, event in enumerate(events):
        for change in event["changes"]:
            row = timeline.nth(i).locator(f"li[data-field='{change['field']}']")
            expect(row.locator(".field")).to_have_text(ZH[f"caseField.{change['field']}"])
            expect(row.locator(".before")).to_have_text(
                worded_zh(change["field"], change["before"], places)
            )
            expect(row.locator(".after")).to_have_text(
                worded_zh(change["field"], change["after"], places)
            )
            changed += 1
    fields = {c["field"] for e in events for c in e["changes"]}
    assert {"stage", "district", "programme", "priority"} <= fields and changed >= 5
    assert untranslated(page.get_by_test_id("timeline").inner_text()) == []
    expect(page.get_by_test_id("case-district")).to_have_text(places[loaded["district"]])
    board = open_page(f"/cases?district={loaded['district']}", lang="zh", key="viewer")
    expect(board.locator("#targets-title")).to_contain_text(places["cn/suzhou"])


# --- languages and screenshots ------------------------------------------------------------------


def test_desk_views_in_both_languages(open_page: Any, loaded: dict[str, Any], desk: Any) -> None:
    """Each desk view in Chinese shows no English label; the switch turns it into English;
    each is screenshot in both languages."""
    views = {
        "district": f"/district/{loaded['district']}",
        "watchlists": "/watchlists",
        "watchlist": f"/watchlist/{desk['watchlist']}",
        "cases": f"/cases?district={loaded['district']}",
        "case": f"/case/{desk['cases'][0]}",
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in views.items():
        page = open_page(path, lang="zh", key="recruiter")
        expect(page.locator("header nav")).to_contain_text(ZH["nav.cases"])
        assert untranslated(page.evaluate(LABELS_JS)) == [], name
        page.screenshot(path=SHOTS / f"{name}-zh.png", full_page=True)
        page.get_by_test_id("lang-switch").click()
        expect(page.locator("header nav")).to_contain_text(EN["nav.cases"])
        settled(page)
        page.screenshot(path=SHOTS / f"{name}-en.png", full_page=True)
        page.context.close()
