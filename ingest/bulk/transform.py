"""The select stage of the bulk load, in DuckDB: from the staging files, the one row per node
the incremental path would have kept, the links of the records that won, the citation stubs,
the taxonomy's PART_OF links; written as the CSV files `neo4j-admin database import full`
reads (a header file and a data file per node label or relationship type).

The rules are those of graph/write/work.py: a work's later record replaces the earlier one
with all its links; people and institutions keep their newest view (ties: the later record);
taxonomy, sources and funders keep the first view (a work only creates them); a work cited but
not loaded is a stub `{id, openalex_id, stub: true}`. The ties of people the derived step would
compute next (affiliations, co-authors, expertise) are computed here too (ingest/bulk/ties.py),
with the marks the rest of the derived step reads. The SQL is plain (window functions and
joins), so it runs as it is on another engine with the same files (Spark SQL, see
docs/scaling.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.bulk import tables as t
from ingest.bulk import ties
from ingest.bulk.columns import Column
from schema.labels import Rel

STUB = (Column("id", "string"), Column("openalex_id", "string"), Column("stub", "boolean"))


@dataclass(frozen=True)
class ImportFile:
    """One `--nodes` or `--relationships` argument: a label or type and its files."""

    name: str
    header: Path
    data: Path

    def argument(self) -> str:
        return f"{self.name}={self.header},{self.data}"


@dataclass
class CsvFiles:
    nodes: list[ImportFile]
    relationships: list[ImportFile]
    rows: dict[str, int]


def _staged(folder: Path, name: str, staged: tuple[str, ...]) -> str:
    """A DuckDB table function over one table's staging files."""
    columns = ", ".join(f"'{c}': '{'BIGINT' if c == 'seq' else 'VARCHAR'}'" for c in staged)
    pattern = _path(folder / name / "*.csv")
    return (
        f"read_csv('{pattern}', header = false, columns = {{{columns}}}, quote = '\"', "
        "escape = '\"', allow_quoted_nulls = false, auto_detect = false, "
        "parallel = true)"
    )


def _path(path: Path) -> str:
    """A path inside a SQL string literal."""
    return path.as_posix().replace("'", "''")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> int:
    done = con.execute(
        f"COPY ({select}) TO '{_path(target)}' (FORMAT csv, HEADER false, QUOTE '\"', ESCAPE '\"')"
    ).fetchone()
    return int(done[0]) if done else 0


def _header(path: Path, fields: list[str]) -> Path:
    path.write_text(",".join(fields) + "\n", encoding="utf-8")
    return path


def _node_select(table: t.NodeTable, source: str) -> str:
    columns = ", ".join(_quoted(c.name) for c in table.columns)
    if table.rule == t.LAST_RECORD:
        order = "seq DESC"
    elif table.rule == t.NEWEST:
        order = "stamp DESC, seq DESC"
    else:
        order = "seq ASC"
    return (
        f"SELECT {columns} FROM (SELECT *, row_number() OVER (PARTITION BY id ORDER BY {order}) "
        f"AS pick FROM {source}) WHERE pick = 1"
    )


def _node_header(table_label: str, columns: tuple[Column, ...]) -> list[str]:
    return [f"id:ID({table_label})", *(c.header for c in columns[1:])]


def _rel_header(table: t.RelTable) -> list[str]:
    return [
        f":START_ID({table.start})",
        f":END_ID({table.end})",
        *(c.header for c in table.columns[2:]),
    ]


def write_import_files(
    stage: Path, out: Path, *, max_authors: int, threads: int | None = None
) -> CsvFiles:
    """Choose the rows from the staging files under `stage` and write the import files to
    `out`, with the ties of people (co-authors on works of at most `max_authors`); DuckDB
    spills to `out/.spill` when the data outgrows memory."""
    out.mkdir(parents=True, exist_ok=True)
    for table in (*t.NODE_TABLES, *t.REL_TABLES):
        (stage / table.name).mkdir(parents=True, exist_ok=True)
        (stage / table.name / "empty.csv").touch()
    con = duckdb.connect()
    try:
        con.execute(f"SET temp_directory = '{_path(out / '.spill')}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        return _write(con, stage, out, max_authors)
    finally:
        con.close()


def _write(con: duckdb.DuckDBPyConnection, stage: Path, out: Path, max_authors: int) -> CsvFiles:
    files = CsvFiles(nodes=[], relationships=[], rows={})
    works = _staged(stage, t.WORKS.name, t.WORKS.staged)
    # The record that wins for each work (the later one): its links are the work's links.
    con.execute(f"CREATE TEMP TABLE won AS SELECT id, max(seq) AS seq FROM {works} GROUP BY id")

    def node_file(name: str, label: str, header: list[str], select: str) -> None:
        data = out / f"{name}.csv"
        files.rows[name] = _copy(con, select, data)
        files.nodes.append(ImportFile(label, _header(out / f"{name}.header.csv", header), data))

    def rel_file(name: str, rel: str, header: list[str], select: str) -> None:
        data = out / f"{name}.csv"
        files.rows[name] = _copy(con, select, data)
        files.relationships.append(
            ImportFile(rel, _header(out / f"{name}.header.csv", header), data)
        )

    columns = ", ".join(f"w.{_quoted(c.name)}" for c in t.WORKS.columns)
    node_file(
        t.WORKS.name,
        t.WORKS.label,
        _node_header(t.WORKS.label, t.WORKS.columns),
        f"SELECT {columns} FROM {works} w JOIN won USING (id, seq)",
    )
    cites = _staged(stage, t.CITES.name, t.CITES.staged)
    node_file(
        "stubs",
        t.WORKS.label,
        _node_header(t.WORKS.label, STUB),
        f"SELECT DISTINCT c.cited_id, c.cited_id, 'true' FROM {cites} c "
        "JOIN won ON c.work_id = won.id AND c.seq = won.seq "
        "WHERE c.cited_id NOT IN (SELECT id FROM won)",
    )
    ties.prepare(
        con,
        works,
        _staged(stage, t.AUTHORED.name, t.AUTHORED.staged),
        _staged(stage, t.ABOUT.name, t.ABOUT.staged),
        _staged(stage, t.INSTITUTIONS.name, t.INSTITUTIONS.staged),
    )
    for table in t.NODE_TABLES[1:]:
        select = _node_select(table, _staged(stage, table.name, table.staged))
        header, marked = ties.with_marks(
            table.label, _node_header(table.label, table.columns), select
        )
        node_file(table.name, table.label, header, marked)
        if table.parent:
            parent = t.PARENT[table.label]
            rel_file(
                f"part_of_{table.name}",
                Rel.PART_OF,
                [f":START_ID({table.label})", f":END_ID({parent})"],
                f"SELECT id, {_quoted(table.parent)} FROM ({select}) "
                f"WHERE {_quoted(table.parent)} IS NOT NULL",
            )
    for rel in t.REL_TABLES:
        columns = ", ".join(f"r.{_quoted(c.name)}" for c in rel.columns)
        rel_file(
            rel.name,
            rel.type,
            _rel_header(rel),
            f"SELECT {columns} FROM {_staged(stage, rel.name, rel.staged)} r "
            "JOIN won ON r.work_id = won.id AND r.seq = won.seq",
        )
    for tie in ties.tie_files(max_authors):
        rel_file(tie.name, tie.type, tie.header, tie.select)
    return files
