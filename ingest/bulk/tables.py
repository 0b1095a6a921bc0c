"""The tables of the bulk load: what each parsed record adds to them (staging), and the
node and relationship files they become.

Every staging row starts with `seq`, the record's place in the input (file number and line),
which decides what wins where the same node or work appears more than once; node views of
people and institutions also carry `stamp` (their record's `updated_date`), since the newest
view wins there, as in graph/write/work.py."""

from __future__ import annotations

from dataclasses import dataclass

from graph.newest import DIGEST
from ingest.bulk.columns import Column, model_columns
from schema.institution import Institution
from schema.labels import Label, Rel
from schema.scientist import Scientist
from schema.topic import Domain, Field, Subfield, Topic
from schema.venue import Funder, PublicationSource
from schema.work import Authorship, Work

# How a node table's rows are chosen among several views of one id.
LAST_RECORD = "last"  # works: the later record of the same work
NEWEST = "newest"  # people, institutions: the newest view (ties: the later)
FIRST = "first"  # taxonomy, sources, funders: created by the first work that names them


@dataclass(frozen=True)
class NodeTable:
    name: str
    label: Label
    columns: tuple[Column, ...]  # `id` first
    rule: str
    parent: str | None = None  # the column naming the PART_OF parent (taxonomy)

    @property
    def staged(self) -> tuple[str, ...]:
        helpers = ("seq", "stamp") if self.rule == NEWEST else ("seq",)
        return (*helpers, *(c.name for c in self.columns))


@dataclass(frozen=True)
class RelTable:
    name: str
    type: Rel
    start: Label
    end: Label
    columns: tuple[Column, ...]  # start id, end id, then the properties

    @property
    def staged(self) -> tuple[str, ...]:
        return ("seq", *(c.name for c in self.columns))


def _node(
    model: type[Work | Scientist | Institution | PublicationSource | Funder],
) -> tuple[Column, ...]:
    columns = model_columns(model)
    return (Column("id", "string"), *(c for c in columns if c.name != "id"))


def _taxon(model: type[Domain | Field | Subfield | Topic]) -> tuple[Column, ...]:
    columns = model_columns(model)
    return (Column("id", "string"), *(c for c in columns if c.name != "id"))


WORKS = NodeTable("works", Label.WORK, (*_node(Work), Column(DIGEST, "string")), LAST_RECORD)
SCIENTISTS = NodeTable("scientists", Label.SCIENTIST, _node(Scientist), NEWEST)
INSTITUTIONS = NodeTable("institutions", Label.INSTITUTION, _node(Institution), NEWEST)
DOMAINS = NodeTable("domains", Label.DOMAIN, _taxon(Domain), FIRST)
FIELDS = NodeTable("fields", Label.FIELD, _taxon(Field), FIRST, parent="domain_id")
SUBFIELDS = NodeTable("subfields", Label.SUBFIELD, _taxon(Subfield), FIRST, parent="field_id")
TOPICS = NodeTable("topics", Label.TOPIC, _taxon(Topic), FIRST, parent="subfield_id")
SOURCES = NodeTable("sources", Label.SOURCE, _node(PublicationSource), FIRST)
FUNDERS = NodeTable("funders", Label.FUNDER, _node(Funder), FIRST)
NODE_TABLES = (
    WORKS,
    SCIENTISTS,
    INSTITUTIONS,
    DOMAINS,
    FIELDS,
    SUBFIELDS,
    TOPICS,
    SOURCES,
    FUNDERS,
)
TAXONOMY = {
    Label.DOMAIN: DOMAINS,
    Label.FIELD: FIELDS,
    Label.SUBFIELD: SUBFIELDS,
    Label.TOPIC: TOPICS,
}
PARENT = {Label.TOPIC: Label.SUBFIELD, Label.SUBFIELD: Label.FIELD, Label.FIELD: Label.DOMAIN}

_WORK = Column("work_id", "string")
AUTHORED = RelTable(
    "authored",
    Rel.AUTHORED,
    Label.SCIENTIST,
    Label.WORK,
    (
        Column("scientist_id", "string"),
        _WORK,
        *model_columns(Authorship, skip=("scientist_id", "work_id")),
    ),
)
ABOUT = RelTable(
    "about",
    Rel.ABOUT,
    Label.WORK,
    Label.TOPIC,
    (_WORK, Column("topic_id", "string"), Column("score", "double"), Column("primary", "boolean")),
)
PUBLISHED_IN = RelTable(
    "published_in",
    Rel.PUBLISHED_IN,
    Label.WORK,
    Label.SOURCE,
    (_WORK, Column("source_id", "string")),
)
FUNDED_BY = RelTable(
    "funded_by",
    Rel.FUNDED_BY,
    Label.WORK,
    Label.FUNDER,
    (_WORK, Column("funder_id", "string"), Column("award_ids", "string[]")),
)
BY_INSTITUTION = RelTable(
    "by_institution",
    Rel.BY_INSTITUTION,
    Label.WORK,
    Label.INSTITUTION,
    (_WORK, Column("institution_id", "string"), Column("authors", "long")),
)
CITES = RelTable("cites", Rel.CITES, Label.WORK, Label.WORK, (_WORK, Column("cited_id", "string")))
REL_TABLES = (AUTHORED, ABOUT, PUBLISHED_IN, FUNDED_BY, BY_INSTITUTION, CITES)

# The list properties the Bolt path stores even when empty (a work's record is written whole,
# an authorship's and a funding's too); graph.write.bulk fills them after the import.
EMPTY_LISTS: dict[Label | Rel, tuple[str, ...]] = {
    Label.WORK: tuple(c.name for c in WORKS.columns if c.kind.endswith("[]")),
    Rel.AUTHORED: tuple(c.name for c in AUTHORED.columns if c.kind.endswith("[]")),
    Rel.FUNDED_BY: ("award_ids",),
}
