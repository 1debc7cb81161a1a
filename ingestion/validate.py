"""Validation: every row of a file either gets its lake types or a reason a person can act on.

The checks come from the landing contract (``ingestion.contract``) and run as
one generated DuckDB query per file, so a file of millions of rows is checked
in one vectorised pass. Column names and the contract's own enumerations are
the only things placed into the SQL text; row values only ever travel as data.

Header problems (no header, a required column missing or renamed) reject the
whole file, since no row of it could be read correctly.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contract import (
    DECIMAL_PRECISION,
    DECIMAL_SCALE,
    EARLIEST_TIMESTAMP,
    FUTURE_TOLERANCE_DAYS,
    MOVEMENT_TYPES_IN,
    MOVEMENT_TYPES_OUT,
    Column,
    Entity,
)
from ingestion.errors import FileRejected
from ingestion.readers import LINE

TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")
DECIMAL_SQL = f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})"
REASON = "_reason"
COLUMN = "_column"


@dataclass
class Checked:
    valid: pl.DataFrame  # typed contract columns, extra columns as text, _line
    rejects: pl.DataFrame  # the row's text as read, _line, _column, _reason


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run ``sql`` and return the result as a Polars frame (via Arrow, no copy of text)."""
    frame = pl.from_arrow(con.sql(sql, params=params or {}).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_header(path: Path, entity: Entity, columns: list[str]) -> None:
    """Reject the file if its header cannot be matched to the contract."""
    known = set(entity.columns_by_name)
    present = [c for c in columns if c != LINE]
    if not known.intersection(present):
        shown = ", ".join(present[:6])
        raise FileRejected(
            path,
            f"the first line does not look like a header for {entity.name} (it reads: {shown})",
            "add a header line naming the columns: " + ",".join(entity.required),
        )
    missing = [c for c in entity.required if c not in present]
    if missing:
        unknown = [c for c in present if c not in known]
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.5)
            hints.append(f"'{name}'" + (f" (is '{close[0]}' meant to be it? rename it)" if close else ""))
        raise FileRejected(
            path,
            f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(hints)}",
            f"export {entity.name} with the contract's column names (docs/landing-contract.md)",
        )


def validate(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    frame: pl.DataFrame,
    known_uoms: frozenset[str],
    landed_at: datetime,
) -> Checked:
    """Split ``frame`` into typed valid rows and rejected rows with reasons."""
    present = set(frame.columns)
    extras = [c for c in frame.columns if c != LINE and c not in entity.columns_by_name]
    con.register("src", frame)
    text_cols = [
        f"{ident(c.name)}" if c.name in present else f"CAST(NULL AS VARCHAR) AS {ident(c.name)}"
        for c in entity.columns
    ]
    checks = [chk for column in entity.columns for chk in _checks(entity, column)]
    reason = "NULLIF(concat_ws('; ', " + ", ".join(
        f"CASE WHEN {cond} THEN {msg} END" for _, cond, msg in checks
    ) + "), '')"
    first = "CASE " + " ".join(f"WHEN {cond} THEN {lit(name)}" for name, cond, _ in checks) + " END"
    sql = f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        SELECT *, {reason} AS {REASON}, {first} AS {COLUMN}
        FROM (SELECT {LINE}, {", ".join(text_cols + [ident(c) for c in extras])} FROM src)
    """
    params = {"uoms": sorted(known_uoms), "now": landed_at.replace(tzinfo=None)}
    con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    con.unregister("src")
    typed = [f"{_typed(c)} AS {ident(c.name)}" for c in entity.columns]
    valid = query_frame(
        con,
        f"SELECT {', '.join(typed + [ident(c) for c in extras])}, {LINE} "
        f"FROM checked WHERE {REASON} IS NULL ORDER BY {LINE}",
    )
    rejects = query_frame(
        con,
        f"SELECT * EXCLUDE ({REASON}, {COLUMN}), {COLUMN}, {REASON} "
        f"FROM checked WHERE {REASON} IS NOT NULL ORDER BY {LINE}",
    )
    con.execute("DROP TABLE checked")
    return Checked(valid, rejects)


def _typed(c: Column) -> str:
    v = ident(c.name)
    if c.default is not None:
        v = f"coalesce({v}, {lit(c.default)})"
    if c.type == "dec":
        return f"CAST({v} AS {DECIMAL_SQL})"
    if c.type == "int":
        return f"CAST({v} AS BIGINT)"
    if c.type == "bool":
        return f"CASE WHEN lower({v}) IN {_in(TRUE_WORDS)} THEN true WHEN {v} IS NOT NULL THEN false END"
    if c.type == "ts":
        return f"CAST(timezone('UTC', CAST({v} AS TIMESTAMPTZ)) AS TIMESTAMP)"
    if c.type == "date":
        return f"CAST({v} AS DATE)"
    if c.allowed:
        return f"lower({v})"
    if _is_uom(c) or c.name == "currency":
        return f"upper({v})"
    return v


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def _is_uom(c: Column) -> bool:
    return c.name in ("uom", "base_uom", "from_uom", "to_uom")


def _checks(entity: Entity, c: Column) -> list[tuple[str, str, str]]:
    """(column, failing condition, message) for one column; messages say the fix."""
    v, name = ident(c.name), c.name
    shown = f"{lit(name + ' ')} || '''' || {v} || ''''"
    out: list[tuple[str, str, str]] = []
    if c.required:
        out.append((name, f"{v} IS NULL", lit(f"{name} is empty; it is required, fill it in")))
    if c.type == "dec":
        number = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
        out.append((name, f"{v} IS NOT NULL AND NOT regexp_full_match({v}, {lit(number)})",
                    f"{shown} || ' is not a decimal number; write digits with a dot as the decimal "
                    "separator and no thousands separators, e.g. 1250.5'"))
        out.append((name, f"regexp_full_match({v}, {lit(number)}) AND "
                          f"(regexp_full_match({v}, {lit(r'.*[.][0-9]{' + str(DECIMAL_SCALE + 1) + ',}')}) "
                          f"OR TRY_CAST({v} AS {DECIMAL_SQL}) IS NULL)",
                    f"{shown} || ' does not fit: at most {DECIMAL_PRECISION - DECIMAL_SCALE} digits "
                    f"before and {DECIMAL_SCALE} after the decimal point'"))
    elif c.type == "int":
        out.append((name, f"{v} IS NOT NULL AND TRY_CAST({v} AS BIGINT) IS NULL",
                    f"{shown} || ' is not a whole number'"))
    elif c.type == "bool":
        words = TRUE_WORDS + FALSE_WORDS
        out.append((name, f"{v} IS NOT NULL AND lower({v}) NOT IN {_in(words)}",
                    f"{shown} || ' is not true or false'"))
    elif c.type == "ts":
        parsed = f"TRY_CAST({v} AS TIMESTAMPTZ)"
        out.append((name, f"{v} IS NOT NULL AND {parsed} IS NULL",
                    f"{shown} || ' is not an ISO 8601 timestamp; write e.g. 2026-01-31T14:05:00Z'"))
        utc = f"CAST(timezone('UTC', {parsed}) AS TIMESTAMP)"
        out.append((name, f"{utc} < TIMESTAMP {lit(EARLIEST_TIMESTAMP)} OR "
                          f"{utc} > $now + INTERVAL {FUTURE_TOLERANCE_DAYS} DAY",
                    f"{shown} || ' is not plausible (before {EARLIEST_TIMESTAMP} or more than "
                    f"{FUTURE_TOLERANCE_DAYS} days after landing); correct the date in the source system'"))
    elif c.type == "date":
        out.append((name, f"{v} IS NOT NULL AND TRY_CAST({v} AS DATE) IS NULL",
                    f"{shown} || ' is not an ISO 8601 date; write e.g. 2026-01-31'"))
    if c.allowed:
        out.append((name, f"{v} IS NOT NULL AND lower({v}) NOT IN {_in(c.allowed)}",
                    f"{shown} || ' is not one of: {', '.join(c.allowed)}'"))
    if c.name == "uom":
        out.append((name, f"{v} IS NOT NULL AND NOT list_contains($uoms, upper({v}))",
                    f"{shown} || ' is not a known unit of measure; use a standard code (e.g. KG, EA, CS) "
                    "or declare it in uom_conversions'"))
    if c.name == "currency":
        out.append((name, f"{v} IS NOT NULL AND NOT regexp_full_match({v}, '[A-Za-z]{{3}}')",
                    f"{shown} || ' is not an ISO 4217 currency code such as EUR'"))
    if entity.name == "inventory_movements":
        out.extend(_movement_rules(c))
    return out


def _movement_rules(c: Column) -> list[tuple[str, str, str]]:
    """Rules across columns of a movement, attached to the column to correct."""
    qty = f"TRY_CAST(qty AS {DECIMAL_SQL})"
    kind = "lower(movement_type)"
    if c.name == "qty":
        return [
            ("qty", f"{qty} = 0", lit("qty is 0; a movement must move a quantity")),
            ("qty", f"{kind} IN {_in(MOVEMENT_TYPES_IN)} AND {qty} < 0",
             f"'qty ' || qty || ' is negative but a ' || {kind} || ' brings stock in; "
             "send it positive (+ in, - out)'"),
            ("qty", f"{kind} IN {_in(MOVEMENT_TYPES_OUT)} AND {qty} > 0",
             f"'qty ' || qty || ' is positive but a ' || {kind} || ' takes stock out; "
             "send it negative (+ in, - out)'"),
        ]
    if c.name == "unit_cost":
        cost = f"TRY_CAST(unit_cost AS {DECIMAL_SQL})"
        return [
            ("unit_cost", f"{kind} = 'receipt' AND unit_cost IS NULL",
             lit("unit_cost is empty; a receipt must carry its unit cost")),
            ("unit_cost", f"{cost} < 0", f"'unit_cost ' || unit_cost || ' is negative'"),
        ]
    return []
