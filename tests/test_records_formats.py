"""`ingest records --format ris|wos|csv|jsonl` on small files written by hand from CSMetrics
records (tests/data/records, see its README): parsing without a database, then one load of
all four into a real Neo4j with the ROR records of the institutions they name, run twice.

Expected values are read off the hand-written files (and the institutions' ROR ids off the
ROR dump), not from the code under test.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from api.types.scientist import Scientist as ScientistType
from graph.unit_of_work import Writer
from ingest.derived.step import derive
from ingest.errors import InvalidInputError, RecordError
from ingest.jobs import JobReport, RawRecord, run_job
from ingest.records import ris, tabular, wos
from ingest.records.formats import records_source
from ingest.records.model import PaperRecord
from ingest.records.resolve import RecordsWriter
from ingest.reference.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy
from ingest.ror.records import ROR
from ingest.topics.classifier import TopicClassifier
from schema.scientist import Scientist
from schema.settings import Settings
from tests.conftest import REPO, ROR_V2, ror_dump, rows, snapshot

DATA = REPO / "tests" / "data" / "records"
FILES = {
    "wos": DATA / "suzhou-wos.txt",
    "ris": DATA / "suzhou.ris",
    "csv": DATA / "suzhou.csv",
    "jsonl": DATA / "suzhou.jsonl",
}
MAPS = {
    "csv": str(DATA / "csv-map.yaml"),
    "jsonl": "title=paper_title,year=pub_year,authors=names,author_institutions=affiliations,"
    "openalex_id=openalex,cited_by_count=citations",
}
# The institutions the files name, by their ROR ids (looked up by hand in the ROR records).
SOOCHOW, CITYU, SYSU, ZJU, XJTLU = "05t8y2r12", "03q8dnn23", "0064kty71", "00a2xv884", "03zmrmn05"
INSTITUTIONS = (SOOCHOW, CITYU, SYSU, ZJU, XJTLU)


def parsed(format_name: str) -> list[PaperRecord | str]:
    """Each record of the format's file, parsed, or the message it is refused with."""
    source = records_source(format_name, None, MAPS.get(format_name))
    found: list[PaperRecord | str] = []
    for raw in source.read(FILES[format_name]):
        try:
            found.append(source.parse(raw))
        except RecordError as e:
            found.append(str(e))
    return found


def test_wos_says_who_is_where() -> None:
    first, second, third, bad = parsed("wos")
    assert isinstance(first, PaperRecord) and isinstance(third, PaperRecord)
    assert first.authors == ("Zhao, Hai", "Song, Yan", "Kit, Chunyu", "Zhou, Guodong")
    soochow = "Soochow University, Sch Comp Sci & Technol, Suzhou 215006, Peoples R China"
    cityu = (
        "City University of Hong Kong, Dept Chinese Translat & Linguist, Hong Kong, Peoples R China"
    )
    assert first.author_institutions == ((soochow, cityu), (cityu,), (cityu,), (soochow,))
    assert [(i.name, i.authors) for i in first.institutions] == [(soochow, 2), (cityu, 3)]
    assert (first.year, first.cited_by_count, first.venue, first.doi) == (
        2009,
        52,
        "ACL 2009",
        None,
    )
    assert first.key.startswith("rec-")
    assert isinstance(second, PaperRecord) and second.key == "doi:10.1109/cvpr52729.2023.01847"
    # An address without bracketed names is the paper's: nobody's placement is stated.
    assert third.author_institutions is None
    assert [i.name for i in third.institutions] == [
        "Xi'an Jiaotong-Liverpool University, Suzhou, Peoples R China"
    ]
    assert bad == "the record names no authors (AU, AF)"


def test_wos_c1_names_must_be_authors() -> None:
    line = {"AU": "Zhao, H", "AF": "Zhao, Hai", "TI": "T", "C1": "[Li, Xiao] Soochow Univ"}
    with pytest.raises(RecordError, match="'Li, Xiao', who is not among the authors"):
        wos.parse(RawRecord(Path("x.txt"), 2, json.dumps(line)))


def test_ris_per_author_and_per_paper_addresses() -> None:
    first, second, bad = parsed("ris")
    assert isinstance(first, PaperRecord) and isinstance(second, PaperRecord)
    assert (first.key, first.openalex_id, first.year) == ("W2998367712", "W2998367712", 2020)
    sysu = "Sun Yat-sen University, Guangzhou, China"
    xjtlu = "Xi'an Jiaotong-Liverpool University, Suzhou, China"
    assert first.author_institutions == ((sysu,), (xjtlu,), (sysu,))
    assert first.venue == "Proceedings of the AAAI Conference on Artificial Intelligence"
    assert second.author_institutions is None
    assert [i.name for i in second.institutions] == [xjtlu]
    # No DOI, no OpenAlex URL: a stable hash (the WoS file has this paper with its DOI).
    assert second.key.startswith("rec-") and second.doi is None
    assert bad == "the record names no authors (AU, A1)"
    # Records are numbered by their TY line.
    assert [r.position for r in ris.read_file(FILES["ris"])] == [1, 13, 22]


def test_csv_with_a_yaml_column_map() -> None:
    first, second, bad = parsed("csv")
    assert isinstance(first, PaperRecord) and isinstance(second, PaperRecord)
    assert first.authors == ("Hai Zhao", "Yan Song", "Chunyu Kit", "Guodong Zhou")
    assert first.author_institutions is None
    assert [i.name for i in first.institutions] == [
        "Soochow University",
        "City University of Hong Kong",
    ]
    assert (first.key, first.cited_by_count, first.venue) == ("W2128342468", 52, "ACL")
    sysu, xjtlu = "Sun Yat-sen University", "Xi'an Jiaotong-Liverpool University"
    assert second.author_institutions == ((sysu,), (xjtlu,), (sysu,))
    assert [(i.name, i.authors) for i in second.institutions] == [(sysu, 2), (xjtlu, 1)]
    assert second.key.startswith("rec-")  # no OpenAlex id or DOI in the row
    assert bad == "no authors in column 'Authors'"
    # Rows are numbered by their line in the file (the header is line 1).
    assert [r.position for r in tabular.read_csv(FILES["csv"])] == [2, 3, 4]


def test_jsonl_with_a_map_option() -> None:
    first, second, bad = parsed("jsonl")
    assert isinstance(first, PaperRecord) and isinstance(second, PaperRecord)
    xjtlu = "Xi'an Jiaotong-Liverpool University"
    assert first.author_institutions == ((xjtlu,), (xjtlu,))
    assert (first.key, first.doi, first.year) == (
        "W4300927015",
        "10.1109/compsac54236.2022.00290",
        2022,
    )
    assert second.author_institutions is None
    assert [i.name for i in second.institutions] == ["Zhejiang University", xjtlu]
    assert isinstance(bad, str) and bad.startswith("not valid JSON")


def test_bad_maps_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"unknown field.*titel"):
        tabular.column_map("titel=Title")
    with pytest.raises(InvalidInputError, match="'year' is not field=Column"):
        tabular.column_map("title=Title,year")
    with pytest.raises(InvalidInputError, match="--map is for the csv and jsonl formats"):
        records_source("wos", None, "title=TI")
    with pytest.raises(InvalidInputError, match="no such column map file"):
        tabular.column_map(str(tmp_path / "missing.yaml"))
    assert tabular.column_map(None)["title"] == "title"


# --- the graph -----------------------------------------------------------------------------------


@cache
def ror_records() -> list[dict[str, Any]]:
    return [r for r in ror_dump(ROR_V2) if r["id"].rsplit("/", 1)[-1] in INSTITUTIONS]


@cache
def classifier() -> TopicClassifier:
    return TopicClassifier.from_taxonomy(DEFAULT_TAXONOMY_PATH)


def load_all(writer: Writer, tmp: Path) -> tuple[dict[str, JobReport], dict[str, RecordsWriter]]:
    reports: dict[str, JobReport] = {}
    resolvers: dict[str, RecordsWriter] = {}
    for format_name, path in FILES.items():
        resolvers[format_name] = RecordsWriter(writer, classifier=classifier())
        source = records_source(format_name, resolvers[format_name], MAPS.get(format_name))
        reports[format_name] = run_job(
            writer, source, [path], quarantine_dir=tmp / "q", batch_size=2
        )
    return reports, resolvers


def taxonomy_subset(tmp: Path) -> Path:
    """The taxonomy CSV's rows of the topics the classifier finds in the files' titles (the
    whole taxonomy takes long to load, and only these topics are linked)."""
    titles = [r.title for f in FILES for r in parsed(f) if isinstance(r, PaperRecord) and r.title]
    wanted = {s.topic_id for found in classifier().classify(titles) for s in found}
    lines = DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp / "taxonomy.csv"
    path.write_text(
        lines[0] + "".join(line for line in lines[1:] if line.split(",", 1)[0] in wanted),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def loaded(
    graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, JobReport], Path]:
    tmp = tmp_path_factory.mktemp("formats")
    writer = Writer(graph, settings.neo4j_database)
    load_taxonomy(writer, taxonomy_subset(tmp))  # the topics the classifier links to
    path = tmp / "ror.json"
    path.write_text(json.dumps(ror_records()), encoding="utf-8")
    assert run_job(writer, ROR, [path], quarantine_dir=tmp / "q", batch_size=50).quarantined == 0
    reports, _ = load_all(writer, tmp)
    derive(writer, max_authors=settings.max_authors_for_ties)
    return reports, tmp


def test_each_bad_record_is_quarantined_with_its_line(loaded: Any) -> None:
    reports, _ = loaded
    lines = {"wos": 5, "ris": 22, "csv": 4, "jsonl": 3}
    for format_name, report in reports.items():
        assert report.quarantined == 1, format_name
        problem = report.problems[0]
        assert (problem.path, problem.position) == (FILES[format_name], lines[format_name])
        assert report.quarantine_file is not None and report.quarantine_file.is_file()


def authorships(graph: Driver, settings: Settings, source: str) -> dict[tuple[str, str], Any]:
    """(work title, author name as written) -> the authorship's institutions and flag."""
    found = rows(
        graph, settings,
        "MATCH (:Scientist)-[a:AUTHORED {source: $source}]->(w:Work) "
        "RETURN w.title AS title, a.raw_author_name AS name, a.matched_institution_ids AS ids, "
        "a.institutions_inferred AS inferred", source=source,
    )  # fmt: skip
    return {(r["title"], r["name"]): (set(r["ids"]), r["inferred"]) for r in found}


def test_stated_placements_are_not_inferred(loaded: Any, graph: Driver, settings: Settings) -> None:
    found = authorships(graph, settings, "records:wos")
    parsing = "Cross language dependency parsing using a bilingual lexicon"
    assert found[(parsing, "Zhao, Hai")] == ({SOOCHOW, CITYU}, False)
    assert found[(parsing, "Zhou, Guodong")] == ({SOOCHOW}, False)
    assert found[(parsing, "Kit, Chunyu")] == ({CITYU}, False)
    matching = "Fine-grained Image-text Matching by Cross-modal Hard Aligning Network"
    assert found[(matching, "Pan, Zhengxin")] == ({ZJU}, False)
    assert found[(matching, "Wu, Fangyu")] == ({XJTLU}, False)
    # One address for the paper, no names: every author's, inferred.
    heritage = "Cultural Heritage Assets Optimization Workflow for Interactive System Development"
    assert found[(heritage, "Chai, Kedong")] == ({XJTLU}, True)
    ris_found = authorships(graph, settings, "records:ris")
    forecasting = "Towards Better Forecasting by Fusing Near and Distant Future Visions"
    assert ris_found[(forecasting, "Huang, Kaizhu")] == ({XJTLU}, False)
    assert ris_found[(forecasting, "Zheng, Zibin")] == ({SYSU}, False)
    csv_found = authorships(graph, settings, "records:csv")
    # Two institutions and no counts: nobody's placement can be inferred.
    assert csv_found[(parsing, "Guodong Zhou")] == (set(), False)
    assert csv_found[(forecasting, "Kaizhu Huang")] == ({XJTLU}, False)


def test_works_link_every_named_institution(loaded: Any, graph: Driver, settings: Settings) -> None:
    found = rows(
        graph, settings,
        "MATCH (w:Work)-[b:BY_INSTITUTION]->(i:Institution) "
        "RETURN b.source AS source, w.title AS title, collect(i.id) AS ids",
    )  # fmt: skip
    by = {(r["source"], r["title"][:20]): set(r["ids"]) for r in found}
    assert by[("records:wos", "Cross language depen")] == {SOOCHOW, CITYU}
    assert by[("records:wos", "Fine-grained Image-t")] == {ZJU, XJTLU}
    assert by[("records:ris", "Towards Better Forec")] == {SYSU, XJTLU}
    assert by[("records:csv", "Cross language depen")] == {SOOCHOW, CITYU}
    assert by[("records:jsonl", "Fine-grained Image-t")] == {ZJU, XJTLU}


def test_titles_give_classifier_topics(loaded: Any, graph: Driver, settings: Settings) -> None:
    found = rows(
        graph, settings,
        "MATCH (w:Work)-[a:ABOUT {source: 'classifier'}]->(t:Topic) "
        "RETURN w.title AS title, w.source AS source, t.id AS topic, a.score AS score, "
        "a.inferred AS inferred ORDER BY score DESC",
    )  # fmt: skip
    works = {(r["source"], r["title"]) for r in found}
    # Every work the four files hold (each title is there, the refused records aside).
    titled = {
        (f"records:{f}", r.title) for f in FILES for r in parsed(f) if isinstance(r, PaperRecord)
    }
    assert works == titled
    assert all(r["inferred"] is True and 0 < r["score"] <= 1 for r in found)
    parsing = [r["topic"] for r in found if r["title"].startswith("Cross language dependency")]
    assert "T10181" in parsing  # Natural Language Processing Techniques


def h_index(cites: list[int]) -> int:
    ranked = sorted(cites, reverse=True)
    return sum(1 for i, c in enumerate(ranked) if c >= i + 1)


def test_records_people_get_metrics_computed_from_their_works(
    loaded: Any, graph: Driver, settings: Settings
) -> None:
    found = rows(
        graph, settings,
        "MATCH (s:Scientist)-[:AUTHORED]->(w:Work) WHERE s.source STARTS WITH 'records:' "
        "RETURN s.id AS id, s.computed_works_count AS works, s.computed_cited_by_count AS cites, "
        "s.computed_h_index AS h, collect(DISTINCT [w.id, w.cited_by_count]) AS items",
    )  # fmt: skip
    assert found
    for row in found:
        cites = [c or 0 for _, c in row["items"]]
        assert (row["works"], row["cites"], row["h"]) == (len(cites), sum(cites), h_index(cites))
    # The citation counts are the files' (TC 52, Citations 52, ...): someone on the parsing
    # paper has at least 52 citations.
    assert max(r["cites"] for r in found) >= 52


def test_computed_metrics_are_marked_in_the_api() -> None:
    computed = Scientist(id="rec-0123456789abcdef", name="Hai Zhao", computed_works_count=2,
                         computed_cited_by_count=52, computed_h_index=1)  # fmt: skip
    metrics = ScientistType.from_model(computed).metrics
    assert (metrics.works_count, metrics.h_index, metrics.computed) == (2, 1, True)
    assert metrics.computed_from == "loaded works (2)"
    recorded = Scientist(id="A1", name="X", works_count=5, computed_works_count=2)
    assert ScientistType.from_model(recorded).metrics.computed is False


def test_rerun_changes_nothing(loaded: Any, graph: Driver, settings: Settings) -> None:
    _, tmp = loaded
    before = snapshot(graph, settings)
    writer = Writer(graph, settings.neo4j_database)
    _, resolvers = load_all(writer, tmp)
    derive(writer, max_authors=settings.max_authors_for_ties)
    for resolver in resolvers.values():
        assert resolver.report.unchanged + resolver.report.openalex_works == resolver.report.works
    assert snapshot(graph, settings) == before
