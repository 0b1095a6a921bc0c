"""District recommendations and push lists over real HTTP: candidates ranked with reasons,
people in an open case left out, dated and versioned push lists with what is new since the
last, the XLSX and CSV exports (opened with openpyxl) from the HTTP endpoint and the CLI, in
English and in Chinese (`?lang=zh`, `--lang zh`: worded as the page's Chinese table words
them)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from neo4j import Driver
from openpyxl import load_workbook

from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from schema.settings import Settings
from tests.conftest import REPO, ask, create_key, load_works, sample_file, short_id
from tests.test_api_chain import industries, matching, segment_topics

RECOMMEND = """
query ($d: ID!, $s: ID, $k: EntityKind, $first: Int) {
  recommendations(district: $d, segment: $s, kind: $k, first: $first) {
    __typename
    ... on RecommendationConnection {
      totalCount
      edges { node { entityId kind name segment score evidence reach mobility
                     reasons { code text value } } }
    }
    ... on NotFound { message }
  }
}"""
PUSH_FIELDS = """
  id district segment version asOf pushedBy modelVersion previousId xlsxUrl
  entries { rank entityId kind name score newSinceLast
            reasons { code text value rank works citations partners hops institution years } }
  newSinceLast { entityId }
"""
PUSH = f"""
mutation ($d: ID!, $s: ID) {{
  push(district: $d, segment: $s) {{
    __typename
    ... on Pushed {{ pushLists {{ {PUSH_FIELDS} }} }}
    ... on NotFound {{ message }}
  }}
}}"""


def district_and_segment() -> tuple[str, str, set[str]]:
    """From the raw files: the district focus segment that the most sample works match (the
    sample is not about Suzhou's industries: a few), that district, and those works' ids."""
    profile = yaml.safe_load(DEFAULT_REGION_PATH.read_text(encoding="utf-8"))
    by_industry = {i["id"]: i for i in industries()}
    found = [
        (len(works), district["id"], segment["id"], works)
        for district in profile["districts"]
        for industry in district.get("industry_ids") or []
        for segment in by_industry[industry]["segments"]
        if (works := {short_id(w["id"]) for w in matching(segment_topics(segment))})
    ]
    _, district, segment, works = max(found, key=lambda f: (f[0], f[1], f[2]))
    assert len(works) >= 3, found
    return district, segment, works


# The page's Chinese labels (the page words push lists and reasons from them; so must the
# exports).
ZH: dict[str, str] = json.loads((REPO / "web/src/i18n/zh.json").read_text(encoding="utf-8"))


def segment_names() -> dict[str, tuple[str, str]]:
    """Each chain segment's English and Chinese names, from the industries file."""
    chains = yaml.safe_load(DEFAULT_INDUSTRIES_PATH.read_text(encoding="utf-8"))
    return {
        s["id"]: (s["name_en"], s["name_zh"]) for i in chains["industries"] for s in i["segments"]
    }


def said(table: dict[str, str], reason: dict[str, Any], segment: str) -> str:
    """A reason as the page words it in the language of `table` (numbers as Intl formats them:
    thousands with commas in both)."""
    n = "{:,}".format
    template = table[f"says.{reason['code']}"] if reason["code"] != "PATH" else ""
    if reason["code"] == "EVIDENCE":
        values = {"rank": n(reason["rank"]), "segment": segment, "works": n(reason["works"])}
        values |= {"citations": n(reason["citations"]), "score": f"{reason['value']:.1f}"}
    elif reason["code"] == "COOPERATION":
        partners = ", ".join(reason["partners"]) or table["says.districtInstitutions"]
        values = {"works": n(reason["works"]), "partners": partners}
    elif reason["code"] == "PATH":
        template = table["says.PATH1" if reason["hops"] == 1 else "says.PATH2"]
        values = {"hops": n(reason["hops"])}
    else:
        institution = reason["institution"] or table["says.newInstitution"]
        values = {"institution": institution, "years": n(reason["years"])}
    return template.format(**values)


@pytest.fixture(scope="module")
def loaded(
    graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """A few sample works matching a district's focus segment, the industries and region
    profile, ranked by the derived step (the whole sample takes minutes on a loaded machine)."""
    tmp = tmp_path_factory.mktemp("push")
    district, segment, works = district_and_segment()
    sample = sample_file(works, tmp / "works.jsonl")
    load_works(graph, settings, [sample], tmp / "quarantine", derive=False)
    writer = Writer(graph, settings.neo4j_database)
    load_industries(writer, DEFAULT_INDUSTRIES_PATH)
    load_region(writer, DEFAULT_REGION_PATH)
    derive(writer, max_authors=settings.max_authors_for_ties)
    return {"district": district, "segment": segment}


@pytest.fixture(scope="module")
def keys(graph: Driver, settings: Settings, api_url: str) -> dict[str, str]:
    return {
        name: create_key(graph, settings, role, name)
        for name, role in (("alice", "recruiter"), ("vera", "viewer"))
    }


def data(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def recommend(api_url: str, loaded: dict[str, str], key: str, **change: str) -> dict[str, Any]:
    """The district's scientist recommendations in its focus segment (the whole response)."""
    variables = {"d": loaded["district"], "s": loaded["segment"], "k": "SCIENTIST", "first": 100}
    return ask(api_url, RECOMMEND, {**variables, **change}, key=key)


def push(api_url: str, loaded: dict[str, str], key: str) -> dict[str, Any]:
    """A push list of the district's focus segment, pushed now (the one list it makes)."""
    variables = {"d": loaded["district"], "s": loaded["segment"]}
    lists: list[dict[str, Any]] = data(ask(api_url, PUSH, variables, key=key), "push")["pushLists"]
    [pushed] = lists
    return pushed


def open_case(api_url: str, district: str, scientist: str, key: str) -> dict[str, Any]:
    """A talent case on `scientist` in `district`, its next action due tomorrow."""
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    case = {
        "target": scientist,
        "targetKind": "SCIENTIST",
        "district": district,
        "programme": "TALENT",
        "nextActionDue": tomorrow,
    }
    return ask(
        api_url,
        "mutation ($i: CaseInput!) { createCase(input: $i) { __typename } }",
        {"i": case},
        key=key,
    )


@pytest.fixture(scope="module")
def pushed(api_url: str, loaded: dict[str, str], keys: dict[str, str]) -> dict[str, Any]:
    """Two push lists by alice with a case opened between them on the first's top scientist,
    and the district's push lists read right after (before the CLI test pushes a third)."""
    v1 = push(api_url, loaded, keys["alice"])
    assert {e["kind"] for e in v1["entries"]} >= {"SCIENTIST", "INSTITUTION"}
    top = next(e["entityId"] for e in v1["entries"] if e["kind"] == "SCIENTIST")
    case = open_case(api_url, loaded["district"], top, keys["alice"])
    v2 = push(api_url, loaded, keys["alice"])
    listed = ask(
        api_url,
        "query ($d: ID!) { pushLists(district: $d) { totalCount edges { node { id version } } } }",
        {"d": loaded["district"]},
        key=keys["vera"],
    )
    return {"v1": v1, "top": top, "case": case, "v2": v2, "listed": listed}


def test_recommendations_ranked_with_reasons(
    api_url: str, loaded: dict[str, str], keys: dict[str, str]
) -> None:
    got = data(recommend(api_url, loaded, keys["alice"]), "recommendations")
    assert got["__typename"] == "RecommendationConnection"
    nodes = [e["node"] for e in got["edges"]]
    assert nodes and got["totalCount"] == len(nodes)
    assert [n["score"] for n in nodes] == sorted((n["score"] for n in nodes), reverse=True)
    for n in nodes:
        assert n["kind"] == "SCIENTIST" and n["segment"] == loaded["segment"]
        assert n["reasons"][0]["code"] == "EVIDENCE" and n["reasons"][0]["text"].startswith("#")
        assert n["score"] == pytest.approx(n["evidence"] * n["reach"] * n["mobility"], rel=1e-5)


def test_recommendations_viewer_forbidden_and_district_not_found(
    api_url: str, loaded: dict[str, str], keys: dict[str, str]
) -> None:
    # Viewers do not walk people's ties.
    denied = recommend(api_url, loaded, keys["vera"])
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = recommend(api_url, loaded, keys["alice"], d="cn/suzhou/atlantis")
    assert data(unknown, "recommendations")["__typename"] == "NotFound"


def test_first_push_list(loaded: dict[str, str], pushed: dict[str, Any]) -> None:
    v1 = pushed["v1"]
    assert (v1["version"], v1["district"], v1["segment"], v1["pushedBy"]) == (
        1,
        loaded["district"],
        loaded["segment"],
        "alice",
    )
    assert v1["previousId"] is None
    assert all(e["newSinceLast"] for e in v1["entries"])
    assert [e["rank"] for e in v1["entries"]] == list(range(1, len(v1["entries"]) + 1))
    assert {e["kind"] for e in v1["entries"]} >= {"SCIENTIST", "INSTITUTION"}


def test_open_case_takes_its_person_off(
    api_url: str, loaded: dict[str, str], keys: dict[str, str], pushed: dict[str, Any]
) -> None:
    """A case opened on the top scientist takes them off the recommendations and the next list."""
    top = pushed["top"]
    assert data(pushed["case"], "createCase")["__typename"] == "Case"
    after = data(recommend(api_url, loaded, keys["alice"]), "recommendations")
    assert top not in {e["node"]["entityId"] for e in after["edges"]}
    assert top not in {e["entityId"] for e in pushed["v2"]["entries"]}


def test_second_push_list_says_what_is_new(pushed: dict[str, Any]) -> None:
    v1, v2 = pushed["v1"], pushed["v2"]
    assert (v2["version"], v2["previousId"]) == (2, v1["id"])
    assert v2["newSinceLast"] == [
        {"entityId": e["entityId"]} for e in v2["entries"] if e["newSinceLast"]
    ]
    assert all(
        e["entityId"] in {x["entityId"] for x in v1["entries"]}
        for e in v2["entries"]
        if not e["newSinceLast"]
    )


def test_push_lists_listed_and_read(
    api_url: str, keys: dict[str, str], pushed: dict[str, Any]
) -> None:
    listed = data(pushed["listed"], "pushLists")
    assert [e["node"]["version"] for e in listed["edges"]] == [2, 1]
    v1 = pushed["v1"]
    one = data(
        ask(
            api_url,
            "query ($i: ID!) { pushList(id: $i) { ... on PushList { id version } } }",
            {"i": v1["id"]},
            key=keys["vera"],
        ),
        "pushList",
    )
    assert one == {"id": v1["id"], "version": 1}


def test_push_list_exports(
    api_url: str, loaded: dict[str, str], keys: dict[str, str], pushed: dict[str, Any]
) -> None:
    """The XLSX the page links to, opened with openpyxl; the CSV; refused without a key."""
    v1, v2 = pushed["v1"], pushed["v2"]
    vera = {"Authorization": f"Bearer {keys['vera']}"}
    response = httpx.get(f"{api_url}{v1['xlsxUrl']}", headers=vera)
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert loaded["district"] in str(table[0][0]) and "version 1" in str(table[0][0])
    assert table[1][:3] == ("rank", "kind", "id")
    assert [r[2] for r in table[2:]] == [e["entityId"] for e in v1["entries"]]
    assert [r[0] for r in table[2:]] == [e["rank"] for e in v1["entries"]]
    assert all(r[6] for r in table[2:])  # the reasons, in words
    text = httpx.get(f"{api_url}/export/pushlists/{v2['id']}.csv", headers=vera)
    assert text.status_code == 200
    exported = list(csv.DictReader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert [r["id"] for r in exported] == [e["entityId"] for e in v2["entries"]]
    assert httpx.get(f"{api_url}{v1['xlsxUrl']}").status_code == 401
    missing = httpx.get(f"{api_url}/export/pushlists/push-nothing.xlsx", headers=vera)
    assert missing.status_code == 404


ZH_HEADERS = ("排名", "类型", "编号", "名称", "得分", "较上次新增", "推荐理由")


def test_push_list_exports_in_chinese(
    api_url: str, loaded: dict[str, str], keys: dict[str, str], pushed: dict[str, Any]
) -> None:
    """`?lang=zh`: Chinese headers, kinds and title; each reason worded from its code and
    numbers as the page's Chinese table words it, the segment by its Chinese name in the
    industries file; `?lang=en` is the default; another language is refused by name."""
    v1, v2 = pushed["v1"], pushed["v2"]
    vera = {"Authorization": f"Bearer {keys['vera']}"}
    segment_zh = segment_names()[loaded["segment"]][1]

    def expected(entry: dict[str, Any]) -> tuple[Any, ...]:
        reasons = "；".join(said(ZH, r, segment_zh) for r in entry["reasons"])
        kind = ZH[f"kind.{entry['kind']}"]
        new = "是" if entry["newSinceLast"] else ""
        name = entry["name"] or ""
        return (entry["rank"], kind, entry["entityId"], name, entry["score"], new, reasons)

    response = httpx.get(f"{api_url}{v2['xlsxUrl']}", params={"lang": "zh"}, headers=vera)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert str(table[0][0]).startswith(f"{loaded['district']} · {segment_zh} · 第 2 版 · ")
    assert table[1] == ZH_HEADERS
    cells = [tuple("" if c is None else c for c in r) for r in table[2:]]
    assert cells == [expected(e) for e in v2["entries"]]
    text = httpx.get(f"{api_url}/export/pushlists/{v1['id']}.csv?lang=zh", headers=vera)
    assert text.status_code == 200
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == ZH_HEADERS
    assert [r[6] for r in rows[1:]] == [expected(e)[6] for e in v1["entries"]]
    assert [r[1] for r in rows[1:]] == [ZH[f"kind.{e['kind']}"] for e in v1["entries"]]
    assert [r[5] for r in rows[1:]] == ["是"] * len(v1["entries"])  # all new in the first
    # English by default and by name: the stored words.
    en = httpx.get(f"{api_url}/export/pushlists/{v1['id']}.csv?lang=en", headers=vera)
    default = httpx.get(f"{api_url}/export/pushlists/{v1['id']}.csv", headers=vera)
    assert en.content == default.content
    english = list(csv.DictReader(io.StringIO(en.content.decode("utf-8-sig"))))
    assert [r["reasons"] for r in english] == [
        "; ".join(r["text"] for r in e["reasons"]) for e in v1["entries"]
    ]
    refused = httpx.get(f"{api_url}{v1['xlsxUrl']}", params={"lang": "fr"}, headers=vera)
    assert refused.status_code == 400 and "'fr'" in refused.text and "en, zh" in refused.text


def test_push_and_export_from_the_cli(
    loaded: dict[str, str], pushed: dict[str, Any], tmp_path: Path
) -> None:
    """The CLI: a third version (after the two `pushed` made), and the export of it."""
    from typer.testing import CliRunner

    from talentmap.cli import app

    district, segment = loaded["district"], loaded["segment"]
    result = CliRunner().invoke(app, ["push", "--district", district, "--as-of", "2026-01-02"])
    assert result.exit_code == 0, result.output
    v3 = [line.split("\t") for line in result.stdout.splitlines() if f"\t{segment}\t" in line]
    assert v3 and v3[0][3] == "v3"
    out = tmp_path / "push.xlsx"
    result = CliRunner().invoke(app, ["push", "export", v3[0][0], "--out", str(out)])
    assert result.exit_code == 0, result.output
    cli_sheet = load_workbook(out).active
    assert cli_sheet is not None
    assert "2026-01-02" in str(cli_sheet["A1"].value)
    out_zh = tmp_path / "push-zh.csv"
    args = ["push", "export", v3[0][0], "--out", str(out_zh), "--lang", "zh"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert tuple(out_zh.read_text(encoding="utf-8-sig").split("\n")[0].split(",")) == ZH_HEADERS
    result = CliRunner().invoke(app, [*args[:-1], "fr"])
    assert result.exit_code == 1 and "'fr'" in result.output


def test_scores_and_reasons() -> None:
    from schema.push import Candidate, rank
    from schema.watch import EntityKind

    base = {
        "kind": EntityKind.SCIENTIST,
        "segment_id": "s",
        "chain_rank": 1,
        "works": 3,
        "citations": 10,
        "evidence": 5.0,
    }
    far = Candidate(entity_id="A1", **base)
    near = Candidate(
        entity_id="A2",
        cooperation_works=99,
        partners=("Kunshan U",),
        hops=1,
        affiliations=(("Old", 2010, 2020), ("New", 2025, 2026)),
        **base,
    )
    ranked = rank([far, near], this_year=2026)
    assert [r.entity_id for r in ranked] == ["A2", "A1"]
    best = ranked[0]
    assert best.reach == pytest.approx(1 + 0.5 * 2 + 0.5)
    assert best.mobility == 1.1
    assert [r.code for r in best.reasons] == ["EVIDENCE", "COOPERATION", "PATH", "MOBILITY"]
    assert "99 works shared with Kunshan U" in best.reasons[1].text
    assert ranked[1].score == 5.0
    # Beside the words, the numbers and names a page words in its own language.
    evidence, cooperation, path, mobility = best.reasons
    assert (evidence.rank, evidence.works, evidence.citations) == (1, 3, 10)
    assert (cooperation.works, cooperation.partners) == (99, ("Kunshan U",))
    assert (path.hops, mobility.institution, mobility.years) == (1, "New", 2)
    unnamed = Candidate(
        entity_id="A3", affiliations=((None, 2010, 2020), (None, 2025, 2026)), **base
    )
    [moved] = [r for r in rank([unnamed], this_year=2026)[0].reasons if r.code == "MOBILITY"]
    assert (moved.institution, moved.text) == (None, "moved to a new institution within 2 years")


def test_chinese_reasons_as_the_page_words_them() -> None:
    """Each reason code in Chinese, from its numbers, as the page's Chinese table words it
    (said()); a reason without numbers (pushed before they were kept) keeps its words."""
    from schema.push import Candidate, Reason, rank, reason_zh
    from schema.watch import EntityKind

    candidate = Candidate(
        entity_id="A2",
        kind=EntityKind.SCIENTIST,
        segment_id="s",
        chain_rank=12,
        works=1234,
        citations=56789,
        evidence=7.43,
        cooperation_works=3,
        hops=2,
        affiliations=((None, 2010, 2020), (None, 2025, 2026)),
    )
    reasons = rank([candidate], this_year=2026)[0].reasons
    assert [r.code for r in reasons] == ["EVIDENCE", "COOPERATION", "PATH", "MOBILITY"]
    for reason in reasons:
        raw = reason.model_dump(mode="json")
        assert reason_zh(reason, "环节") == said(ZH, raw, "环节")
    old = Reason(code="EVIDENCE", text="#1 in X: 3 matching works", value=1.0)
    assert reason_zh(old, "环节") == "#1 in X: 3 matching works"
