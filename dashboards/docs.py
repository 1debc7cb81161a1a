"""The warehouse's own documentation, read back from it: dbt persists every model's and
column's description as DuckDB comments, so the workbench shows exactly what the
warehouse it queries says about itself."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboards.data import query

ANALYST_SCHEMAS = ("marts", "audit", "mining", "intermediate", "staging")


def catalog(path: Path) -> pl.DataFrame:
    """One row per documented relation: schema, ``schema.name`` and its comment, marts first."""
    order = ", ".join(f"'{s}'" for s in ANALYST_SCHEMAS)
    return query(path, f"""
        SELECT schema_name AS schema, schema_name || '.' || table_name AS relation, comment
        FROM duckdb_tables() WHERE database_name = 'warehouse' AND schema_name IN ({order})
        UNION ALL
        SELECT schema_name, schema_name || '.' || view_name, comment
        FROM duckdb_views() WHERE database_name = 'warehouse' AND schema_name IN ({order}) AND NOT internal
        ORDER BY list_position([{order}], schema), relation""")


def columns(path: Path, relation: str) -> pl.DataFrame:
    schema, _, name = relation.partition(".")
    return query(path, """
        SELECT column_name AS column, data_type AS type, comment AS description
        FROM duckdb_columns() WHERE database_name = 'warehouse' AND schema_name = $schema AND table_name = $name
        ORDER BY column_index""", {"schema": schema, "name": name})
