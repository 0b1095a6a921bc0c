"""Every OpenAlex work shape since 2021 loads (issue 16, part 3): a real 2022 record
(tests/data/openalex-shapes, see its README) with `host_venue`, `alternate_host_venues` and
`concepts` without `topics`; the same record without `institutions[].ror`, and with the
MAG-era abstract index `{"IndexLength": N, "InvertedIndex": {...}}`. No database: the works
job's own reader and parser, which decide what is quarantined.

Expected values are read off the raw record here.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from ingest.jobs import RawRecord
from ingest.openalex.entities import WORKS
from ingest.openalex.works import WorkRecord
from tests.conftest import REPO

WORKS_2022 = REPO / "tests" / "data" / "openalex-shapes" / "works-2022.jsonl"


@cache
def record_2022() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(WORKS_2022.read_text(encoding="utf-8"))
    return found


def parsed(record: dict[str, Any]) -> WorkRecord:
    """The record through the works job's parser, as one line of a file."""
    return WORKS.parse(RawRecord(Path("works.jsonl"), 1, json.dumps(record)))


def abstract_text(index: dict[str, list[int]]) -> str:
    words = sorted((p, w) for w, positions in index.items() for p in positions)
    return " ".join(w for _, w in words)


def test_the_2022_file_loads_without_quarantine() -> None:
    raws = list(WORKS.read(WORKS_2022))
    assert len(raws) == 1
    found = WORKS.parse(raws[0])
    raw = record_2022()
    assert found.work.id == "W2741809807"
    assert found.work.publication_year == raw["publication_year"]
    assert found.work.cited_by_count == raw["cited_by_count"]
    assert {a.scientist_id for a in found.authorships} == {
        a["author"]["id"].rsplit("/", 1)[-1] for a in raw["authorships"]
    }


def test_host_venue_is_the_source() -> None:
    venue = record_2022()["host_venue"]
    assert "primary_location" not in record_2022()
    source = parsed(record_2022()).source
    assert source is not None
    # Venues became sources under the same number.
    assert source.id == "S" + venue["id"].rsplit("/V", 1)[-1]
    assert (source.name, source.issn_l, source.issns) == (
        venue["display_name"],
        venue["issn_l"],
        tuple(venue["issn"]),
    )
    assert source.publisher == venue["publisher"]


def test_alternate_host_venues_with_null_ids_load() -> None:
    alternates = record_2022()["alternate_host_venues"]
    assert any(v["id"] is None for v in alternates)
    record = copy.deepcopy(record_2022())
    del record["host_venue"]  # then nothing names the source
    assert parsed(record).source is None


def test_concepts_without_topics_load_with_no_topics() -> None:
    assert record_2022()["concepts"] and "topics" not in record_2022()
    found = parsed(record_2022())
    assert found.topics == () and found.taxonomy == ()


def test_the_mag_era_abstract_index() -> None:
    index = record_2022()["abstract_inverted_index"]
    record = copy.deepcopy(record_2022())
    record["abstract_inverted_index"] = {
        "IndexLength": 1 + max(p for ps in index.values() for p in ps),
        "InvertedIndex": index,
    }
    assert parsed(record).work.abstract == abstract_text(index)
    assert parsed(record_2022()).work.abstract == abstract_text(index)


def test_institutions_without_ror_are_kept_by_openalex_id() -> None:
    record = copy.deepcopy(record_2022())
    for authorship in record["authorships"]:
        for institution in authorship["institutions"]:
            del institution["ror"]
    expected = {
        i["id"].rsplit("/", 1)[-1] for a in record["authorships"] for i in a["institutions"]
    }
    found = parsed(record)
    assert {i.id for i in found.institutions} == expected
    assert all(i.ror_id is None for i in found.institutions)
