"""Whole-database operations: counts by label and type, and wiping (tests, `db wipe`)."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver

from graph.migrations import schema_items
from schema.labels import Label, Rel

WIPE_DATA_QUERY = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
CLEAR_DATA_QUERY = (
    f"MATCH (n) WHERE NOT n:{Label.MIGRATION} "
    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
)


def count_label_query(label: Label) -> str:
    # Served from the count store: constant time whatever the graph's size.
    return f"MATCH (n:{label}) RETURN count(n) AS count"


def count_rel_query(rel: Rel) -> str:
    return f"MATCH ()-[r:{rel}]->() RETURN count(r) AS count"


@dataclass(frozen=True)
class GraphStats:
    nodes: dict[str, int]
    relationships: dict[str, int]

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_relationships(self) -> int:
        return sum(self.relationships.values())


def stats(driver: Driver, database: str) -> GraphStats:
    """Node counts by label and relationship counts by type, for every known label and type."""
    nodes = {
        str(label): _single_count(driver, database, count_label_query(label)) for label in Label
    }
    rels = {str(rel): _single_count(driver, database, count_rel_query(rel)) for rel in Rel}
    return GraphStats(nodes=nodes, relationships=rels)


def _single_count(driver: Driver, database: str, query: str) -> int:
    records, _, _ = driver.execute_query(query, database_=database)
    return int(records[0]["count"])


def clear(driver: Driver, database: str) -> None:
    """Delete every node and relationship but the records of applied migrations: the data
    goes, the schema stays migrated (milliseconds, where dropping and re-creating the schema
    takes seconds)."""
    with driver.session(database=database) as session:
        session.run(CLEAR_DATA_QUERY).consume()


def wipe(driver: Driver, database: str, *, schema: bool = True) -> None:
    """Delete every node and relationship and, with `schema`, every constraint and index."""
    with driver.session(database=database) as session:
        session.run(WIPE_DATA_QUERY).consume()
    if not schema:
        return
    for item in schema_items(driver, database):
        # Names come from the database itself; backticks quote them as identifiers.
        name = item.name.replace("`", "``")
        driver.execute_query(f"DROP {item.kind.upper()} `{name}` IF EXISTS", database_=database)
