"""Reading the warehouse for the app: short read-only queries, results as Polars frames.

Each query opens the current warehouse file read-only and closes it, so a build that
swaps in a new file is picked up by the next query and never blocked by the app.
The app caches results keyed on :func:`lakehouse.warehouse.version`, which changes
with every swap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from lakehouse.warehouse import read_only


def query(path: Path, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """Run one read-only query on the warehouse at ``path``."""
    with read_only(path) as con:
        return pl.from_arrow(con.sql(sql, params=params or None).to_arrow_table())


def tables(path: Path) -> set[str]:
    """Every ``schema.table`` in the warehouse (to explain a page whose stage has not run)."""
    frame = query(path, "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables")
    return set(frame["name"])
