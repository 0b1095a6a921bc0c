"""CSMetrics paper records (csmetrics.org, CC BY 4.0), as published in
`data/filtered_papers/`: one JSON array per venue and year (`<venue>_<year>_filtered_papers.json`)
of DBLP entries, each with its OpenAlex match (`OA papers`): the work id, title, year, citation
count, author names in order and institution names with how many authors list each.

A record does not say which author is at which institution; `resolve.py` infers only what the
counts support. The venue comes from the file name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ingest.errors import RecordError
from ingest.jobs import RawRecord, Source
from ingest.records import values
from ingest.records.model import InstitutionName, PaperRecord, paper_record

FORMAT = "csmetrics"
_FILE = re.compile(r"^(?P<venue>[a-z0-9-]+)_(?P<year>\d{4})_filtered_papers\.json$")

# Until topics are classified from titles (issue 16, part 5), a record's venue is the only
# evidence of what it is about: a paper at ACL is natural language processing. Only venues
# whose whole programme is one OpenAlex topic's field are listed (the AI segments' topics of
# data/industries.yaml); the link is stored as ABOUT {source: "venue", inferred: true}.
VENUE_TOPICS: Mapping[str, tuple[str, ...]] = {
    # natural language processing (T10181 Natural Language Processing Techniques)
    "acl": ("T10181",),
    "emnlp": ("T10181",),
    "coling": ("T10181",),
    "naacl": ("T10181",),
    "eacl": ("T10181",),
    "talip": ("T10181",),
    # computer vision (T10036 Advanced Neural Network Applications)
    "cvpr": ("T10036",),
    "iccv": ("T10036",),
    "eccv": ("T10036",),
    "pami": ("T10036",),
    # machine learning (T10320 Neural Networks and Applications)
    "icml": ("T10320",),
    "nips": ("T10320",),
    "iclr": ("T10320",),
    "aaai": ("T10320",),
    "ijcai": ("T10320",),
    # spoken language (T12031 Speech and dialogue systems)
    "interspeech": ("T12031",),
}
VENUE_TOPIC_SCORE = 0.5


def venue_of(path: Path) -> str | None:
    found = _FILE.match(path.name)
    return found.group("venue") if found else None


def read_file(path: Path) -> Iterator[RawRecord]:
    """The entries of one published file, numbered from 1 (the item in the array)."""
    with path.open(encoding="utf-8") as handle:
        try:
            entries = json.load(handle)
        except json.JSONDecodeError as e:
            # A file that is not JSON at all is one unusable record, quarantined whole.
            handle.seek(0)
            yield RawRecord(path, 1, handle.read())
            del e
            return
    if not isinstance(entries, list):
        yield RawRecord(path, 1, json.dumps(entries, ensure_ascii=False))
        return
    for number, entry in enumerate(entries, start=1):
        yield RawRecord(path, number, json.dumps(entry, ensure_ascii=False))


def parse(raw: RawRecord) -> PaperRecord:
    try:
        entry = json.loads(raw.text)
    except json.JSONDecodeError as e:
        raise RecordError(f"not valid JSON ({e.msg})") from e
    if not isinstance(entry, dict):
        raise RecordError(f"expected a JSON object (a DBLP entry), found {type(entry).__name__}")
    papers = [p for p in entry.get("OA papers") or [] if isinstance(p, dict)]
    # CSMetrics lists several OpenAlex papers when DBLP's entry matched more than one
    # (a preprint and the proceedings version); the first is its best match.
    paper: dict[str, Any] = papers[0] if papers else {}
    authors = values.names(paper.get("Authors")) or values.names(entry.get("DBLP authors"))
    if not authors:
        raise RecordError("the entry names no authors")
    work_id = values.work_id(paper.get("PaperId"))
    title = values.text(paper.get("PaperTitle")) or values.text(entry.get("DBLP title"))
    year = values.year_of(paper.get("Year")) or values.year_of(entry.get("year"))
    doi = values.doi(entry.get("doi"))
    institutions = tuple(
        InstitutionName(name.strip(), values.count(count))
        for name, count in (paper.get("Affiliations") or {}).items()
        if isinstance(name, str) and name.strip()
    )
    citations = paper.get("CitationCount")
    return paper_record(
        raw,
        FORMAT,
        title=title,
        year=year,
        doi=doi,
        openalex_id=work_id,
        cited_by_count=citations if isinstance(citations, int) and citations >= 0 else 0,
        authors=authors,
        institutions=institutions,
        venue=venue_of(raw.path),
    )


def source(write: Any) -> Source[PaperRecord]:
    """The job over CSMetrics files, writing through `write` (ingest.records.resolve)."""
    return Source(name=f"records-{FORMAT}", read=read_file, parse=parse, write=write)
