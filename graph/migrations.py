"""The graph schema as numbered migrations, applied once each and recorded in the graph.

Each migration is a list of idempotent DDL statements (`IF NOT EXISTS`), so a run killed between
a statement and its record is safe to repeat. A `(:Migration {version})` node records each
applied migration with a checksum of its statements; editing a migration after it was applied is
an error, not a silent drift: add a new migration instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import Neo4jError

from graph.errors import MigrationError
from schema.labels import Label


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]

    @property
    def checksum(self) -> str:
        return hashlib.sha256("\n".join(self.statements).encode()).hexdigest()[:16]


def _unique(label: str, prop: str) -> str:
    return (
        f"CREATE CONSTRAINT {label.lower()}_{prop}_unique IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    )


def _index(label: str, prop: str) -> str:
    return f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


def _fulltext(name: str, labels: Sequence[str], props: Sequence[str], analyzer: str) -> str:
    on_props = ", ".join(f"n.{p}" for p in props)
    return (
        f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{'|'.join(labels)}) "
        f"ON EACH [{on_props}] OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{analyzer}'}}}}"
    )


# Labels as of migration 1: written out, not derived from the Label enum, so that adding a
# label later changes no applied migration (a new label gets a new migration; a test checks
# that every Label has its constraint).
_V1_KEYED = (
    "Scientist",
    "Team",
    "Institution",
    "Work",
    "Topic",
    "Subfield",
    "Field",
    "Domain",
    "Industry",
    "ChainSegment",
    "Country",
    "City",
    "District",
    "Source",
    "Funder",
    "IngestRun",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "node keys and identifiers",
        (
            _unique("Migration", "version"),
            *(_unique(label, "id") for label in _V1_KEYED),
            _unique("Scientist", "openalex_id"),
            _unique("Institution", "ror_id"),
            _unique("Work", "openalex_id"),
        ),
    ),
    Migration(
        2,
        "lookup indexes",
        (
            # Not unique: OpenAlex has duplicate profiles sharing one ORCID, and an institution
            # may be known by its OpenAlex id before its ROR id joins it.
            _index("Scientist", "orcid"),
            _index("Institution", "openalex_id"),
            _index("Work", "publication_year"),
            _index("Work", "doi"),
            _index("Scientist", "h_index"),
            _index("Institution", "country_code"),
            _index("Institution", "type"),
            _index("IngestRun", "started_at"),
        ),
    ),
    Migration(
        3,
        "full-text indexes for names",
        (
            # The CJK analyzer indexes hanzi as bigrams and Latin text as words, so 张伟 and
            # "Zhang Wei" (its pinyin, kept among the names) are both found. `names` gathers
            # every name of a node in one field so that scores stay comparable.
            _fulltext("scientist_names", ["Scientist"], ["names"], "cjk"),
            _fulltext("institution_names", ["Institution"], ["names"], "cjk"),
            _fulltext(
                "topic_names",
                ["Topic", "Subfield", "Field", "Domain"],
                ["name", "alternative_names", "keywords"],
                "standard-no-stop-words",
            ),
        ),
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    Migration(
        4,
        "marks for the derived step and citation stubs",
        (
            _index("Work", "needs_derive"),
            _index("Scientist", "needs_derive"),
            _index("Institution", "needs_derive"),
            _index("Work", "stub"),
        ),
    ),
    Migration(
        5,
        "API keys",
        (
            # Requests find their key by the SHA-256 of the secret; `revoke` finds it by id.
            _unique("ApiKey", "id"),
            _unique("ApiKey", "hash"),
            _index("ApiKey", "name"),
        ),
    ),
    Migration(
        6,
        "full-text indexes for team and industry names",
        (
            # For autocomplete: teams are named after their lead and institution; industries
            # have an English and a Chinese name.
            _fulltext("team_names", ["Team"], ["name"], "cjk"),
            _fulltext("industry_names", ["Industry"], ["name_en", "name_zh"], "cjk"),
        ),
    ),
    Migration(
        7,
        "text documents and their mentions",
        (
            _unique("Document", "id"),
            _unique("Mention", "id"),
            _index("Document", "path"),
        ),
    ),
    Migration(
        8,
        "curators' identity decisions and merged scientists",
        (
            _unique("IdentityDecision", "id"),
            # A merged scientist keeps its identifiers so lookups by them find the survivor.
            _unique("MergedScientist", "id"),
            _index("MergedScientist", "openalex_id"),
            _index("MergedScientist", "orcid"),
        ),
    ),
    Migration(
        9,
        "talent-chain rankings",
        (
            # A page of a segment's ranking is an index seek on (segment, rank); segments are
            # marked for the derived step when their industries are loaded.
            "CREATE INDEX ranked_in_segment_rank IF NOT EXISTS "
            "FOR ()-[e:RANKED_IN]-() ON (e.segment, e.rank)",
            _index("ChainSegment", "needs_derive"),
            # A graph loaded before rankings existed gets them at its next derived step.
            "MATCH (s:ChainSegment) WHERE s.ranked_at IS NULL SET s.needs_derive = true",
        ),
    ),
    Migration(
        10,
        "the raw affiliation strings a record links to no institution",
        (
            # Loads since write `unlinked_affiliation` (also for an authorship whose other
            # strings are linked); before, the matcher read the strings of authorships that
            # had no institution id at all, which this keeps as they were.
            "MATCH ()-[a:AUTHORED]->() WHERE a.unlinked_affiliation IS NULL "
            "AND size(coalesce(a.institution_ids, [])) = 0 "
            "AND size(coalesce(a.raw_affiliation, [])) > 0 "
            "SET a.unlinked_affiliation = a.raw_affiliation",
        ),
    ),
    Migration(
        11,
        "people of names-only paper records",
        (
            # `talentmap ingest records` finds the records people of a name block to
            # disambiguate a new byline against.
            _index("Scientist", "name_block"),
        ),
    ),
    Migration(
        20,
        "technology heat",
        (
            # hotTopics filters topics by kind and orders them by score.
            _index("Topic", "heat_kind"),
            _index("Topic", "heat_score"),
            # A graph derived before heat existed gets it at its next derived step.
            "MATCH (s:ChainSegment) WHERE s.heat_years IS NULL SET s.needs_derive = true",
        ),
    ),
    Migration(
        21,
        "evaluation model",
        (
            # The derived step finds marked scientists and fields, a field's scientists, and
            # anyone scored under another model version or latest year (range seeks).
            _index("Scientist", "eval_dirty"),
            _index("Scientist", "eval_field"),
            _index("Scientist", "eval_stamp"),
            _index("Field", "eval_dirty"),
            # A graph derived before the model existed is scored at its next derived step, and
            # its segments re-ranked so that their RANKED_IN edges get segment fit.
            "MATCH (s:Scientist) WHERE s.eval_stamp IS NULL "
            "AND EXISTS { (s)-[:AUTHORED]->(:Work) } SET s.eval_dirty = true",
            "MATCH (s:ChainSegment) WHERE EXISTS { (s)<-[:RANKED_IN]-(:Scientist) } "
            "SET s.needs_derive = true",
        ),
    ),
    Migration(
        22,
        "talent-chain scientists in the evaluation model's order",
        (
            # A page of a segment's scientists is an index seek on (segment, model_rank).
            "CREATE INDEX ranked_in_segment_model_rank IF NOT EXISTS "
            "FOR ()-[e:RANKED_IN]-() ON (e.segment, e.model_rank)",
            # A graph ranked before gets model ranks at its next derived step.
            "MATCH (s:ChainSegment) WHERE EXISTS { (s)<-[:RANKED_IN]-(:Scientist) } "
            "SET s.needs_derive = true",
        ),
    ),
    Migration(
        23,
        "talent flows and rising stars",
        (
            _unique("Move", "id"),
            _index("Move", "year"),
            _index("Scientist", "flows_dirty"),
            # risingStars: the scientists with a rising-star score, best first.
            _index("Scientist", "eval_rising"),
            # A graph derived before flows existed gets them at its next derived step.
            "MATCH (s:Scientist) WHERE EXISTS { (s)-[:AFFILIATED_WITH|AUTHORED]->() } "
            "SET s.flows_dirty = true",
        ),
    ),
)

# Issue 18 (versions 30..39; other branches use other ranges).
MIGRATIONS = (
    *MIGRATIONS,
    Migration(
        30,
        "people's work: cases, their events, watchlists, events, push lists, audit",
        (
            _unique("Case", "id"),
            _unique("CaseEvent", "id"),
            _unique("Watchlist", "id"),
            _unique("Event", "id"),
            _unique("PushList", "id"),
            _unique("Audit", "id"),
            # Boards and reports filter cases by these; the audit log pages by time.
            _index("Case", "stage"),
            _index("Case", "owner"),
            _index("Case", "district"),
            _index("Audit", "at"),
        ),
    ),
    Migration(
        31,
        "webhook deliveries of watchlists",
        (
            # An attempt is claimed by creating its node (schema.webhook.attempt_id): the
            # constraint makes two API processes' claims of the same attempt one.
            _unique("WebhookDelivery", "id"),
            _index("Watchlist", "webhook_url"),
        ),
    ),
)

SCHEMA_STATEMENT = re.compile(r"\s*(CREATE|DROP)\s+(\w+\s+)?(CONSTRAINT|INDEX)\b")
APPLIED_QUERY = (
    f"MATCH (m:{Label.MIGRATION}) RETURN m.version AS version, m.checksum AS checksum "
    "ORDER BY version"
)
RECORD_QUERY = (
    f"MERGE (m:{Label.MIGRATION} {{version: $version}}) "
    "SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime($applied_at)"
)


def applied(driver: Driver, database: str) -> dict[int, str]:
    """Applied migration versions and their checksums (empty on a new database)."""
    records, _, _ = driver.execute_query(APPLIED_QUERY, database_=database)
    return {int(r["version"]): str(r["checksum"]) for r in records}


def migrate(
    driver: Driver,
    database: str,
    migrations: Sequence[Migration] = MIGRATIONS,
    on_apply: Callable[[Migration], None] | None = None,
    *,
    schema_only: bool = False,
) -> list[Migration]:
    """Apply the migrations not yet recorded, in order; return those applied now. With
    `schema_only` (a graph the current code wrote whole, as the bulk import does) only their
    constraints and indexes are made: their data statements upgrade graphs older code wrote."""
    done = applied(driver, database)
    for migration in migrations:
        if migration.version in done and done[migration.version] != migration.checksum:
            raise MigrationError(
                f"migration {migration.version} ({migration.name}) changed after it was applied "
                f"(checksum {done[migration.version]} in the graph, {migration.checksum} in code); "
                "add a new migration instead of editing an applied one"
            )
    newly: list[Migration] = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version in done:
            continue
        for statement in migration.statements:
            if schema_only and not SCHEMA_STATEMENT.match(statement):
                continue
            try:
                # Schema commands run in auto-commit transactions of their own.
                driver.execute_query(statement, database_=database)
            except Neo4jError as e:
                raise MigrationError(
                    f"migration {migration.version} ({migration.name}) failed on "
                    f"{statement!r}: {e.message}"
                ) from e
        with driver.session(database=database) as session:
            session.execute_write(_record, migration)
        newly.append(migration)
        if on_apply is not None:
            on_apply(migration)
    return newly


def _record(tx: ManagedTransaction, migration: Migration) -> None:
    tx.run(
        RECORD_QUERY,
        version=migration.version,
        name=migration.name,
        checksum=migration.checksum,
        applied_at=datetime.now(UTC).isoformat(),
    ).consume()


CONSTRAINTS_QUERY = "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN *"
# Indexes that back a constraint are listed with it; the two built-in LOOKUP indexes are not ours.
INDEXES_QUERY = (
    "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, owningConstraint "
    "WHERE owningConstraint IS NULL AND type <> 'LOOKUP' "
    "RETURN name, type, labelsOrTypes, properties"
)


@dataclass(frozen=True)
class SchemaItem:
    kind: str
    name: str
    type: str
    labels: tuple[str, ...]
    properties: tuple[str, ...]


def schema_items(driver: Driver, database: str) -> list[SchemaItem]:
    """Constraints and the indexes that back no constraint, sorted by name."""
    items: list[SchemaItem] = []
    # SHOW commands cannot be combined with UNION, hence two queries.
    for kind, query in (("constraint", CONSTRAINTS_QUERY), ("index", INDEXES_QUERY)):
        records, _, _ = driver.execute_query(query, database_=database)
        items.extend(
            SchemaItem(
                kind=kind,
                name=r["name"],
                type=r["type"],
                labels=tuple(r["labelsOrTypes"] or ()),
                properties=tuple(r["properties"] or ()),
            )
            for r in records
        )
    return sorted(items, key=lambda item: (item.kind, item.name))
