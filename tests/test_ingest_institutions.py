"""Institutions from ROR dumps (schema v1 and v2) and OpenAlex Institution records, in the real
Neo4j. Expected values are computed here from the raw JSON, without the code under test."""

from __future__ import annotations

import copy
import gzip
import json
import random
import time
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.nodes import to_model
from graph.unit_of_work import Writer
from ingest.jobs import JobReport, Source, run_job
from ingest.openalex.institutions import OPENALEX_INSTITUTIONS
from ingest.ror.records import ROR
from schema.institution import Institution
from schema.settings import Settings
from tests.conftest import OPENALEX_SAMPLE, ROR_V1, ROR_V2, fresh, ror_dump, rows, scalar, snapshot

OPENALEX = OPENALEX_SAMPLE / "institutions.jsonl"


# --- the raw JSON, read without the code under test --------------------------------------------


def short(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def v2_records() -> list[dict[str, Any]]:
    return ror_dump(ROR_V2)


def v1_records() -> list[dict[str, Any]]:
    return ror_dump(ROR_V1)


@cache
def openalex_records() -> list[dict[str, Any]]:
    with OPENALEX.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ror_records() -> list[dict[str, Any]]:
    return v2_records() + v1_records()


# The registry part the counts and spot-check tests load: every fifth record of each dump, the
# records the OpenAlex institutions name (so some join and some stay alone) and two Chinese
# universities the label tests read. The rest of their relationships' ends become stubs, as
# they do for the whole dump's links to records it lacks. (The whole 51K-record load took
# ~150 s of CI's time; a fifth of it checks the same rules.)
NAMED = {"03cve4549", "013q1eq08"}  # Tsinghua, Fudan


def picked(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted = NAMED | {openalex_key(r) for r in openalex_records()}
    return [r for n, r in enumerate(records) if n % 5 == 0 or short(r["id"]) in wanted]


@cache
def part_v2() -> list[dict[str, Any]]:
    return picked(v2_records())


@cache
def part_v1() -> list[dict[str, Any]]:
    return picked(v1_records())


def part_records() -> list[dict[str, Any]]:
    return part_v2() + part_v1()


def ror_edges(records: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(type, start, end) of every relationship any record states; `related` once per pair,
    from the smaller id; a record's relationship to itself is no edge."""
    edges = set()
    for record in records:
        me = short(record["id"])
        for rel in record["relationships"]:
            other, kind = short(rel["id"]), rel["type"].lower()
            if other == me:
                continue
            if kind == "parent":
                edges.add(("PART_OF", me, other))
            elif kind == "child":
                edges.add(("PART_OF", other, me))
            elif kind == "successor":
                edges.add(("SUCCEEDED_BY", me, other))
            elif kind == "predecessor":
                edges.add(("SUCCEEDED_BY", other, me))
            elif kind == "related":
                edges.add(("RELATED_TO", min(me, other), max(me, other)))
    return edges


def places(record: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(geonames id, city, country code) of each place a record names, v1 or v2."""
    if "locations" in record:
        return [
            (
                loc["geonames_id"],
                loc["geonames_details"]["name"],
                loc["geonames_details"]["country_code"],
            )
            for loc in record["locations"]
        ]
    return [
        (a["geonames_city"]["id"], a["geonames_city"]["city"], record["country"]["country_code"])
        for a in record["addresses"]
    ]


def display_name(record: dict[str, Any]) -> str:
    if "names" in record:
        return str(next(n["value"] for n in record["names"] if "ror_display" in n["types"]))
    return str(record["name"])


def chinese_label(record: dict[str, Any]) -> str | None:
    if "names" in record:
        labels = [
            n["value"] for n in record["names"] if "label" in n["types"] and n["lang"] == "zh"
        ]
    else:
        labels = [x["label"] for x in record["labels"] if x["iso639"] == "zh"]
    return labels[0] if labels else None


def openalex_key(record: dict[str, Any]) -> str:
    return short(record["ror"]) if record.get("ror") else short(record["id"])


def openalex_references(records: list[dict[str, Any]]) -> dict[str, set[tuple[str, ...]]]:
    """Expected OpenAlex edges: lineage parents (a ROR id from the associated institutions,
    else the record in the file with that OpenAlex id) and associated institutions."""
    key_of = {short(r["id"]): openalex_key(r) for r in records}
    lineage: set[tuple[str, ...]] = set()
    associated: set[tuple[str, ...]] = set()
    for record in records:
        me = openalex_key(record)
        ror_of = {
            short(a["id"]): short(a["ror"])
            for a in record["associated_institutions"]
            if a.get("ror")
        }
        for parent in record["lineage"]:
            parent = short(parent)
            target = ror_of.get(parent) or key_of.get(parent)
            if parent != short(record["id"]) and target and target != me:
                lineage.add((me, target))
        for a in record["associated_institutions"]:
            target = short(a["ror"]) if a.get("ror") else key_of.get(short(a["id"]))
            if target and target != me:
                associated.add((me, target, a["relationship"]))
    return {"PART_OF": lineage, "ASSOCIATED_WITH": associated}


# --- helpers -----------------------------------------------------------------------------------


def load(
    graph: Driver,
    settings: Settings,
    source: Source[Any],
    paths: list[Path],
    tmp: Path,
    batch_size: int = 2000,
) -> JobReport:
    return run_job(
        Writer(graph, settings.neo4j_database),
        source,
        paths,
        quarantine_dir=tmp / "quarantine",
        batch_size=batch_size,
    )


def node(graph: Driver, settings: Settings, key: str) -> dict[str, Any]:
    found = rows(
        graph, settings, "MATCH (n:Institution {id: $id}) RETURN properties(n) AS p", id=key
    )
    assert found, f"no Institution {key}"
    return dict(found[0]["p"])


def write_array(path: Path, records: list[Any]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


# --- the full load -----------------------------------------------------------------------------

TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def full(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Driver:
    """The registry part (v2 then v1, gzipped JSON arrays as ROR publishes them), then the
    OpenAlex institutions, into an empty graph."""
    tmp = tmp_path_factory.mktemp("full")
    v2, v1 = tmp / "v2.json.gz", tmp / "v1.json.gz"
    for path, records in ((v2, part_v2()), (v1, part_v1())):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(records, handle, ensure_ascii=False)
    fresh(graph, settings)
    started = time.monotonic()
    report = load(graph, settings, ROR, [v2, v1], tmp)
    TIMES["ror"] = time.monotonic() - started
    assert (report.read, report.written, report.quarantined) == (
        len(part_records()),
        len(part_records()),
        0,
    )
    started = time.monotonic()
    report = load(graph, settings, OPENALEX_INSTITUTIONS, [OPENALEX], tmp)
    TIMES["openalex"] = time.monotonic() - started
    assert (report.written, report.quarantined) == (len(openalex_records()), 0)
    print(f"\nfull load: ROR {TIMES['ror']:.1f}s, OpenAlex institutions {TIMES['openalex']:.1f}s")
    return graph


def test_counts_match_the_raw_json(full: Driver, settings: Settings) -> None:
    records = part_records()
    ror_ids = {short(r["id"]) for r in records}
    edges = ror_edges(records)
    targets = {end for _, a, b in edges for end in (a, b)}
    oa = openalex_records()
    oa_keys = {openalex_key(r) for r in oa}
    oa_targets = {short(a["ror"]) for r in oa for a in r["associated_institutions"] if a.get("ror")}
    # one node per real institution: every ROR id either source names
    assert scalar(full, settings, "MATCH (n:Institution) RETURN count(n)") == len(
        ror_ids | targets | oa_keys | oa_targets
    )
    assert scalar(
        full, settings, "MATCH (n:Institution {authority: 'ror'}) RETURN count(n)"
    ) == len(ror_ids)
    assert scalar(
        full, settings, "MATCH (n:Institution {authority: 'openalex'}) RETURN count(n)"
    ) == len(oa_keys - ror_ids)
    assert scalar(
        full, settings, "MATCH (n:Institution) WHERE n.openalex_id IS NOT NULL RETURN count(n)"
    ) == len(oa_keys)

    stored = rows(
        full,
        settings,
        "MATCH (a)-[r:PART_OF|RELATED_TO|SUCCEEDED_BY {source: 'ror'}]->(b) "
        "RETURN type(r) AS type, a.id AS a, b.id AS b",
    )
    assert {(r["type"], r["a"], r["b"]) for r in stored} == edges
    assert len(stored) == len(edges)
    for rel in ("PART_OF", "RELATED_TO", "SUCCEEDED_BY"):
        want = sum(1 for e in edges if e[0] == rel)
        got = scalar(full, settings, f"MATCH ()-[r:{rel} {{source: 'ror'}}]->() RETURN count(r)")
        assert got == want, rel

    references = openalex_references(oa)
    lineage = rows(
        full,
        settings,
        "MATCH (a)-[:PART_OF {source: 'openalex'}]->(b) RETURN a.id AS a, b.id AS b",
    )
    assert {(r["a"], r["b"]) for r in lineage} == references["PART_OF"]
    associated = rows(
        full,
        settings,
        "MATCH (a)-[r:ASSOCIATED_WITH]->(b) RETURN a.id AS a, b.id AS b, r.relationship AS k",
    )
    assert len(associated) == len(references["ASSOCIATED_WITH"])
    assert {(r["a"], r["b"], r["k"]) for r in associated} == references["ASSOCIATED_WITH"]

    located = {(short(r["id"]), p[0]) for r in records for p in places(r)}
    assert scalar(
        full, settings, "MATCH (:Institution)-[r:LOCATED_IN]->(:City) RETURN count(r)"
    ) == len(located)
    assert scalar(full, settings, "MATCH (c:City) RETURN count(c)") == len({g for _, g in located})
    assert scalar(full, settings, "MATCH (c:Country) RETURN count(c)") == len(
        {p[2] for r in records for p in places(r)}
    )
    assert scalar(full, settings, "MATCH (c:City)-[r:LOCATED_IN]->(:Country) RETURN count(r)") == (
        len({g for _, g in located})
    )

    # name_zh: the first Chinese ROR label; else OpenAlex's Chinese name; else none
    chinese = {short(r["id"]): chinese_label(r) for r in records if chinese_label(r)}
    stored_zh = rows(
        full,
        settings,
        "MATCH (n:Institution {authority: 'ror'}) "
        "RETURN n.id AS id, n.name_zh AS zh, n.openalex_name_zh AS oa",
    )
    assert len(stored_zh) == len(ror_ids)
    for row in stored_zh:
        assert row["zh"] == chinese.get(row["id"], row["oa"]), row


def test_chinese_labels(full: Driver, settings: Settings) -> None:
    by_id = {short(r["id"]): r for r in part_records()}
    tsinghua = node(full, settings, "03cve4549")
    assert tsinghua["name"] == display_name(by_id["03cve4549"]) == "Tsinghua University"
    assert tsinghua["name_zh"] == chinese_label(by_id["03cve4549"]) == "清华大学"
    assert "清华大学" in tsinghua["names"]
    # Fudan has a Simplified and a Traditional label: the first is name_zh, both are names
    fudan = node(full, settings, "013q1eq08")
    zh = [n["value"] for n in by_id["013q1eq08"]["names"] if n["lang"] == "zh"]
    assert len(zh) == 2 and fudan["name_zh"] == zh[0]
    assert set(zh) <= set(fudan["names"])
    for name in by_id["013q1eq08"]["names"]:  # each name in its list(s), with its language
        for kind, plural in (("label", "labels"), ("alias", "aliases"), ("acronym", "acronyms")):
            if kind in name["types"]:
                languages = dict(zip(fudan[plural], fudan[f"{kind}_languages"], strict=True))
                assert languages[name["value"]] == (name["lang"] or ""), name
    # a v1 record: its name is its first label, language unknown
    v1 = next(r for r in part_v1() if chinese_label(r))
    stored = node(full, settings, short(v1["id"]))
    assert stored["labels"][0] == v1["name"] and stored["label_languages"][0] == ""
    assert stored["name_zh"] == chinese_label(v1)
    assert stored["ror_schema"] == "1"


def test_spot_checks_against_the_raw_json(full: Driver, settings: Settings) -> None:
    chooser = random.Random(20240601)
    sample = chooser.sample([r for r in part_v2() if r["relationships"]], 6)
    sample += chooser.sample([r for r in part_v1() if r["relationships"]], 6)
    for record in sample:
        key = short(record["id"])
        stored = node(full, settings, key)
        assert stored["name"] == stored["ror_name"] == display_name(record)
        assert stored["status"] == record["status"]
        assert stored["types"] == [t.lower() for t in record["types"]]
        assert stored["authority"] == "ror" and stored["source_id"] == record["id"]
        for rel in record["relationships"]:
            (edge,) = ror_edges([{"id": record["id"], "relationships": [rel]}])
            found = rows(
                full,
                settings,
                f"MATCH (a:Institution {{id: $a}})-[r:{edge[0]} {{source: 'ror'}}]->"
                "(b:Institution {id: $b}) RETURN r.asserted_by AS by",
                a=edge[1],
                b=edge[2],
            )
            assert len(found) == 1, (key, rel)
            assert key in found[0]["by"]
        geo = rows(
            full,
            settings,
            "MATCH (:Institution {id: $id})-[:LOCATED_IN]->(c:City)-[:LOCATED_IN]->(k:Country) "
            "RETURN c.geonames_id AS gid, c.id AS cid, k.id AS country",
            id=key,
        )
        assert {(g["gid"], g["country"]) for g in geo} == {(p[0], p[2]) for p in places(record)}
        assert all(g["cid"] == f"geonames/{g['gid']}" for g in geo)


def test_registry_details(full: Driver, settings: Settings) -> None:
    record = next(
        r
        for r in part_v2()
        if {e["type"] for e in r["external_ids"]} >= {"grid", "isni", "wikidata", "fundref"}
        and any(link["type"] == "wikipedia" for link in r["links"])
        and r["domains"]
        and r["established"]
    )
    stored = node(full, settings, short(record["id"]))
    ids = {e["type"]: e for e in record["external_ids"]}
    assert set(stored["grid_ids"]) == set(ids["grid"]["all"])
    assert set(stored["isni_ids"]) == set(ids["isni"]["all"])
    assert set(stored["wikidata_ids"]) == set(ids["wikidata"]["all"])
    assert set(stored["fundref_ids"]) == set(ids["fundref"]["all"])
    assert stored["wikipedia_url"] == next(
        x["value"] for x in record["links"] if x["type"] == "wikipedia"
    )
    assert stored["domains"] == record["domains"]
    assert stored["established"] == record["established"]
    assert stored["ror_updated_at"] == record["admin"]["last_modified"]["date"]
    loc = record["locations"][0]
    city = rows(
        full,
        settings,
        "MATCH (:Institution {id: $id})-[:LOCATED_IN]->(c:City {id: $cid})"
        "-[:LOCATED_IN]->(k:Country) RETURN properties(c) AS c, k.name AS country",
        id=short(record["id"]),
        cid=f"geonames/{loc['geonames_id']}",
    )
    assert city and city[0]["c"]["geonames_id"] == loc["geonames_id"]
    assert city[0]["c"]["country_code"] == loc["geonames_details"]["country_code"]
    assert stored["city"] == loc["geonames_details"]["name"]
    assert (stored["latitude"], stored["longitude"]) == (
        loc["geonames_details"]["lat"],
        loc["geonames_details"]["lng"],
    )
    # relationship targets not in the dumps are stubs: the key and nothing else
    targets = {end for _, a, b in ror_edges(part_records()) for end in (a, b)}
    missing = sorted(targets - {short(r["id"]) for r in part_records()})
    assert missing
    assert node(full, settings, missing[0]) == {"id": missing[0], "ror_id": missing[0]}


def test_openalex_institutions_join_ror_nodes(full: Driver, settings: Settings) -> None:
    ror_by_id = {short(r["id"]): r for r in part_records()}
    joined = [r for r in openalex_records() if short(r["ror"]) in ror_by_id]
    alone = [r for r in openalex_records() if short(r["ror"]) not in ror_by_id]
    assert joined and alone
    for record in joined[:5]:
        stored = node(full, settings, short(record["ror"]))
        # ROR owns the registry facts, OpenAlex its own view and statistics
        assert stored["authority"] == "ror"
        assert stored["name"] == display_name(ror_by_id[short(record["ror"])])
        assert stored["openalex_name"] == record["display_name"]
        assert stored["openalex_id"] == short(record["id"])
        assert stored["works_count"] == record["works_count"]
        assert stored["h_index"] == record["summary_stats"]["h_index"]
        assert stored["count_years"] == sorted(c["year"] for c in record["counts_by_year"])
        assert record["display_name"] in stored["names"]
    for record in alone[:5]:
        stored = node(full, settings, short(record["ror"]))
        assert stored["authority"] == "openalex"
        assert stored["name"] == record["display_name"]
        assert stored["city"] == record["geo"]["city"]
        assert stored["country_code"] == record["country_code"]
        assert stored["i10_index"] == record["summary_stats"]["i10_index"]


def test_stored_nodes_read_back_as_models(full: Driver, settings: Settings) -> None:
    """`names` and `name_zh`, computed in Cypher, agree with the model's computed fields."""
    keys = ["03cve4549", "013q1eq08", short(part_v1()[0]["id"])]
    keys += [short(r["ror"]) for r in openalex_records()[:20]]
    for key in keys:
        stored = node(full, settings, key)
        model = to_model(Institution, stored)
        assert model is not None
        assert list(model.names) == stored["names"], key
        assert model.name_zh == stored.get("name_zh"), key


def entangled_records() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """A small part of both registries where load order can matter, as three dumps (ROR v2,
    ROR v1, OpenAlex): every fourth OpenAlex record, the ROR records it names (its own ROR id
    and its associated institutions), every tenth v2 record with a relationship to a v1
    record, and what the relationships of records with at most 10 of them name. Hubs keep
    their other relationships as stubs, so the part holds each link, stub and cross-registry
    rule of the whole dumps at a ninth of their size (three loads of the whole registry made
    this test the slowest of the suite)."""
    oa = openalex_records()[::4]
    wanted = {openalex_key(r) for r in oa}
    wanted |= {short(a["ror"]) for r in oa for a in r["associated_institutions"] if a.get("ror")}
    v1_ids = {short(r["id"]) for r in v1_records()}
    linking = sorted(
        short(r["id"])
        for r in v2_records()
        if any(short(rel["id"]) in v1_ids for rel in r["relationships"])
    )
    wanted |= set(linking[::10])
    for record in ror_records():
        if short(record["id"]) in wanted and len(record["relationships"]) <= 10:
            wanted |= {short(rel["id"]) for rel in record["relationships"]}
    pick = [r for r in ror_records() if short(r["id"]) in wanted]
    return [r for r in pick if "names" in r], [r for r in pick if "names" not in r], oa


def test_load_order_does_not_matter_and_a_rerun_changes_nothing(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    """v2, v1 then OpenAlex; and OpenAlex first, then v1 before v2, in other batch sizes: the
    same graph; and all of it loaded again changes nothing. (On the entangled part of the
    registry.)"""
    v2, v1, oa = entangled_records()
    picked = {short(r["id"]) for r in v2 + v1}
    named = {short(rel["id"]) for r in v2 + v1 for rel in r["relationships"]}
    # The part still holds: both dumps, records of each linked to the other's, relationships to
    # records outside it (stubs), OpenAlex records with and without a loaded ROR record.
    assert len(v2) > 500 and len(v1) > 100
    assert any(
        short(rel["id"]) in {short(x["id"]) for x in v1} for r in v2 for rel in r["relationships"]
    )
    assert named - picked
    assert {openalex_key(r) for r in oa} & picked and {openalex_key(r) for r in oa} - picked
    v2_path = write_array(tmp_path / "v2.json", v2)
    v1_path = write_array(tmp_path / "v1.json", v1)
    oa_path = tmp_path / "institutions.jsonl"
    oa_path.write_text("".join(json.dumps(r) + "\n" for r in oa), encoding="utf-8")
    fresh(graph, settings)
    load(graph, settings, ROR, [v2_path, v1_path], tmp_path)
    load(graph, settings, OPENALEX_INSTITUTIONS, [oa_path], tmp_path)
    in_order = snapshot(graph, settings)
    fresh(graph, settings)
    load(graph, settings, OPENALEX_INSTITUTIONS, [oa_path], tmp_path, batch_size=23)
    load(graph, settings, ROR, [v1_path], tmp_path, batch_size=50)
    load(graph, settings, ROR, [v2_path], tmp_path, batch_size=111)
    assert snapshot(graph, settings) == in_order
    again = load(graph, settings, ROR, [v2_path, v1_path], tmp_path)
    assert again.read == len(v2) + len(v1) and again.quarantined == 0
    load(graph, settings, OPENALEX_INSTITUTIONS, [oa_path], tmp_path)
    assert snapshot(graph, settings) == in_order


# --- small inputs ------------------------------------------------------------------------------


def one_sided_child() -> tuple[dict[str, Any], dict[str, Any], str]:
    """A v2 record with a `child` relationship its child does not state back (the child is in
    the dump), and the child; plus the child's id."""
    by_id = {short(r["id"]): r for r in v2_records()}
    for record in v2_records():
        me = short(record["id"])
        for rel in record["relationships"]:
            child = by_id.get(short(rel["id"]))
            if rel["type"] != "child" or child is None or len(record["relationships"]) < 2:
                continue
            if not any(short(r["id"]) == me for r in child["relationships"]):
                return record, child, short(child["id"])
    raise AssertionError("no one-sided child relationship in the sample")


def test_newer_record_replaces_values_and_links(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    record, child, child_id = one_sided_child()
    key = short(record["id"])
    load(graph, settings, ROR, [write_array(tmp_path / "old.json", [record, child])], tmp_path)
    part_of = "MATCH (:Institution {id: $c})-[r:PART_OF]->(:Institution {id: $p}) RETURN count(r)"
    assert scalar(graph, settings, part_of, c=child_id, p=key) == 1
    others = {e for e in ror_edges([record]) if child_id not in e}
    assert others

    newer = copy.deepcopy(record)
    newer["admin"]["last_modified"]["date"] = "2099-01-01"
    newer["relationships"] = [r for r in newer["relationships"] if short(r["id"]) != child_id]
    for name in newer["names"]:
        if "ror_display" in name["types"]:
            name["value"] = "Renamed " + name["value"]
    newer["status"] = "inactive"
    load(graph, settings, ROR, [write_array(tmp_path / "new.json", [newer])], tmp_path)
    stored = node(graph, settings, key)
    assert stored["name"].startswith("Renamed ") and stored["status"] == "inactive"
    assert stored["ror_updated_at"] == "2099-01-01"
    assert scalar(graph, settings, part_of, c=child_id, p=key) == 0
    for rel, a, b in others:  # the links it still states stay
        assert (
            scalar(
                graph,
                settings,
                f"MATCH (:Institution {{id: $a}})-[r:{rel}]->(:Institution {{id: $b}}) "
                "RETURN count(r)",
                a=a,
                b=b,
            )
            == 1
        )

    # the older record loaded again changes nothing
    before = snapshot(graph, settings)
    load(graph, settings, ROR, [tmp_path / "old.json"], tmp_path)
    assert snapshot(graph, settings) == before


def test_a_link_both_sides_state_stays_until_both_withdraw(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    by_id = {short(r["id"]): r for r in v2_records()}
    parent, child = next(
        (r, by_id[short(rel["id"])])
        for r in v2_records()
        for rel in r["relationships"]
        if rel["type"] == "child"
        and short(rel["id"]) in by_id
        and any(short(x["id"]) == short(r["id"]) for x in by_id[short(rel["id"])]["relationships"])
    )
    p, c = short(parent["id"]), short(child["id"])
    load(graph, settings, ROR, [write_array(tmp_path / "both.json", [parent, child])], tmp_path)
    query = (
        "MATCH (:Institution {id: $c})-[r:PART_OF]->(:Institution {id: $p}) "
        "RETURN r.asserted_by AS by"
    )
    assert rows(graph, settings, query, c=c, p=p) == [{"by": [c, p]}]

    def without(record: dict[str, Any], other: str) -> dict[str, Any]:
        newer = copy.deepcopy(record)
        newer["admin"]["last_modified"]["date"] = "2099-01-01"
        newer["relationships"] = [r for r in newer["relationships"] if short(r["id"]) != other]
        return newer

    load(graph, settings, ROR, [write_array(tmp_path / "p.json", [without(parent, c)])], tmp_path)
    assert rows(graph, settings, query, c=c, p=p) == [{"by": [c]}]
    load(graph, settings, ROR, [write_array(tmp_path / "c.json", [without(child, p)])], tmp_path)
    assert rows(graph, settings, query, c=c, p=p) == []


def test_a_withdrawn_link_takes_its_stub_along(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    loaded = {short(r["id"]) for r in ror_records()}
    record = next(
        r for r in v2_records() if any(short(x["id"]) not in loaded for x in r["relationships"])
    )
    stub = next(short(x["id"]) for x in record["relationships"] if short(x["id"]) not in loaded)
    load(graph, settings, ROR, [write_array(tmp_path / "a.json", [record])], tmp_path)
    assert node(graph, settings, stub) == {"id": stub, "ror_id": stub}
    newer = copy.deepcopy(record)
    newer["admin"]["last_modified"]["date"] = "2099-01-01"
    newer["relationships"] = [x for x in newer["relationships"] if short(x["id"]) != stub]
    load(graph, settings, ROR, [write_array(tmp_path / "b.json", [newer])], tmp_path)
    assert scalar(graph, settings, "MATCH (n {id: $id}) RETURN count(n)", id=stub) == 0
    # the same graph as if only the newer record had ever been loaded
    after = snapshot(graph, settings)
    fresh(graph, settings)
    load(graph, settings, ROR, [tmp_path / "b.json"], tmp_path)
    assert snapshot(graph, settings) == after


def test_malformed_records_are_quarantined_and_the_rest_loads(
    graph: Driver, settings: Settings, tmp_path: Path
) -> None:
    fresh(graph, settings)
    good = v2_records()[:2] + v1_records()[:1]
    items: list[Any] = [
        good[0],
        "not an object",
        {"id": "https://ror.org/not-a-ror-id", "names": []},
        {"id": "https://ror.org/00a2xv884", "something": "else"},
        good[1],
        good[2],
    ]
    report = load(graph, settings, ROR, [write_array(tmp_path / "bad.json", items)], tmp_path)
    assert (report.read, report.written, report.quarantined) == (6, 3, 3)
    assert [p.position for p in report.problems] == [2, 3, 4]
    assert report.quarantine_file is not None
    entries = [json.loads(x) for x in report.quarantine_file.read_text("utf-8").splitlines()]
    assert [e["line"] for e in entries] == [2, 3, 4]
    assert json.loads(entries[1]["raw"]) == items[2]
    assert "neither schema v2" in entries[2]["error"]
    stored = rows(graph, settings, "MATCH (n:Institution {authority: 'ror'}) RETURN n.id AS id")
    assert {r["id"] for r in stored} == {short(r["id"]) for r in good}

    lines = [json.dumps(r) for r in openalex_records()[:3]]
    lines.insert(1, '{"id": "https://openalex.org/W2741809807", "display_name": "a work"}')
    lines.insert(2, "{not json")
    path = tmp_path / "institutions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load(graph, settings, OPENALEX_INSTITUTIONS, [path], tmp_path)
    assert (report.read, report.written, report.quarantined) == (5, 3, 2)
    assert [p.position for p in report.problems] == [2, 3]


def test_zip_dumps(graph: Driver, settings: Settings, tmp_path: Path) -> None:
    fresh(graph, settings)
    v2 = v2_records()[100:150]
    archive = tmp_path / "v2.0-2025-01-01-ror-data.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("v2.0-2025-01-01-ror-data.json", json.dumps(v2))
        zipped.writestr("v2.0-2025-01-01-ror-data.csv", "id,name\n")
    report = load(graph, settings, ROR, [archive], tmp_path)
    assert (report.read, report.written, report.quarantined) == (50, 50, 0)
    assert scalar(graph, settings, "MATCH (n:Institution {authority: 'ror'}) RETURN count(n)") == 50

    # A zip of the v1/v2 transition holds the same records twice: only the v2 file is read.
    both = tmp_path / "v1.58-2024-12-11-ror-data.zip"
    v1 = v1_records()[:30]
    with zipfile.ZipFile(both, "w") as zipped:
        zipped.writestr("v1.58-2024-12-11-ror-data.json", json.dumps(v1))
        zipped.writestr("v1.58-2024-12-11-ror-data_schema_v2.json", json.dumps(v2[:10]))
    report = load(graph, settings, ROR, [both], tmp_path)
    assert report.read == 10


def read_items(path: Path) -> Iterator[Any]:
    for raw in ROR.read(path):
        yield json.loads(raw.text)


def test_reader_keeps_each_item_verbatim(tmp_path: Path) -> None:
    items = [{"id": "https://ror.org/03cve4549", "名": "清华"}, {"b": [1, 2, {"c": None}]}]
    path = write_array(tmp_path / "x.json", items)
    assert list(read_items(path)) == items
    texts = [raw.text for raw in ROR.read(path)]
    assert all(text in path.read_text("utf-8") for text in texts)
    gz = tmp_path / "x.json.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as handle:
        json.dump(items, handle)
    assert list(read_items(gz)) == items
