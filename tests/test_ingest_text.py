"""`talentmap ingest text` against the real Neo4j holding the bundled OpenAlex sample (works
and authors): documents written here (English and Chinese, made up for these tests) add people
linked to the sample's institutions and topics, find the same person again under another form
of the name, link to existing OpenAlex scientists without changing them, are idempotent, and
survive a bad file next to them. Expected ids come from the raw sample JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from graph.unit_of_work import Writer
from ingest.jobs import run_job
from ingest.openalex.authors import OPENALEX_AUTHORS
from ingest.text.documents import TextReport, ingest_text
from schema.settings import Settings
from tests.conftest import (
    SAMPLE_WORKS,
    ask,
    fulltext,
    load_works,
    rows,
    sample_works,
    scalar,
    short_id,
    snapshot,
)

AUTHORS = SAMPLE_WORKS.parent / "authors.jsonl"
INSTITUTION = "Dalian University of Technology"  # in the sample works' authorships
TOPIC = "Topic Modeling"  # a topic of sample works
EXISTING = "Peter Butcher"  # an OpenAlex Author record of the sample
EXISTING_AT = "Bangor University"

BIO_EN = (
    f"Dr. Li Ming, professor at {INSTITUTION}, works on {TOPIC}. "
    "He joined the university in 2015 and leads a group of twelve."
)
NEWS_EN = f"Ming Li ({INSTITUTION}) received an award this year for research on {TOPIC}."
NEWS_ZH = "李明教授长期从事自然语言处理研究，2018年当选会士。"
EXISTING_EN = f"Prof. {EXISTING} of {EXISTING_AT} was interviewed about immersive analytics."


def raw_institution_id(name: str) -> str:
    """The graph key of a sample institution (its ROR id), read from the raw works."""
    for work in sample_works():
        for authorship in work["authorships"]:
            for inst in authorship.get("institutions") or []:
                if inst.get("display_name") == name:
                    return short_id(inst["ror"])
    raise AssertionError(f"{name} not in the sample")


def raw_topic_id(name: str) -> str:
    for work in sample_works():
        for topic in work.get("topics") or []:
            if topic["display_name"] == name:
                return short_id(topic["id"])
    raise AssertionError(f"{name} not in the sample")


def raw_author(name: str) -> dict[str, Any]:
    with AUTHORS.open(encoding="utf-8") as handle:
        found = [r for line in handle if (r := json.loads(line))["display_name"] == name]
    assert len(found) == 1
    record: dict[str, Any] = found[0]
    return record


@pytest.fixture(scope="module")
def sample(graph: Driver, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Driver:
    quarantine = tmp_path_factory.mktemp("quarantine")
    load_works(graph, settings, [SAMPLE_WORKS], quarantine)
    writer = Writer(graph, settings.neo4j_database)
    run_job(writer, OPENALEX_AUTHORS, [AUTHORS], quarantine_dir=quarantine, batch_size=64)
    return graph


def ingest(driver: Driver, settings: Settings, folder: Path, **docs: str) -> TextReport:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in docs.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    writer = Writer(driver, settings.neo4j_database)
    return ingest_text(writer, paths, quarantine_dir=folder / "quarantine")


def person_of(driver: Driver, settings: Settings, text: str) -> list[dict[str, Any]]:
    """The scientists PERSON mentions with this text refer to."""
    return rows(
        driver,
        settings,
        "MATCH (m:Mention {kind: 'PERSON', text: $text})-[r:REFERS_TO]->(s:Scientist) "
        "RETURN DISTINCT s.id AS id, s.source AS source, s.name AS name, r.confidence AS c",
        text=text,
    )


def scientists(driver: Driver, settings: Settings) -> int:
    return int(scalar(driver, settings, "MATCH (s:Scientist) RETURN count(s)"))


def test_a_bio_adds_a_new_scientist_at_the_institution_on_the_topic(
    sample: Driver, settings: Settings, tmp_path: Path
) -> None:
    before = scientists(sample, settings)
    report = ingest(sample, settings, tmp_path, **{"bio.txt": BIO_EN})
    assert (report.written, report.new_scientists, report.problems) == (1, 1, [])
    assert scientists(sample, settings) == before + 1
    [person] = person_of(sample, settings, "Li Ming")
    assert person["source"] == "text" and person["id"].startswith("text-")
    assert person["name"] == "Li Ming"
    facts = rows(
        sample,
        settings,
        "MATCH (s:Scientist {id: $id})-[r {source: 'text'}]->(x) "
        "RETURN type(r) AS rel, x.id AS target, r.confidence AS c, r.documents AS docs, "
        "r.mentions AS mentions",
        id=person["id"],
    )
    assert {(f["rel"], f["target"]) for f in facts} == {
        ("AFFILIATED_WITH", raw_institution_id(INSTITUTION)),
        ("RESEARCHES", raw_topic_id(TOPIC)),
    }
    doc = rows(sample, settings, "MATCH (d:Document) RETURN d.id AS id, d.language AS lang")
    assert doc[0]["lang"] == "en"
    for fact in facts:
        assert 0 < fact["c"] <= 1
        assert fact["docs"] == [doc[0]["id"]]
    # Provenance: the institution mention's offsets give back its text.
    affiliation = next(f for f in facts if f["rel"] == "AFFILIATED_WITH")
    spans = rows(
        sample,
        settings,
        "MATCH (m:Mention)-[:IN]->(:Document {id: $doc}) WHERE m.id IN $ids "
        "RETURN m.kind AS kind, m.start AS start, m.end AS end, m.text AS text",
        doc=doc[0]["id"],
        ids=affiliation["mentions"],
    )
    assert {s["kind"] for s in spans} == {"PERSON", "INSTITUTION"}
    for span in spans:
        assert BIO_EN[span["start"] : span["end"]] == span["text"]


def test_b_another_form_of_the_name_is_the_same_person(
    sample: Driver, settings: Settings, tmp_path: Path
) -> None:
    ingest(sample, settings, tmp_path / "a", **{"bio.txt": BIO_EN})
    count = scientists(sample, settings)
    [first] = person_of(sample, settings, "Li Ming")
    report = ingest(sample, settings, tmp_path / "b", **{"news.md": NEWS_EN, "zh.txt": NEWS_ZH})
    assert (report.written, report.new_scientists) == (2, 0)
    assert scientists(sample, settings) == count
    assert person_of(sample, settings, "Ming Li") == [
        {**first, "c": person_of(sample, settings, "Ming Li")[0]["c"]}
    ]
    assert [p["id"] for p in person_of(sample, settings, "李明")] == [first["id"]]
    # The text person now answers to every form the documents wrote, hanzi included.
    names = scalar(sample, settings, "MATCH (s:Scientist {id: $id}) RETURN s.names", id=first["id"])
    assert {"Li Ming", "Ming Li", "李明"} <= set(names)
    assert first["id"] in [
        hit["id"] for hit in fulltext(sample, settings, "scientist_names", "李明")
    ]
    # Both English documents now back the affiliation.
    docs = scalar(
        sample,
        settings,
        "MATCH (:Scientist {id: $id})-[r:AFFILIATED_WITH {source: 'text'}]->() RETURN r.documents",
        id=first["id"],
    )
    assert len(docs) == 2


def test_c_an_existing_openalex_scientist_is_linked_and_left_unchanged(
    sample: Driver, settings: Settings, tmp_path: Path
) -> None:
    raw = raw_author(EXISTING)
    key = short_id(raw["id"])
    query = "MATCH (s:Scientist {id: $id}) RETURN properties(s) AS p"
    before = rows(sample, settings, query, id=key)[0]["p"]
    edges = (
        "MATCH (:Scientist {id: $id})-[r]-(x) WHERE coalesce(r.source, '') <> 'text' "
        "RETURN type(r) AS t, properties(r) AS p, x.id AS x ORDER BY t, x"
    )
    edges_before = rows(sample, settings, edges, id=key)
    count = scientists(sample, settings)
    report = ingest(sample, settings, tmp_path, **{"interview.html": f"<p>{EXISTING_EN}</p>"})
    assert (report.written, report.new_scientists) == (1, 0)
    assert scientists(sample, settings) == count
    [person] = person_of(sample, settings, EXISTING)
    assert person["id"] == key
    after = rows(sample, settings, query, id=key)[0]["p"]
    assert after == before
    assert (after["name"], after["works_count"], after["cited_by_count"]) == (
        raw["display_name"],
        raw["works_count"],
        raw["cited_by_count"],
    )
    assert rows(sample, settings, edges, id=key) == edges_before
    institution = scalar(
        sample,
        settings,
        "MATCH (:Scientist {id: $id})-[:AFFILIATED_WITH {source: 'text'}]->(i) RETURN i.name",
        id=key,
    )
    assert institution == EXISTING_AT


def test_d_reingesting_changes_nothing(sample: Driver, settings: Settings, tmp_path: Path) -> None:
    docs = {"bio.txt": BIO_EN, "news.md": NEWS_EN, "zh.txt": NEWS_ZH}
    ingest(sample, settings, tmp_path / "first", **docs)
    before = snapshot(sample, settings)
    report = ingest(sample, settings, tmp_path / "again", **docs)
    assert (report.written, report.unchanged) == (0, 3)
    assert snapshot(sample, settings) == before


def test_e_a_bad_file_is_named_quarantined_and_the_others_still_written(
    sample: Driver, settings: Settings, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Prof. Wei Zhang (Dalian University of Technology) spoke.", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Prof. \xff\xfe Zhang is not UTF-8")
    done = subprocess.run(
        [sys.executable, "-m", "talentmap.cli", "ingest", "text", str(tmp_path)],
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert f"{bad}: not UTF-8 text: byte 0xff at offset 6" in done.stderr
    assert "1 unusable document(s) quarantined" in done.stderr
    assert "Traceback" not in done.stderr
    assert "written 1" in done.stdout
    assert [p["name"] for p in person_of(sample, settings, "Wei Zhang")] == ["Wei Zhang"]
    quarantined = [
        json.loads(line)
        for file in (settings.home / "quarantine").glob("text-*.jsonl")
        for line in file.read_text(encoding="utf-8").splitlines()
    ]
    assert [q["file"] for q in quarantined] == [str(bad)]


def test_f_the_api_serves_a_text_person_with_the_fact_and_its_source(
    sample: Driver, settings: Settings, tmp_path: Path, api_url: str
) -> None:
    ingest(sample, settings, tmp_path, **{"bio.txt": BIO_EN})
    [person] = person_of(sample, settings, "Li Ming")
    body = ask(
        api_url,
        "query($id: ID!) { scientist(id: $id) { __typename ... on Scientist { id name "
        "affiliations { source institution { id } } } } }",
        {"id": person["id"]},
    )
    assert body.get("errors") is None, body
    found = body["data"]["scientist"]
    assert (found["__typename"], found["id"], found["name"]) == (
        "Scientist",
        person["id"],
        "Li Ming",
    )
    assert found["affiliations"] == [
        {"source": "text", "institution": {"id": raw_institution_id(INSTITUTION)}}
    ]
