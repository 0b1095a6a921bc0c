"""The bulk load's transform without a server: the CSV encoding, and what the select stage
keeps when a work's record or a person's view appears more than once (expected values from
the raw records)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ingest.bulk.columns import ARRAY_DELIMITER, encode
from ingest.bulk.parse import parse_all
from ingest.bulk.tables import AUTHORED, SCIENTISTS, WORKS
from ingest.bulk.transform import write_import_files
from tests.conftest import SAMPLE_WORKS


def test_values_are_encoded_as_neo4j_admin_reads_them() -> None:
    assert encode(["a", "b"], "string[]") == f"a{ARRAY_DELIMITER}b"
    assert encode([2019, 2020], "long[]") == f"2019{ARRAY_DELIMITER}2020"
    assert encode([], "string[]") is None  # no empty array in the CSV format: filled later
    assert encode(None, "string") is None
    assert encode("", "string") == ""
    assert encode(True, "boolean") == "true"
    assert encode(0.1, "double") == "0.1"
    kinds = {c.name: c.kind for c in WORKS.columns}
    assert kinds["citation_counts"] == "long[]" and kinds["fwci"] == "double"
    assert kinds["is_retracted"] == "boolean" and kinds["keywords"] == "string[]"
    assert "names" in {c.name for c in SCIENTISTS.columns}  # computed fields are stored too


def _rows(folder: Path, name: str, header: Path) -> list[dict[str, str]]:
    names = [h.split(":")[0] or h for h in header.read_text().strip().split(",")]
    with (folder / f"{name}.csv").open(newline="") as handle:
        return [dict(zip(names, row, strict=True)) for row in csv.reader(handle)]


def test_the_later_record_of_a_work_and_the_newest_view_of_a_person_win(tmp_path: Path) -> None:
    first = json.loads(SAMPLE_WORKS.read_text(encoding="utf-8").split("\n")[0])
    later: dict[str, Any] = {
        **first,
        "display_name": "A later title",
        "authorships": first["authorships"][:1],
        "updated_date": "2099-01-01T00:00:00",
    }
    person = later["authorships"][0]["author"]
    later["authorships"][0] = {
        **later["authorships"][0],
        "author": {**person, "display_name": "Renamed"},
    }
    data = tmp_path / "works.jsonl"
    data.write_text(json.dumps(first) + "\n" + json.dumps(later) + "\n", encoding="utf-8")

    results = list(parse_all([data], tmp_path / "stage", workers=1))
    assert sum(r.works for r in results) == 2
    files = write_import_files(tmp_path / "stage", tmp_path / "csv", max_authors=100)
    headers = {f.data.stem: f.header for f in files.nodes + files.relationships}
    works = _rows(tmp_path / "csv", "works", headers["works"])
    assert [(w["id"], w["title"]) for w in works] == [
        (first["id"].rsplit("/", 1)[1], "A later title")
    ]
    authored = _rows(tmp_path / "csv", "authored", headers["authored"])
    assert [a[":START_ID(Scientist)"] for a in authored] == [person["id"].rsplit("/", 1)[1]]
    people = {
        p["id"]: p["name"] for p in _rows(tmp_path / "csv", "scientists", headers["scientists"])
    }
    # Everyone the first record named is still a node (as after the Bolt path); the one both
    # records name has the newer record's name.
    named = {(a.get("author") or {}).get("id", "").rsplit("/", 1)[-1] for a in first["authorships"]}
    assert set(people) == named - {""}
    assert people[person["id"].rsplit("/", 1)[1]] == "Renamed"
    assert len(AUTHORED.columns) == len(headers["authored"].read_text().split(","))
    # The ties of people come from the record that won: its one author has no co-author,
    # an affiliation per institution of their authorship there, expertise in its topics.
    ties = {
        name: _rows(tmp_path / "csv", name, headers[name])
        for name in ("coauthored", "affiliated_with", "expert_in")
    }
    assert ties["coauthored"] == []
    linked = authored[0]["institution_ids"].split(ARRAY_DELIMITER)
    assert len(linked) == len(later["authorships"][0]["institutions"]) > 0
    assert sorted(a[":END_ID(Institution)"] for a in ties["affiliated_with"]) == sorted(linked)
    assert {(e[":END_ID(Topic)"], float(e["score"])) for e in ties["expert_in"]} == {
        (topic["id"].rsplit("/", 1)[1], round(topic["score"], 6)) for topic in later["topics"]
    }
