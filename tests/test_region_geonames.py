"""The home region joined to the GeoNames cities ROR places institutions in: the profile's
`geonames_ids` become (:City {id: 'geonames/<id>'})-[:PART_OF]->(city or district), so
`region_institutions_match()` finds the institutions of cn/suzhou and of its districts.

Expected values come from the raw ROR JSON (../shared/data/ror) and the profile YAML, read
here with `gzip`, `json` and `yaml`, not through the loaders."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver

from graph.unit_of_work import Writer
from graph.write.region import region_institutions_match
from ingest.errors import InvalidInputError
from ingest.jobs import run_job
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from ingest.ror.records import ROR
from schema.settings import Settings
from tests.conftest import REPO, ROR_V1, ROR_V2, fresh, ror_dump, rows, scalar, snapshot

SUZHOU_YAML = REPO / "data" / "regions" / "suzhou.yaml"


# --- the raw files, read without the code under test ------------------------------------------


def short(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@cache
def raw(path: Path) -> list[dict[str, Any]]:
    return ror_dump(path)


def cities_of(record: dict[str, Any]) -> set[int]:
    """The GeoNames city ids a v2 or v1 record places the organisation in."""
    if "locations" in record:
        return {int(loc["geonames_id"]) for loc in record["locations"]}
    return {int(a["geonames_city"]["id"]) for a in record.get("addresses", [])}


def chinese(record: dict[str, Any]) -> bool:
    if "locations" in record:
        return any(
            loc["geonames_details"].get("country_code") == "CN" for loc in record["locations"]
        )
    return bool((record.get("country") or {}).get("country_code") == "CN")


def profile() -> dict[str, Any]:
    with SUZHOU_YAML.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def listed(data: dict[str, Any]) -> dict[str, set[int]]:
    """GeoNames ids each place of a profile lists, the city's entry included."""
    places = [data["city"], *data["districts"]]
    return {p["id"]: set(p.get("geonames_ids") or []) for p in places}


def expected(data: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Institutions each place holds: ROR ids whose record names one of its GeoNames cities,
    and those of the records the place lists by ROR id (profile v2 `institutions`); the city
    also holds its districts' institutions."""
    ids = listed(data)
    loaded = {short(r["id"]) for r in records}
    placed = {p["id"]: set(p.get("institutions") or []) for p in [data["city"], *data["districts"]]}
    found = {
        place: {short(r["id"]) for r in records if cities_of(r) & geonames}
        | (placed[place] & loaded)
        for place, geonames in ids.items()
    }
    city = data["city"]["id"]
    found[city] = set().union(*found.values())
    return found


def write_array(path: Path, records: list[Any]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- loading -----------------------------------------------------------------------------------


def load_ror(graph: Driver, settings: Settings, paths: list[Path], tmp: Path) -> None:
    report = run_job(
        Writer(graph, settings.neo4j_database),
        ROR,
        paths,
        quarantine_dir=tmp / "quarantine",
        batch_size=500,
    )
    assert report.quarantined == 0


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[Path]]:
    """Every Chinese record of both dumps, as files in the published format (a JSON array)."""
    tmp = tmp_path_factory.mktemp("ror-cn")
    v2 = [r for r in raw(ROR_V2) if chinese(r)]
    v1 = [r for r in raw(ROR_V1) if chinese(r)]
    return v2 + v1, [write_array(tmp / "v2.json", v2), write_array(tmp / "v1.json", v1)]


def institutions_in(graph: Driver, settings: Settings, region: str) -> set[str]:
    query = region_institutions_match() + "\nRETURN i.id AS id"
    return {r["id"] for r in rows(graph, settings, query, region=region)}


def part_of(graph: Driver, settings: Settings) -> set[tuple[str, str]]:
    found = rows(
        graph,
        settings,
        "MATCH (g:City)-[:PART_OF]->(p) WHERE g.id STARTS WITH 'geonames/' "
        "RETURN g.id AS g, p.id AS p",
    )
    return {(r["g"], r["p"]) for r in found}


def links_of(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f"geonames/{g}", place) for place, ids in listed(data).items() for g in ids}


# --- tests -------------------------------------------------------------------------------------


def test_bundled_ids_are_cities_ror_places_institutions_in_near_suzhou() -> None:
    """Every GeoNames id of the profile is a city some ROR record places an institution in, in
    Jiangsu (v2 subdivision or v1 admin1), and not guessed: the four the header names."""
    ids = listed(profile())
    everything = [g for geonames in ids.values() for g in geonames]
    assert len(everything) == len(set(everything))
    assert ids["cn/suzhou"] == {1886760}
    assert ids["cn/suzhou/kunshan"] == {1785623}
    assert ids["cn/suzhou/changshu"] == {7283386}
    assert ids["cn/suzhou/zhangjiagang"] == {1787331}
    provinces: dict[int, set[str]] = {}
    for record in raw(ROR_V2):
        for loc in record["locations"]:
            details = loc["geonames_details"]
            provinces.setdefault(int(loc["geonames_id"]), set()).add(
                str(details.get("country_subdivision_name"))
            )
    for record in raw(ROR_V1):
        for address in record.get("addresses", []):
            city = address["geonames_city"]
            admin1 = (city.get("geonames_admin1") or {}).get("name")
            provinces.setdefault(int(city["id"]), set()).add(str(admin1))
    for geonames_id in everything:
        assert "Jiangsu" in provinces.get(geonames_id, set()), geonames_id


def test_institutions_in_suzhou_are_those_ror_places_in_its_geonames_cities(
    graph: Driver,
    settings: Settings,
    subset: tuple[list[dict[str, Any]], list[Path]],
    tmp_path: Path,
) -> None:
    records, paths = subset
    writer = Writer(graph, settings.neo4j_database)
    # the profile first: its GeoNames cities are created, ROR fills the same nodes later
    report = load_region(writer, DEFAULT_REGION_PATH)
    data = profile()
    assert report.part_of == len(links_of(data)) == 4
    load_ror(graph, settings, paths, tmp_path)
    assert part_of(graph, settings) == links_of(data)
    want = expected(data, records)
    assert len(want["cn/suzhou"]) >= 20  # the join is not vacuous
    assert want["cn/suzhou/kunshan"]
    for place in listed(data):
        assert institutions_in(graph, settings, place) == want[place], place
    # named checks from the raw records
    assert "05t8y2r12" in want["cn/suzhou"]  # Soochow University, GeoNames Suzhou
    assert "04sr5ys16" in want["cn/suzhou/kunshan"]  # Duke Kunshan University (v1)
    assert "01gx26191" in want["cn/suzhou/zhangjiagang"]  # Zhangjiagang First People's Hospital
    # the country still holds them all, through ROR's own City -> Country links
    assert want["cn/suzhou"] <= institutions_in(graph, settings, "CN")
    # ROR filled the node the profile created
    [city] = rows(
        graph, settings, "MATCH (c:City {id: 'geonames/1785623'}) RETURN properties(c) AS p"
    )
    assert city["p"]["name"] == "Kunshan"
    assert city["p"]["source"] == "ror"


def test_region_reload_changes_nothing(
    graph: Driver, settings: Settings, subset: tuple[list[dict[str, Any]], list[Path]]
) -> None:
    before = snapshot(graph, settings)
    load_region(Writer(graph, settings.neo4j_database), DEFAULT_REGION_PATH)
    assert snapshot(graph, settings) == before


def test_load_order_does_not_matter(
    graph: Driver,
    settings: Settings,
    subset: tuple[list[dict[str, Any]], list[Path]],
    tmp_path: Path,
) -> None:
    before = snapshot(graph, settings)
    fresh(graph, settings)
    load_ror(graph, settings, subset[1], tmp_path)
    load_region(Writer(graph, settings.neo4j_database), DEFAULT_REGION_PATH)
    assert snapshot(graph, settings) == before


def test_links_follow_the_file(
    graph: Driver,
    settings: Settings,
    subset: tuple[list[dict[str, Any]], list[Path]],
    tmp_path: Path,
) -> None:
    records, _ = subset
    writer = Writer(graph, settings.neo4j_database)
    data = profile()
    by_id = {d["id"]: d for d in data["districts"]}
    # Zhangjiagang's city moves up to the city; Kunshan drops its list; a GeoNames id no
    # registry has loaded goes to Changshu
    by_id["cn/suzhou/zhangjiagang"].pop("geonames_ids")
    data["city"]["geonames_ids"] = [1886760, 1787331]
    by_id["cn/suzhou/kunshan"]["geonames_ids"] = []
    by_id["cn/suzhou/kunshan"].pop("institutions", None)  # and its v2 list of institutions
    by_id["cn/suzhou/changshu"]["geonames_ids"] = [7283386, 999999991]
    report = load_region(writer, write_yaml(tmp_path / "suzhou.yaml", data))
    assert report.part_of == 4
    assert part_of(graph, settings) == links_of(data)
    want = expected(data, records)
    assert institutions_in(graph, settings, "cn/suzhou/kunshan") == set()
    assert institutions_in(graph, settings, "cn/suzhou/zhangjiagang") == set()
    assert institutions_in(graph, settings, "cn/suzhou") == want["cn/suzhou"]
    # Kunshan's institutions are no longer in Suzhou at all
    kunshan = {short(r["id"]) for r in records if 1785623 in cities_of(r)}
    assert kunshan and not kunshan & institutions_in(graph, settings, "cn/suzhou")
    # the unknown GeoNames city exists as a bare node, linked
    [made] = rows(
        graph, settings, "MATCH (c:City {id: 'geonames/999999991'}) RETURN properties(c) AS p"
    )
    assert made["p"]["geonames_id"] == 999999991
    assert made["p"]["source"] == "talentmap"

    # a district that goes takes its links along, and the bare city only it named
    data = profile()
    data["districts"][-1]["geonames_ids"] = [999999992]
    load_region(writer, write_yaml(tmp_path / "suzhou.yaml", data))
    assert ("geonames/999999992", data["districts"][-1]["id"]) in part_of(graph, settings)
    gone = "MATCH (c:City {id: $id}) RETURN count(c)"
    assert scalar(graph, settings, gone, id="geonames/999999991") == 0
    removed = data["districts"].pop()
    report = load_region(writer, write_yaml(tmp_path / "suzhou.yaml", data))
    assert report.deleted_districts == (removed["id"],)
    assert scalar(graph, settings, gone, id="geonames/999999992") == 0

    # back to the bundled file: ROR's cities stayed
    load_region(writer, DEFAULT_REGION_PATH)
    assert part_of(graph, settings) == links_of(profile())
    assert scalar(graph, settings, gone, id="geonames/1785623") == 1


def test_a_city_ror_empties_keeps_its_profile_link(
    graph: Driver,
    settings: Settings,
    subset: tuple[list[dict[str, Any]], list[Path]],
    tmp_path: Path,
) -> None:
    """Changshu's only ROR institution moves to Suzhou in a newer record: GeoNames Changshu
    has no institution left but stays, PART_OF Changshu, for the next institution."""
    records, _ = subset
    [record] = [r for r in raw(ROR_V2) if 7283386 in cities_of(r)]
    assert [short(r["id"]) for r in records if 7283386 in cities_of(r)] == [short(record["id"])]
    [suzhou] = [
        loc for r in raw(ROR_V2) for loc in r["locations"] if loc["geonames_id"] == 1886760
    ][:1]
    moved = copy.deepcopy(record)
    moved["locations"] = [suzhou]
    moved["admin"]["last_modified"]["date"] = "2099-01-01"
    load_ror(graph, settings, [write_array(tmp_path / "moved.json", [moved])], tmp_path)
    key = short(record["id"])
    # Only what the profile itself places in Changshu by ROR id (v2) is left there.
    [changshu] = [d for d in profile()["districts"] if d["id"] == "cn/suzhou/changshu"]
    placed = set(changshu.get("institutions") or []) & {short(r["id"]) for r in records}
    assert institutions_in(graph, settings, "cn/suzhou/changshu") == placed
    assert key in institutions_in(graph, settings, "cn/suzhou")
    assert ("geonames/7283386", "cn/suzhou/changshu") in part_of(graph, settings)


def test_a_geonames_id_lies_in_one_place(tmp_path: Path, graph: Driver, settings: Settings) -> None:
    data = profile()
    data["districts"][0]["geonames_ids"] = [1785623]  # Kunshan's, under Gusu
    data["country"]["geonames_ids"] = [1814991]
    path = write_yaml(tmp_path / "suzhou.yaml", data)
    with pytest.raises(InvalidInputError) as err:
        load_region(Writer(graph, settings.neo4j_database), path)
    message = str(err.value)
    where = re.escape(str(path))
    assert re.search(
        rf"{where}:\d+: districts\[8\] \(cn/suzhou/kunshan\): GeoNames id 1785623 is already "
        r"listed by cn/suzhou/gusu",
        message,
    ), message
    assert "country 'CN' cannot have geonames_ids" in message
    data = profile()
    data["districts"][1]["geonames_ids"] = [7, 7]
    with pytest.raises(InvalidInputError, match="lists a GeoNames id twice"):
        load_region(Writer(graph, settings.neo4j_database), write_yaml(path, data))
