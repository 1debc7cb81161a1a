"""The analysts' SQL workbench: any read-only query on the warehouse, nothing else.

Each query runs in a private in-memory DuckDB that attaches the warehouse READ_ONLY
and then switches off file-system access and locks its configuration, so a query can
read the warehouse's tables and nothing more: no reading or writing files
(``read_csv``, ``COPY``, ``EXPORT``), no ``ATTACH`` of other files, no ``INSTALL``,
no ``SET``. A query runs at most :data:`TIMEOUT_SECONDS` and returns at most
``max_rows`` rows (it says when it cut).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from lakehouse.errors import OnhandError
from lakehouse.sql import literal
from lakehouse.warehouse import version

TIMEOUT_SECONDS = 60
MEMORY_LIMIT = "4GB"


class QueryRejected(OnhandError):
    """The query failed or is not allowed in the read-only workbench."""


@dataclass
class QueryResult:
    frame: pl.DataFrame
    truncated: bool
    seconds: float


def run(warehouse: Path, sql: str, *, max_rows: int = 10_000) -> QueryResult:
    """Run ``sql`` read-only against ``warehouse``; raise :class:`QueryRejected` with DuckDB's reason."""
    import time

    if not sql.strip():
        raise QueryRejected("the query is empty", fix="write a SELECT, e.g. SELECT * FROM marts.mart_kpi_monthly")
    version(warehouse)
    con = duckdb.connect(":memory:")
    timer = threading.Timer(TIMEOUT_SECONDS, con.interrupt)
    started = time.perf_counter()
    try:
        con.execute(f"ATTACH {literal(str(warehouse))} AS warehouse (READ_ONLY)")
        con.execute("USE warehouse")
        con.execute(f"SET memory_limit = {literal(MEMORY_LIMIT)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        timer.start()
        try:
            table = con.sql(sql)
            if table is None:
                raise QueryRejected("the statement returned no rows", where="SQL workbench",
                                    fix="the workbench answers queries; write a SELECT")
            frame = pl.from_arrow(table.limit(max_rows + 1).to_arrow_table())
        except duckdb.InterruptException:
            raise QueryRejected(f"the query ran longer than {TIMEOUT_SECONDS} s and was stopped",
                                where="SQL workbench", fix="narrow it with WHERE or LIMIT") from None
        except duckdb.Error as error:
            raise QueryRejected(str(error).splitlines()[0], where="SQL workbench",
                                fix=_hint(str(error))) from None
    finally:
        timer.cancel()
        con.close()
    truncated = frame.height > max_rows
    return QueryResult(frame.head(max_rows), truncated, time.perf_counter() - started)


def _hint(message: str) -> str:
    if "file system operations are disabled" in message or "Cannot change configuration" in message:
        return "the workbench reads the warehouse only: no files, no settings"
    if "read-only" in message or "read only" in message.lower():
        return "the warehouse is read-only here; write-back goes through Adjustments & approvals"
    return "check the table and column names in the documentation beside the editor"
