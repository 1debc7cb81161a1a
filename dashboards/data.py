"""Reading the warehouse for the app: short read-only queries, results as Polars frames.

The app keeps one read-only attachment of the warehouse per process and per warehouse
version, and runs each query on its own cursor (connections are not shared between the
threads Streamlit runs sessions in). When a build swaps in a new file, the next query
sees a new version and attaches the new file; the old attachment is dropped and closes
when its last query ends, so a query in flight finishes on the file it started on.

The attachment lives in a private in-memory DuckDB: DuckDB shares one database
instance per file path within a process, so a connection opened on the path itself
could hand a later caller the old file after a swap.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from lakehouse.sql import literal
from lakehouse.warehouse import version

_attached: dict[Path, tuple[str, duckdb.DuckDBPyConnection]] = {}
_lock = threading.Lock()


def _connection(path: Path) -> duckdb.DuckDBPyConnection:
    key = version(path).key
    with _lock:
        held = _attached.get(path)
        if held is not None and held[0] == key:
            return held[1]
        con = duckdb.connect(":memory:")
        con.execute(f"ATTACH {literal(str(path))} AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        _attached[path] = (key, con)
        return con


def query(path: Path, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Run one read-only query on the warehouse at ``path``."""
    cursor = _connection(path).cursor()
    try:
        cursor.execute("USE warehouse")
        return pl.from_arrow(cursor.sql(sql, params=params or None).to_arrow_table())
    finally:
        cursor.close()


def tables(path: Path) -> set[str]:
    """Every ``schema.table`` in the warehouse (to explain a page whose stage has not run)."""
    frame = query(path, "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables "
                        "WHERE table_catalog = 'warehouse'")
    return set(frame["name"])
