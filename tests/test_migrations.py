"""The schema against the real Neo4j: idempotent, complete, versioned."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph import migrations
from graph.errors import MigrationError
from graph.migrations import MIGRATIONS, Migration, schema_items
from schema.labels import UNIQUE_PROPERTIES, Label
from schema.settings import Settings
from tests.conftest import fulltext


def test_migrate_twice_leaves_schema_identical(graph: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    before = schema_items(graph, db)
    assert migrations.migrate(graph, db) == []
    assert schema_items(graph, db) == before
    assert sorted(migrations.applied(graph, db)) == [m.version for m in MIGRATIONS]


def test_every_label_has_a_unique_key(graph: Driver, settings: Settings) -> None:
    unique = {
        (item.labels, item.properties)
        for item in schema_items(graph, settings.neo4j_database)
        if item.kind == "constraint" and item.type == "UNIQUENESS"
    }
    for label in Label:
        key = "version" if label is Label.MIGRATION else "id"
        assert ((str(label),), (key,)) in unique, f"{label} has no unique {key}"
    for label, props in UNIQUE_PROPERTIES.items():
        for prop in props:
            assert ((str(label),), (prop,)) in unique


def test_fulltext_indexes_cover_names(graph: Driver, settings: Settings) -> None:
    fulltext = {
        item.name: (set(item.labels), set(item.properties))
        for item in schema_items(graph, settings.neo4j_database)
        if item.type == "FULLTEXT"
    }
    assert fulltext["scientist_names"] == ({"Scientist"}, {"names"})
    assert fulltext["institution_names"] == ({"Institution"}, {"names"})
    assert {"Topic"} <= fulltext["topic_names"][0]
    assert "name" in fulltext["topic_names"][1]


def test_fulltext_finds_hanzi_and_pinyin(graph: Driver, settings: Settings) -> None:
    graph.execute_query(
        "CREATE (:Scientist {id: 'A999000001', name: '张伟', names: ['张伟', 'Zhang Wei']})",
        database_=settings.neo4j_database,
    )
    try:
        for text in ("张伟", "zhang wei", "Wei Zhang"):
            hits = fulltext(graph, settings, "scientist_names", text)
            assert [h["id"] for h in hits] == ["A999000001"], text
    finally:
        graph.execute_query(
            "MATCH (s:Scientist {id: 'A999000001'}) DELETE s", database_=settings.neo4j_database
        )


def test_new_migration_applies_once(graph: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    extra = Migration(
        999, "test index", ("CREATE INDEX test_work_title IF NOT EXISTS FOR (n:Work) ON (n.title)",)
    )
    try:
        assert migrations.migrate(graph, db, (*MIGRATIONS, extra)) == [extra]
        assert migrations.migrate(graph, db, (*MIGRATIONS, extra)) == []
        names = {item.name for item in schema_items(graph, db)}
        assert "test_work_title" in names
    finally:
        graph.execute_query("DROP INDEX test_work_title IF EXISTS", database_=db)
        graph.execute_query("MATCH (m:Migration {version: 999}) DELETE m", database_=db)


def test_edited_migration_is_refused(graph: Driver, settings: Settings) -> None:
    first = MIGRATIONS[0]
    edited = Migration(first.version, first.name, (*first.statements, "RETURN 1"))
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrations.migrate(graph, settings.neo4j_database, (edited, *MIGRATIONS[1:]))


def test_authorships_loaded_before_unlinked_strings_get_them(
    graph: Driver, settings: Settings
) -> None:
    """Migration 10 on edges as loads before it wrote them: the strings of an authorship with
    no institution id become its unlinked strings; one with an id keeps none."""
    db = settings.neo4j_database
    [migration] = [m for m in MIGRATIONS if m.version == 10]
    graph.execute_query(
        "CREATE (w:Work {id: 'W999000010'}) "
        "CREATE (:Scientist {id: 'A999000010'})-[:AUTHORED {raw_affiliation: ['Univ X'], "
        "institution_ids: []}]->(w) "
        "CREATE (:Scientist {id: 'A999000011'})-[:AUTHORED {raw_affiliation: ['Univ Y'], "
        "institution_ids: ['I1']}]->(w)",
        database_=db,
    )
    try:
        for statement in migration.statements:
            graph.execute_query(statement, database_=db)
        records, _, _ = graph.execute_query(
            "MATCH (s)-[a:AUTHORED]->(:Work {id: 'W999000010'}) "
            "RETURN s.id AS s, a.unlinked_affiliation AS unlinked ORDER BY s",
            database_=db,
        )
        assert [(r["s"], r["unlinked"]) for r in records] == [
            ("A999000010", ["Univ X"]),
            ("A999000011", None),
        ]
    finally:
        graph.execute_query(
            "MATCH (n) WHERE n.id IN ['W999000010', 'A999000010', 'A999000011'] DETACH DELETE n",
            database_=db,
        )
