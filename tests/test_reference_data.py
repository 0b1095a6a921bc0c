"""The reference data the project ships (OpenAlex topic taxonomy, industrial chains, the home
region) loaded into the real Neo4j, checked against values read from the files directly with
`csv` and `yaml`, not through the loaders."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver
from pydantic import ValidationError

from graph.unit_of_work import Writer
from ingest.errors import InvalidInputError, RecordError
from ingest.reference.industries import DEFAULT_INDUSTRIES_PATH, load_industries, read_industries
from ingest.reference.region import DEFAULT_REGION_PATH, load_region
from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy, read_taxonomy
from schema.region import Region
from schema.settings import Settings
from tests.conftest import REPO

TAXONOMY_CSV = REPO / "data" / "openalex" / "topics_taxonomy.csv"
INDUSTRIES_YAML = REPO / "data" / "industries.yaml"
SUZHOU_YAML = REPO / "data" / "regions" / "suzhou.yaml"


# Helpers ----------------------------------------------------------------------------------


def csv_rows() -> list[dict[str, str]]:
    with TAXONOMY_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def yaml_file(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def query(graph: Driver, settings: Settings, text: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = graph.execute_query(text, params, database_=settings.neo4j_database)
    return [record.data() for record in records]


def scalar(graph: Driver, settings: Settings, text: str, **params: Any) -> int:
    return int(next(iter(query(graph, settings, text, **params)[0].values())))


def snapshot(graph: Driver, settings: Settings) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with its properties, IngestRun bookkeeping aside."""
    nodes = query(
        graph,
        settings,
        "MATCH (n) WHERE NOT n:IngestRun RETURN labels(n) AS labels, properties(n) AS props",
    )
    rels = query(
        graph,
        settings,
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, properties(r) AS props, b.id AS b",
    )
    key = lambda row: json.dumps(row, sort_keys=True, default=str)  # noqa: E731
    return sorted(nodes, key=key), sorted(rels, key=key)


@pytest.fixture(scope="module")
def writer(graph: Driver, settings: Settings) -> Writer:
    return Writer(graph, settings.neo4j_database)


@pytest.fixture(scope="module")
def taxonomy(writer: Writer) -> Any:
    """The bundled taxonomy, loaded once for the module."""
    return load_taxonomy(writer, DEFAULT_TAXONOMY_PATH)


@pytest.fixture
def bundled(writer: Writer, taxonomy: Any) -> Any:
    """The bundled industries and region, (re)loaded before each test that needs them, so a
    test that loads a modified copy cannot leak into the next."""
    industries = load_industries(writer, DEFAULT_INDUSTRIES_PATH)
    region = load_region(writer, DEFAULT_REGION_PATH)
    return industries, region


def segment_ids(data: Any) -> list[str]:
    return [s["id"] for i in data["industries"] for s in i["segments"]]


# Bundled files ----------------------------------------------------------------------------


def test_bundled_paths_are_the_repository_files() -> None:
    assert DEFAULT_TAXONOMY_PATH == TAXONOMY_CSV
    assert DEFAULT_INDUSTRIES_PATH == INDUSTRIES_YAML
    assert DEFAULT_REGION_PATH == SUZHOU_YAML


def test_every_id_in_industries_yaml_is_in_the_taxonomy_csv() -> None:
    rows = csv_rows()
    topics = {row["topic_id"] for row in rows}
    subfields = {f"subfields/{row['subfield_id']}" for row in rows}
    data = yaml_file(INDUSTRIES_YAML)
    wanted_topics = {t for i in data["industries"] for s in i["segments"] for t in s["topic_ids"]}
    wanted_subfields = {
        f for i in data["industries"] for s in i["segments"] for f in s["subfield_ids"]
    }
    assert wanted_topics, "the bundled chains name no topics"
    assert wanted_topics - topics == set()
    assert wanted_subfields - subfields == set()


def test_bundled_industries_cover_the_plan() -> None:
    data = yaml_file(INDUSTRIES_YAML)
    assert {i["id"] for i in data["industries"]} == {
        "biomedicine",
        "medical-devices",
        "nanotechnology",
        "semiconductors",
        "artificial-intelligence",
        "advanced-computing",
        "aerospace",
        "robotics",
        "acoustics",
        "advanced-materials",
        "digital-economy",
    }
    for industry in data["industries"]:
        stages = [s["stage"] for s in industry["segments"]]
        assert 4 <= len(stages) <= 7, industry["id"]
        assert stages[0] == "upstream" and stages[-1] == "downstream", industry["id"]
    # Third-generation semiconductors need the SiC and GaN power-device topics.
    semiconductor_topics = {
        t
        for i in data["industries"]
        if i["id"] == "semiconductors"
        for s in i["segments"]
        for t in s["topic_ids"]
    }
    assert {"T10361", "T10099"} <= semiconductor_topics


def test_region_focus_uses_industries_of_the_bundled_chains() -> None:
    slugs = {i["id"] for i in yaml_file(INDUSTRIES_YAML)["industries"]}
    region = yaml_file(SUZHOU_YAML)
    used = set(region["city"]["industry_ids"])
    for district in region["districts"]:
        used.update(district["industry_ids"])
    assert used <= slugs
    focus = {d["id"]: set(d["industry_ids"]) for d in region["districts"]}
    assert "advanced-computing" in focus["cn/suzhou/kunshan"]
    assert "aerospace" in focus["cn/suzhou/taicang"]
    assert {"biomedicine", "nanotechnology"} <= focus["cn/suzhou/suzhou-industrial-park"]


# Taxonomy ---------------------------------------------------------------------------------


def test_taxonomy_counts_match_the_csv(graph: Driver, settings: Settings, taxonomy: Any) -> None:
    rows = csv_rows()
    assert len(rows) == 4516
    topics = {r["topic_id"] for r in rows}
    subfields = {r["subfield_id"] for r in rows}
    fields = {r["field_id"] for r in rows}
    domains = {r["domain_id"] for r in rows}
    assert (taxonomy.topics, taxonomy.subfields, taxonomy.fields, taxonomy.domains) == (
        len(topics),
        len(subfields),
        len(fields),
        len(domains),
    )
    assert taxonomy.part_of == len(topics) + len(subfields) + len(fields)
    for label, want in (
        ("Topic", topics),
        ("Subfield", subfields),
        ("Field", fields),
        ("Domain", domains),
    ):
        assert scalar(graph, settings, f"MATCH (n:{label}) RETURN count(n)") == len(want)
    for child, parent, want in (
        ("Topic", "Subfield", topics),
        ("Subfield", "Field", subfields),
        ("Field", "Domain", fields),
    ):
        edges = f"MATCH (:{child})-[r:PART_OF]->(:{parent}) RETURN count(r)"
        assert scalar(graph, settings, edges) == len(want)


def test_topic_properties_and_hierarchy_come_from_its_row(
    graph: Driver, settings: Settings, taxonomy: Any
) -> None:
    row = next(r for r in csv_rows() if r["display_name"] != r["display_name_2024_09"])
    [topic] = query(
        graph,
        settings,
        "MATCH (t:Topic {id: $id})-[:PART_OF]->(s:Subfield)-[:PART_OF]->(f:Field)"
        "-[:PART_OF]->(d:Domain) RETURN properties(t) AS t, s.id AS s, f.id AS f, d.id AS d",
        id=row["topic_id"],
    )
    props = topic["t"]
    assert props["name"] == row["display_name"]
    assert props["description"] == row["description"]
    assert props["keywords"] == [k.strip() for k in row["keywords"].split(";")]
    assert row["display_name_2024_09"] in props["alternative_names"]
    assert row["display_name"] not in props["alternative_names"]
    assert props["works_count"] == int(row["works_count_2026_05"])
    assert props["source"] == "openalex"
    assert (topic["s"], topic["f"], topic["d"]) == (
        f"subfields/{row['subfield_id']}",
        f"fields/{row['field_id']}",
        f"domains/{row['domain_id']}",
    )
    [subfield] = query(
        graph, settings, "MATCH (s:Subfield {id: $id}) RETURN s.name AS name", id=topic["s"]
    )
    assert subfield["name"] == row["subfield_display_name"]


def test_taxonomy_reload_changes_nothing(
    graph: Driver, settings: Settings, writer: Writer, taxonomy: Any
) -> None:
    before = snapshot(graph, settings)
    again = load_taxonomy(writer, DEFAULT_TAXONOMY_PATH, batch_size=1000)
    assert again == taxonomy
    assert snapshot(graph, settings) == before


def _taxonomy_copy(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "topics.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return path


def test_malformed_taxonomy_row_names_its_row_and_writes_nothing(
    graph: Driver, settings: Settings, writer: Writer, taxonomy: Any, tmp_path: Path
) -> None:
    rows = csv_rows()[:5]
    rows[2] = {**rows[2], "topic_id": "W123", "openalex_id": ""}
    path = _taxonomy_copy(tmp_path, rows)
    before = snapshot(graph, settings)
    with pytest.raises(RecordError, match=r"topics\.csv:4: row 3 \(topic W123\): .*topic") as err:
        load_taxonomy(writer, path)
    assert "not a topic id" in str(err.value)
    assert snapshot(graph, settings) == before


def test_taxonomy_rows_that_disagree_are_rejected(tmp_path: Path) -> None:
    rows = csv_rows()
    first = rows[0]
    other = next(r for r in rows[1:] if r["subfield_id"] == first["subfield_id"])
    renamed = {**other, "subfield_display_name": "Something Else"}
    path = _taxonomy_copy(tmp_path, [first, renamed])
    with pytest.raises(RecordError, match=rf"row 2: subfields/{first['subfield_id']} is "):
        read_taxonomy(path)
    counts = {**first, "works_count_2026_05": "-3"}
    with pytest.raises(RecordError, match=r"row 1 .*works_count_2026_05 '-3'"):
        read_taxonomy(_taxonomy_copy(tmp_path, [counts]))


def test_taxonomy_without_its_columns_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id,name\nT1,x\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"other\.csv: .*lacks topic_id"):
        read_taxonomy(path)


# Industries -------------------------------------------------------------------------------


def test_industries_load_as_the_yaml_says(graph: Driver, settings: Settings, bundled: Any) -> None:
    report, _ = bundled
    data = yaml_file(INDUSTRIES_YAML)
    segments = [s for i in data["industries"] for s in i["segments"]]
    needs = sum(len(s["topic_ids"]) + len(s["subfield_ids"]) for s in segments)
    assert (report.industries, report.segments) == (len(data["industries"]), len(segments))
    assert report.needs == needs
    assert report.missing_topics == report.missing_subfields == ()
    assert scalar(graph, settings, "MATCH (i:Industry) RETURN count(i)") == len(data["industries"])
    assert scalar(graph, settings, "MATCH (s:ChainSegment) RETURN count(s)") == len(segments)
    part_of = "MATCH (:ChainSegment)-[r:PART_OF]->(:Industry) RETURN count(r)"
    assert scalar(graph, settings, part_of) == len(segments)
    assert scalar(graph, settings, "MATCH (:ChainSegment)-[r:NEEDS]->() RETURN count(r)") == needs
    [sic] = query(
        graph,
        settings,
        "MATCH (s:ChainSegment {id: 'semiconductors/power-and-rf-devices'})-[:NEEDS]->(t:Topic) "
        "WHERE t.id = 'T10361' RETURN t.name AS name, s.name_zh AS zh, s.source AS source",
    )
    assert "Silicon Carbide" in sic["name"]
    assert sic["source"] == "talentmap"


def test_segments_are_chained_in_yaml_order(
    graph: Driver, settings: Settings, bundled: Any
) -> None:
    data = yaml_file(INDUSTRIES_YAML)
    rows = query(
        graph,
        settings,
        "MATCH (i:Industry)<-[:PART_OF]-(first:ChainSegment) "
        "WHERE NOT ()-[:UPSTREAM_OF]->(first) "
        "MATCH path = (first)-[:UPSTREAM_OF*0..]->(last:ChainSegment) "
        "WHERE NOT (last)-[:UPSTREAM_OF]->() "
        "RETURN i.id AS industry, [s IN nodes(path) | s.id] AS chain, "
        "[s IN nodes(path) | s.order] AS orders",
    )
    chains = {row["industry"]: row["chain"] for row in rows}
    assert len(rows) == len(chains)  # one chain per industry, no forks
    assert chains == {i["id"]: [s["id"] for s in i["segments"]] for i in data["industries"]}
    for row in rows:
        assert row["orders"] == list(range(1, len(row["orders"]) + 1))
    upstream_of = scalar(graph, settings, "MATCH ()-[r:UPSTREAM_OF]->() RETURN count(r)")
    assert upstream_of == sum(len(i["segments"]) - 1 for i in data["industries"])


def test_industries_reload_changes_nothing(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any
) -> None:
    before = snapshot(graph, settings)
    report = load_industries(writer, DEFAULT_INDUSTRIES_PATH)
    assert report.deleted_segments == report.deleted_industries == ()
    assert snapshot(graph, settings) == before


def test_removed_segment_disappears_on_reload(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any, tmp_path: Path
) -> None:
    data = yaml_file(INDUSTRIES_YAML)
    chain = data["industries"][0]["segments"]
    up, removed, down = chain[0]["id"], chain[1]["id"], chain[2]["id"]
    del chain[1]
    report = load_industries(writer, write_yaml(tmp_path / "industries.yaml", data))
    assert report.deleted_segments == (removed,)
    gone = "MATCH (s:ChainSegment {id: $id}) RETURN count(s)"
    assert scalar(graph, settings, gone, id=removed) == 0
    links = "MATCH (a {id: $a})-[r:UPSTREAM_OF]->(b {id: $b}) RETURN count(r)"
    assert scalar(graph, settings, links, a=up, b=down) == 1
    assert scalar(graph, settings, "MATCH ()-[r:UPSTREAM_OF]->() RETURN count(r)") == sum(
        len(i["segments"]) - 1 for i in data["industries"]
    )
    assert scalar(graph, settings, "MATCH (s:ChainSegment) RETURN count(s)") == len(
        segment_ids(data)
    )


def test_removed_industry_and_links_disappear_on_reload(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any, tmp_path: Path
) -> None:
    data = yaml_file(INDUSTRIES_YAML)
    dropped = data["industries"].pop()
    dropped_segments = {s["id"] for s in dropped["segments"]}
    kept = data["industries"][0]["segments"][0]
    dropped_topic = kept["topic_ids"].pop()
    report = load_industries(writer, write_yaml(tmp_path / "industries.yaml", data))
    assert report.deleted_industries == (dropped["id"],)
    assert set(report.deleted_segments) == dropped_segments
    assert (
        scalar(graph, settings, "MATCH (i:Industry {id: $id}) RETURN count(i)", id=dropped["id"])
        == 0
    )
    needs = "MATCH (:ChainSegment {id: $s})-[r:NEEDS]->(:Topic {id: $t}) RETURN count(r)"
    assert scalar(graph, settings, needs, s=kept["id"], t=dropped_topic) == 0
    # The region's focus on the dropped industry went with it.
    focus = "MATCH ()-[r:FOCUSES_ON]->(:Industry {id: $id}) RETURN count(r)"
    assert scalar(graph, settings, focus, id=dropped["id"]) == 0


def test_unknown_topic_and_subfield_ids_are_reported(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any, tmp_path: Path
) -> None:
    data = yaml_file(INDUSTRIES_YAML)
    segment = data["industries"][1]["segments"][0]
    segment["topic_ids"].append("T99999999")
    segment["subfield_ids"].append("subfields/9999")
    report = load_industries(writer, write_yaml(tmp_path / "industries.yaml", data))
    assert report.unknown_topic_ids == ["T99999999"]
    assert report.unknown_subfield_ids == ["subfields/9999"]
    assert [(m.segment_id, m.target_id) for m in report.missing_topics] == [
        (segment["id"], "T99999999")
    ]
    # Kept on the segment, so a later taxonomy load plus a re-run links it.
    [stored] = query(
        graph,
        settings,
        "MATCH (s:ChainSegment {id: $id}) RETURN s.topic_ids AS topics, "
        "COUNT { (s)-[:NEEDS]->() } AS needs",
        id=segment["id"],
    )
    assert "T99999999" in stored["topics"]
    assert stored["needs"] == len(segment["topic_ids"]) + len(segment["subfield_ids"]) - 2


def _malformed_industries(tmp_path: Path) -> tuple[Path, str, str]:
    data = yaml_file(INDUSTRIES_YAML)
    industry = data["industries"][2]
    del industry["name_zh"]
    bad = industry["segments"][1]
    bad["id"] = f"{industry['id']}/Not A Slug"
    return write_yaml(tmp_path / "broken.yaml", data), industry["id"], bad["id"]


def test_malformed_industries_name_file_entry_and_line(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any, tmp_path: Path
) -> None:
    path, industry, segment = _malformed_industries(tmp_path)
    text = path.read_text(encoding="utf-8").splitlines()
    before = snapshot(graph, settings)
    with pytest.raises(InvalidInputError) as err:
        load_industries(writer, path)
    message = str(err.value)
    assert "2 problem(s); nothing was written" in message
    missing = re.search(
        rf"{re.escape(str(path))}:(\d+): industries\[2\] \({industry}\): "
        r"name_zh: Field required",
        message,
    )
    assert missing, message
    assert text[int(missing.group(1)) - 1].strip() == f"- id: {industry}"
    bad_id = re.search(
        rf"{re.escape(str(path))}:(\d+): industries\[2\]\.segments\[1\] \({re.escape(segment)}\): "
        rf"id: '{re.escape(segment)}' is not a chain segment id",
        message,
    )
    assert bad_id, message
    assert text[int(bad_id.group(1)) - 1].strip().startswith("- id:")
    assert snapshot(graph, settings) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["industries"][0]["segments"].reverse(),
            r"segments\[1\] \(biomedicine/formulation-and-delivery\): stage midstream after a "
            r"downstream segment \(biomedicine/clinical-development\)",
        ),
        (
            lambda d: d["industries"][0]["segments"][0].update(order=3),
            r"order is not given in the file: it is its position in the list",
        ),
        (
            lambda d: d["industries"][1]["segments"].append(d["industries"][0]["segments"][0]),
            r"is not under industry 'medical-devices'",
        ),
        (
            lambda d: d["industries"].append(dict(d["industries"][0])),
            r"industries\[11\] \(biomedicine\): id biomedicine is already used \(line \d+\)",
        ),
        (
            lambda d: d["industries"][0]["segments"][0].update(
                topic_ids=[], subfield_ids=[], keywords=[]
            ),
            r"needs at least one topic id, subfield id or keyword",
        ),
        (
            lambda d: d["industries"][0]["segments"][0].update(topic_ids=["T10211", "T10211"]),
            r"topic_ids: T10211 is listed twice",
        ),
        (
            lambda d: d["industries"][0]["segments"][0].update(subfield_ids=["fields/17"]),
            r"subfield_ids\[0\]: 'fields/17' is not a subfield id",
        ),
        (lambda d: d.update(chains=[]), r"unknown key\(s\) chains"),
    ],
)
def test_industries_file_rejects(tmp_path: Path, change: Any, message: str) -> None:
    data = yaml_file(INDUSTRIES_YAML)
    change(data)
    with pytest.raises(InvalidInputError, match=message):
        read_industries(write_yaml(tmp_path / "industries.yaml", data))


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "industries.yaml"
    path.write_text("industries:\n  - id: x\n    name_en: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"industries\.yaml:\d+: not valid YAML"):
        read_industries(path)
    with pytest.raises(InvalidInputError, match=r"nowhere\.yaml: no such file"):
        read_industries(tmp_path / "nowhere.yaml")


# Region -----------------------------------------------------------------------------------


def test_region_loads_as_the_yaml_says(graph: Driver, settings: Settings, bundled: Any) -> None:
    _, report = bundled
    data = yaml_file(SUZHOU_YAML)
    districts = data["districts"]
    assert report.districts == len(districts) == 10
    assert report.missing_industries == ()
    in_city = (
        "MATCH (d:District)-[:LOCATED_IN]->(:City {id: $city})"
        "-[:LOCATED_IN]->(:Country {id: $country}) RETURN count(d)"
    )
    assert scalar(
        graph, settings, in_city, city=data["city"]["id"], country=data["country"]["id"]
    ) == len(districts)
    want = {(data["city"]["id"], i) for i in data["city"]["industry_ids"]}
    want |= {(d["id"], i) for d in districts for i in d["industry_ids"]}
    rows = query(
        graph, settings, "MATCH (n)-[:FOCUSES_ON]->(i:Industry) RETURN n.id AS n, i.id AS i"
    )
    assert {(r["n"], r["i"]) for r in rows} == want
    assert report.focuses_on == len(want)
    assert report.located_in == len(districts) + 1
    [sip] = query(
        graph,
        settings,
        "MATCH (d:District {id: 'cn/suzhou/suzhou-industrial-park'}) RETURN properties(d) AS p",
    )
    yaml_sip = next(d for d in districts if d["id"] == "cn/suzhou/suzhou-industrial-park")
    assert sip["p"]["name_zh"] == "苏州工业园区"
    assert sip["p"]["parks_zh"] == [p["name_zh"] for p in yaml_sip["parks"]]
    assert sip["p"]["parks_en"] == [p["name_en"] for p in yaml_sip["parks"]]
    assert sip["p"]["kind"] == "district"


def test_region_reload_changes_nothing(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any
) -> None:
    before = snapshot(graph, settings)
    report = load_region(writer, DEFAULT_REGION_PATH)
    assert report.deleted_districts == ()
    assert snapshot(graph, settings) == before


def test_region_changes_follow_the_file(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any, tmp_path: Path
) -> None:
    data = yaml_file(SUZHOU_YAML)
    removed = data["districts"].pop()
    data["districts"][0]["industry_ids"] = ["quantum-widgets", "robotics"]
    report = load_region(writer, write_yaml(tmp_path / "suzhou.yaml", data))
    assert report.deleted_districts == (removed["id"],)
    assert report.unknown_industry_ids == ["quantum-widgets"]
    gone = "MATCH (d:District {id: $id}) RETURN count(d)"
    assert scalar(graph, settings, gone, id=removed["id"]) == 0
    focus = query(
        graph,
        settings,
        "MATCH (:District {id: $id})-[:FOCUSES_ON]->(i:Industry) RETURN i.id AS i",
        id=data["districts"][0]["id"],
    )
    assert [r["i"] for r in focus] == ["robotics"]


def test_malformed_region_names_file_entry_and_line(
    graph: Driver, settings: Settings, writer: Writer, bundled: Any, tmp_path: Path
) -> None:
    data = yaml_file(SUZHOU_YAML)
    data["districts"][3]["id"] = "cn/suzhou/Xiang Cheng"
    data["districts"][5]["parks"][0] = {"name_en": "Nanopolis"}
    data["districts"][8]["kind"] = "district"
    data["city"]["industry_ids"] = ["Biomedicine"]
    path = write_yaml(tmp_path / "suzhou.yaml", data)
    before = snapshot(graph, settings)
    with pytest.raises(InvalidInputError) as err:
        load_region(writer, path)
    message = str(err.value)
    assert "4 problem(s); nothing was written" in message
    where = re.escape(str(path))
    assert re.search(
        rf"{where}:\d+: districts\[3\] \(cn/suzhou/Xiang Cheng\): .*is not a district id", message
    ), message
    assert re.search(
        rf"{where}:\d+: districts\[5\]\.parks\[0\] \(cn/suzhou/suzhou-industrial-park\): a park "
        "needs exactly name_en and name_zh",
        message,
    ), message
    assert re.search(
        rf"{where}:\d+: districts\[8\] \(cn/suzhou/kunshan\): kind is not given in the file",
        message,
    ), message
    assert re.search(rf"{where}:\d+: city \(cn/suzhou\): industry_ids\[0\]: ", message), message
    assert snapshot(graph, settings) == before


def test_region_parks_need_both_names() -> None:
    with pytest.raises(ValidationError, match="has 2 English and 1 Chinese park names"):
        Region(
            id="cn/suzhou/kunshan",
            kind="district",
            name_en="Kunshan",
            parent_id="cn/suzhou",
            parks_en=("A", "B"),
            parks_zh=("甲",),
        )
    with pytest.raises(ValidationError, match="country 'CN' cannot have parks"):
        Region(id="CN", kind="country", name_en="China", parks_en=("A",), parks_zh=("甲",))
