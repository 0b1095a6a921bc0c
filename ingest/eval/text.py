"""Measuring the text pipeline: annotated documents (mentions marked inline as
`[[KIND|text]]`, see tests/data/text/README.md) scored per mention kind, and a gazetteer read
from published files (a ROR dump, the topic taxonomy CSV) for use without a graph."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.eval.metrics import Counts
from ingest.ror.records import parse_record, read_dump
from ingest.text.extract import Entry, Gazetteer, MentionKind, TextPipeline, plain_text

_MARK = re.compile(r"\[\[([A-Z]+)\|([^\]]*)\]\]")


@dataclass(frozen=True)
class MarkedDocument:
    path: Path
    text: str  # the plain text, marks removed
    gold: frozenset[tuple[MentionKind, int, int]]


def read_marked(path: Path) -> MarkedDocument:
    """The document's plain text without its marks, and the marked mentions' offsets in it."""
    marked = plain_text(path)
    parts: list[str] = []
    gold: set[tuple[MentionKind, int, int]] = set()
    length = last = 0
    for match in _MARK.finditer(marked):
        before = marked[last : match.start()]
        parts.append(before)
        length += len(before)
        try:
            kind = MentionKind(match.group(1))
        except ValueError as e:
            raise ValueError(f"{path}: unknown mention kind {match.group(1)!r}") from e
        inner = match.group(2)
        gold.add((kind, length, length + len(inner)))
        parts.append(inner)
        length += len(inner)
        last = match.end()
    parts.append(marked[last:])
    return MarkedDocument(path, "".join(parts), frozenset(gold))


def score(pipeline: TextPipeline, documents: Iterable[MarkedDocument]) -> dict[MentionKind, Counts]:
    """Exact-match counts per kind: a mention is right when kind, start and end all agree."""
    counts = {kind: Counts() for kind in MentionKind}
    for document in documents:
        found = {(m.kind, m.start, m.end) for m in pipeline.extract(document.text)}
        for kind, start, end in found | document.gold:
            if (kind, start, end) in found and (kind, start, end) in document.gold:
                counts[kind].tp += 1
            elif (kind, start, end) in found:
                counts[kind].fp += 1
            else:
                counts[kind].fn += 1
    return counts


def gazetteer_from_files(ror_dumps: Iterable[Path], taxonomy_csv: Path) -> Gazetteer:
    """Institutions from ROR dumps as published and topics from the taxonomy CSV."""
    institutions = []
    for dump in ror_dumps:
        for raw in read_dump(dump):
            inst = parse_record(raw).institution
            names = tuple(dict.fromkeys([inst.name, *inst.labels, *inst.aliases]))
            institutions.append(Entry(inst.id, names, tuple(inst.acronyms)))
    with taxonomy_csv.open(encoding="utf-8", newline="") as handle:
        topics = [
            Entry(
                row["topic_id"],
                (row["display_name"],),
                keywords=tuple(k.strip() for k in row["keywords"].split(";") if k.strip()),
            )
            for row in csv.DictReader(handle)
        ]
    return Gazetteer(institutions, topics)
