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
from lakehouse.sql import ident, literal

TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")
DECIMAL_SQL = f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})"
WIDE_DECIMAL_SQL = "DECIMAL(38,12)"  # parses anything a lake decimal could be, and a bit more
REASON = "_reason"
COLUMN = "_column"
TYPED = "__typed__"
PARSED = "__parsed__"


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run ``sql`` and return the result as a Polars frame (via Arrow, no copy of text)."""
    frame = pl.from_arrow(con.sql(sql, params=params or {}).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


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


def typed_name(column: str) -> str:
    """The name of a column's typed twin in :func:`checked_select`'s result."""
    return f"{TYPED}{column}"


def parsed_name(column: str) -> str:
    """The name of a column's parsed value (wide type) inside :func:`checked_select`."""
    return f"{PARSED}{column}"


def checked_select(entity: Entity, columns: list[str], known_uoms: frozenset[str],
                   landed_at: datetime) -> tuple[str, dict[str, object]]:
    """SQL (and its parameters) over the registered text frame ``src``: every row with its text,
    its typed values (``__typed__<column>``, NULL on a rejected row), ``_reason`` (NULL when the
    row is valid) and ``_column`` (the first column to correct).

    Each text value is parsed once (``__parsed__<column>``, a wide type); the checks compare
    parsed values, and the typed value is the parsed one narrowed to the lake type."""
    present = set(columns)
    extras = [c for c in columns if c != LINE and c not in entity.columns_by_name]
    text_cols = [
        ident(c.name) if c.name in present else f"CAST(NULL AS VARCHAR) AS {ident(c.name)}"
        for c in entity.columns
    ]
    parsed = ", ".join(f"{_parse(c)} AS {ident(parsed_name(c.name))}" for c in entity.columns
                       if c.type != "str")
    checks = [chk for column in entity.columns for chk in _checks(entity, column)]
    # Each check is evaluated once, into a flag; messages are only built for failing rows.
    flags = ", ".join(f"coalesce({cond}, false) AS __bad{i}" for i, (_, cond, _) in enumerate(checks))
    any_bad = " OR ".join(f"__bad{i}" for i in range(len(checks)))
    reason = (f"CASE WHEN {any_bad} THEN concat_ws('; ', "
              + ", ".join(f"CASE WHEN __bad{i} THEN {msg} END" for i, (_, _, msg) in enumerate(checks))
              + ") END")
    first = "CASE " + " ".join(f"WHEN __bad{i} THEN {literal(name)}" for i, (name, _, _) in enumerate(checks)) + " END"
    bad_cols = ", ".join(f"__bad{i}" for i in range(len(checks)))
    typed = ", ".join(
        f"CASE WHEN {REASON} IS NULL THEN {_typed(c)} END AS {ident(typed_name(c.name))}"
        for c in entity.columns
    )
    parsed_cols = [ident(parsed_name(c.name)) for c in entity.columns if c.type != "str"]
    exclude = f" EXCLUDE ({', '.join(parsed_cols)})" if parsed_cols else ""
    sql = f"""
        SELECT *{exclude}, {typed}
        FROM (
            SELECT * EXCLUDE ({bad_cols}), {reason} AS {REASON}, {first} AS {COLUMN}
            FROM (
                SELECT *, {flags}
                FROM (
                    SELECT *{", " + parsed if parsed else ""}
                    FROM (SELECT {LINE}, {", ".join(text_cols + [ident(c) for c in extras])} FROM src)
                )
            )
        )
    """
    params = {"uoms": sorted(known_uoms), "now": landed_at.replace(tzinfo=None)}
    return sql, {k: v for k, v in params.items() if f"${k}" in sql}


def _text(c: Column) -> str:
    v = ident(c.name)
    return f"coalesce({v}, {literal(c.default)})" if c.default is not None else v


def _parse(c: Column) -> str:
    """SQL parsing a column's text once, into a type wide enough to judge it."""
    v = _text(c)
    if c.type == "dec":
        return f"TRY_CAST({v} AS {WIDE_DECIMAL_SQL})"
    if c.type == "int":
        return f"TRY_CAST({v} AS BIGINT)"
    if c.type == "bool":
        return (f"CASE WHEN lower({v}) IN {_in(TRUE_WORDS)} THEN true "
                f"WHEN lower({v}) IN {_in(FALSE_WORDS)} THEN false END")
    if c.type == "ts":
        return f"CAST(timezone('UTC', TRY_CAST({v} AS TIMESTAMPTZ)) AS TIMESTAMP)"
    return f"TRY_CAST({v} AS DATE)"


def _typed(c: Column) -> str:
    """The lake value of a valid row's column."""
    if c.type == "dec":
        return f"CAST({ident(parsed_name(c.name))} AS {DECIMAL_SQL})"
    if c.type != "str":
        return ident(parsed_name(c.name))
    v = _text(c)
    if c.allowed:
        return f"lower({v})"
    if _is_uom(c) or c.name == "currency":
        return f"upper({v})"
    return v


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def _is_uom(c: Column) -> bool:
    return c.name in ("uom", "base_uom", "from_uom", "to_uom")


def _checks(entity: Entity, c: Column) -> list[tuple[str, str, str]]:
    """(column, failing condition, message) for one column; messages say the fix."""
    v, p, name = ident(c.name), ident(parsed_name(c.name)), c.name
    shown = f"{literal(name + ' ')} || '''' || {v} || ''''"
    out: list[tuple[str, str, str]] = []
    if c.required:
        out.append((name, f"{v} IS NULL", literal(f"{name} is empty; it is required, fill it in")))
    if c.type == "dec":
        out.append((name, f"{v} IS NOT NULL AND ({p} IS NULL OR contains({v}, '_'))",
                    f"{shown} || ' is not a decimal number; write digits with a dot as the decimal "
                    "separator and no thousands separators, e.g. 1250.5'"))
        narrow = f"TRY_CAST({p} AS {DECIMAL_SQL})"
        out.append((name, f"{p} IS NOT NULL AND ({narrow} IS NULL OR {narrow} <> {p})",
                    f"{shown} || ' does not fit: at most {DECIMAL_PRECISION - DECIMAL_SCALE} digits "
                    f"before and {DECIMAL_SCALE} after the decimal point'"))
    elif c.type == "int":
        out.append((name, f"{v} IS NOT NULL AND {p} IS NULL", f"{shown} || ' is not a whole number'"))
    elif c.type == "bool":
        out.append((name, f"{v} IS NOT NULL AND {p} IS NULL", f"{shown} || ' is not true or false'"))
    elif c.type == "ts":
        out.append((name, f"{v} IS NOT NULL AND {p} IS NULL",
                    f"{shown} || ' is not an ISO 8601 timestamp; write e.g. 2026-01-31T14:05:00Z'"))
        out.append((name, f"{p} < TIMESTAMP {literal(EARLIEST_TIMESTAMP)} OR "
                          f"{p} > $now + INTERVAL {FUTURE_TOLERANCE_DAYS} DAY",
                    f"{shown} || ' is not plausible (before {EARLIEST_TIMESTAMP} or more than "
                    f"{FUTURE_TOLERANCE_DAYS} days after landing); correct the date in the source system'"))
    elif c.type == "date":
        out.append((name, f"{v} IS NOT NULL AND {p} IS NULL",
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
    qty = ident(parsed_name("qty"))
    kind = "lower(movement_type)"
    if c.name == "qty":
        return [
            ("qty", f"{qty} = 0", literal("qty is 0; a movement must move a quantity")),
            ("qty", f"{kind} IN {_in(MOVEMENT_TYPES_IN)} AND {qty} < 0",
             f"'qty ' || qty || ' is negative but a ' || {kind} || ' brings stock in; "
             "send it positive (+ in, - out)'"),
            ("qty", f"{kind} IN {_in(MOVEMENT_TYPES_OUT)} AND {qty} > 0",
             f"'qty ' || qty || ' is positive but a ' || {kind} || ' takes stock out; "
             "send it negative (+ in, - out)'"),
        ]
    if c.name == "unit_cost":
        cost = ident(parsed_name("unit_cost"))
        return [
            ("unit_cost", f"{kind} = 'receipt' AND unit_cost IS NULL",
             literal("unit_cost is empty; a receipt must carry its unit cost")),
            ("unit_cost", f"{cost} < 0", "'unit_cost ' || unit_cost || ' is negative'"),
        ]
    return []
