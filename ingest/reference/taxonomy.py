"""The OpenAlex topic taxonomy (a CSV of every topic with its subfield, field and domain) into
domain models, and the job that loads it.

Every row is checked before anything is written. A row that cannot be used raises
`RecordError` naming its row and line; the file is one consistent unit (a subfield named
differently on two rows is an error), so there is no skipping.

`data/openalex/topics_taxonomy.csv` (CC0, see data/README.md) holds 4,516 topics. Its counts
come from two OpenAlex snapshots: `works_count` is `works_count_2026_05`, `cited_by_count` is
`cited_by_count_2024_09` (the only citation count the file has).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.unit_of_work import Writer
from graph.write.topic import write_levels, write_topics
from ingest.errors import InvalidInputError, RecordError
from schema.ids import InvalidIdError, OpenAlexKind, openalex_id
from schema.topic import Domain, Field, Subfield, TaxonomyLevel, Topic, taxonomy_id_of

DEFAULT_TAXONOMY_PATH = (
    Path(__file__).resolve().parents[2] / "data" / "openalex" / "topics_taxonomy.csv"
)

REQUIRED_COLUMNS = (
    "topic_id",
    "display_name",
    "subfield_id",
    "subfield_display_name",
    "field_id",
    "field_display_name",
    "domain_id",
    "domain_display_name",
)
# Older names of a topic, newest first; kept as `alternative_names` when they differ.
FORMER_NAME_COLUMNS = ("display_name_2025_02", "display_name_2024_09")


@dataclass(frozen=True)
class TaxonomyRow:
    """One row: a topic and the three levels above it."""

    topic: Topic
    subfield: Subfield
    field: Field
    domain: Domain


@dataclass
class Taxonomy:
    """A whole file, each node once (levels in order of first appearance)."""

    topics: list[Topic] = field(default_factory=list)
    subfields: dict[str, Subfield] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    domains: dict[str, Domain] = field(default_factory=dict)


@dataclass(frozen=True)
class TaxonomyReport:
    path: Path
    domains: int
    fields: int
    subfields: int
    topics: int
    part_of: int  # PART_OF edges in place: topic -> subfield, subfield -> field, field -> domain


def parse_row(row: Mapping[str, Any], number: int) -> TaxonomyRow:
    """Map one CSV row (a `csv.DictReader` dict) to models; `number` counts data rows from 1."""
    if None in row:  # csv.DictReader files surplus values under the key None
        raise RecordError(f"row {number}: more values than the header has columns")
    missing = [column for column in REQUIRED_COLUMNS if not (row.get(column) or "").strip()]
    if missing:
        raise RecordError(f"row {number}: no value for {', '.join(missing)}")
    raw_topic = str(row["topic_id"])
    try:
        topic_id = openalex_id(raw_topic, OpenAlexKind.TOPIC)
        url = _text(row.get("openalex_id"))
        if url is not None and openalex_id(url, OpenAlexKind.TOPIC) != topic_id:
            raise RecordError(f"openalex_id {url!r} is not topic {topic_id}")
        domain = Domain(
            id=_level_id(row["domain_id"], TaxonomyLevel.DOMAIN),
            name=row["domain_display_name"],
            source_id=_url(row["domain_id"], TaxonomyLevel.DOMAIN),
        )
        field_ = Field(
            id=_level_id(row["field_id"], TaxonomyLevel.FIELD),
            name=row["field_display_name"],
            domain_id=domain.id,
            source_id=_url(row["field_id"], TaxonomyLevel.FIELD),
        )
        subfield = Subfield(
            id=_level_id(row["subfield_id"], TaxonomyLevel.SUBFIELD),
            name=row["subfield_display_name"],
            field_id=field_.id,
            source_id=_url(row["subfield_id"], TaxonomyLevel.SUBFIELD),
        )
        name = str(row["display_name"]).strip()
        former = [_text(row.get(column)) for column in FORMER_NAME_COLUMNS]
        topic = Topic(
            id=topic_id,
            name=name,
            description=_text(row.get("description")),
            keywords=_keywords(row.get("keywords")),
            alternative_names=tuple(dict.fromkeys(n for n in former if n and n != name)),
            wikipedia_url=_text(row.get("wikipedia_url")),
            subfield_id=subfield.id,
            works_count=_count(row, "works_count_2026_05"),
            cited_by_count=_count(row, "cited_by_count_2024_09"),
            source_id=url or f"https://openalex.org/{topic_id}",
        )
    except (InvalidIdError, ValidationError, RecordError) as e:
        raise RecordError(f"row {number} (topic {raw_topic}): {_short(e)}") from e
    return TaxonomyRow(topic=topic, subfield=subfield, field=field_, domain=domain)


def read_rows(path: Path) -> Iterator[tuple[int, int, Mapping[str, Any]]]:
    """(row number, first line, row) for each data row; a header without the required columns
    is an `InvalidInputError`."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            absent = [column for column in REQUIRED_COLUMNS if column not in header]
            if absent:
                raise InvalidInputError(
                    f"{path}: not an OpenAlex topic taxonomy; the header lacks {', '.join(absent)}"
                )
            line = reader.line_num
            for number, row in enumerate(reader, start=1):
                yield number, line + 1, row
                line = reader.line_num
    except FileNotFoundError as e:
        raise InvalidInputError(f"{path}: no such file") from e
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InvalidInputError(f"{path}: cannot be read ({e})") from e


def read_taxonomy(path: Path) -> Taxonomy:
    """Every row of `path`, checked. Raises `RecordError` (`file:line: row N ...`) at the first
    unusable row, or at a row that contradicts an earlier one about a subfield or field."""
    taxonomy = Taxonomy()
    first_row: dict[str, int] = {}
    topic_rows: dict[str, int] = {}
    for number, line, row in read_rows(path):
        try:
            parsed = parse_row(row, number)
            if parsed.topic.id in topic_rows:
                raise RecordError(
                    f"row {number}: topic {parsed.topic.id} is already on row "
                    f"{topic_rows[parsed.topic.id]}"
                )
            for node, known in (
                (parsed.domain, taxonomy.domains),
                (parsed.field, taxonomy.fields),
                (parsed.subfield, taxonomy.subfields),
            ):
                _agree(node, known, first_row, number)
        except RecordError as e:
            raise RecordError(f"{path}:{line}: {e}") from e
        topic_rows[parsed.topic.id] = number
        taxonomy.topics.append(parsed.topic)
    return taxonomy


def _agree(
    node: Domain | Field | Subfield,
    known: dict[str, Any],
    first_row: dict[str, int],
    number: int,
) -> None:
    """Record `node` the first time its id is seen; later rows must say the same about it."""
    earlier = known.get(node.id)
    if earlier is None:
        known[node.id] = node
        first_row[node.id] = number
    elif earlier != node:
        raise RecordError(
            f"row {number}: {node.id} is {_describe(node)} here but {_describe(earlier)} on "
            f"row {first_row[node.id]}"
        )


def _describe(node: Domain | Field | Subfield) -> str:
    parent = getattr(node, "field_id", None) or getattr(node, "domain_id", None)
    return f"{node.name!r}" + (f" in {parent}" if parent else "")


def load_taxonomy(
    writer: Writer,
    path: Path = DEFAULT_TAXONOMY_PATH,
    *,
    batch_size: int = 2000,
    on_progress: Callable[[int, int], None] | None = None,
) -> TaxonomyReport:
    """Load the taxonomy file: domains, fields and subfields in one transaction, then topics in
    batches. Nothing is written when a row is unusable. Idempotent."""
    taxonomy = read_taxonomy(path)
    part_of = writer(
        write_levels,
        list(taxonomy.domains.values()),
        list(taxonomy.fields.values()),
        list(taxonomy.subfields.values()),
    )
    done = 0
    for start in range(0, len(taxonomy.topics), batch_size):
        batch = taxonomy.topics[start : start + batch_size]
        part_of += writer(write_topics, batch)
        done += len(batch)
        if on_progress is not None:
            on_progress(done, len(taxonomy.topics))
    return TaxonomyReport(
        path=path,
        domains=len(taxonomy.domains),
        fields=len(taxonomy.fields),
        subfields=len(taxonomy.subfields),
        topics=len(taxonomy.topics),
        part_of=part_of,
    )


def _level_id(value: Any, level: TaxonomyLevel) -> str:
    """`subfields/1908` from the CSV's bare `1908` (or an id or URL already in that form)."""
    text = str(value).strip()
    return taxonomy_id_of(f"{level.value}/{text}" if text.isdigit() else text, level)


def _url(value: Any, level: TaxonomyLevel) -> str:
    return f"https://openalex.org/{_level_id(value, level)}"


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _keywords(value: Any) -> tuple[str, ...]:
    parts = (part.strip() for part in str(value or "").split(";"))
    return tuple(dict.fromkeys(part for part in parts if part))


def _count(row: Mapping[str, Any], column: str) -> int | None:
    text = _text(row.get(column))
    if text is None:
        return None
    if not text.isdigit():
        raise RecordError(f"{column} {text!r} is not a non-negative whole number")
    return int(text)


def _short(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in error.errors()
        )
    return str(error)
