"""Read one inbox file as text columns plus its line numbers.

Every reader gives the same shape: one text column per header column (names
trimmed and lower-cased), NULL for empty cells, and ``_line`` — the line a
person opens the file at (CSV: the header is line 1; JSONL: line n; Parquet:
row n). Values stay text here so that nothing is lost before validation decides
what each one is; JSON numbers keep their exact digits.

Well-formed files are read by DuckDB straight from disk (a SQL source, fastest);
files that need line-exact care (ragged or quoted CSV, blank lines, bare JSON
numbers, invalid lines) are read in Python into a frame.

Structural rows (a CSV line with the wrong number of fields, a JSONL line that
is not a JSON object) do not fail the file: they come back in ``broken`` with
their line and reason, and become rejects like any other bad row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingestion.errors import FileRejected
from lakehouse.sql import ident, literal

LINE = "_line"


@dataclass
class ReadResult:
    columns: list[str]  # text columns, then _line
    frame: pl.DataFrame | None = None  # the rows, read in Python
    sql: str | None = None  # or: a SELECT that reads them from the file
    broken: list[tuple[int, str, str]] = field(default_factory=list)  # (line, raw text, reason)

    def attach(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        """Make the rows readable as ``name`` on ``con``."""
        if self.frame is not None:
            con.register(name, self.frame)
        else:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {self.sql}")

    def detach(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        if self.frame is not None:
            con.unregister(name)
        else:
            con.execute(f"DROP VIEW {name}")


def _from_frame(frame: pl.DataFrame, broken: list[tuple[int, str, str]] | None = None) -> ReadResult:
    return ReadResult(frame.columns, frame=frame, broken=broken or [])


def _from_sql(path: Path, names: list[str], header: list[str], reader: str, line: str) -> ReadResult:
    """Rows read by DuckDB: each column as text, blank as NULL, with its line number."""
    columns = ", ".join(
        f"CASE WHEN trim(CAST({ident(n)} AS VARCHAR)) = '' THEN NULL "
        f"ELSE CAST({ident(n)} AS VARCHAR) END AS {ident(h)}"
        for n, h in zip(names, header, strict=True))
    return ReadResult(header + [LINE], sql=f"SELECT {columns}, {line} AS {LINE} FROM {reader}")


def file_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}.get(suffix)


def normalise_name(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


def read_file(path: Path, fmt: str) -> ReadResult:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileRejected(path, "the file disappeared before it could be read",
                           "drop it into the inbox again") from None
    except OSError as exc:
        raise FileRejected(path, f"the file cannot be read ({exc.strerror})",
                           "check its permissions and that the disk is mounted") from None
    if not data.strip():
        raise FileRejected(path, "the file is empty", "export it again from the source system")
    if fmt == "parquet":
        return _read_parquet(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            path,
            f"the file is not UTF-8 encoded (first bad byte 0x{data[exc.start]:02x} on line {line})",
            "export it again as UTF-8 (for example: iconv -f latin1 -t utf-8)",
        ) from None
    return _read_csv(path, data, text) if fmt == "csv" else _read_jsonl(path, data, text)


def _frame(columns: list[str], rows: list[list[str | None]], lines: list[int]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {name: [row[i] for row in rows] for i, name in enumerate(columns)},
        schema={name: pl.String for name in columns},
    )
    return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))


def _check_header(path: Path, columns: list[str]) -> None:
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise FileRejected(path, f"the header names {', '.join(twice)} more than once",
                           "give every column a unique name")
    if any(not c for c in columns):
        raise FileRejected(path, "the header has an empty column name",
                           "name every column or remove the empty one")


def _read_csv(path: Path, data: bytes, text: str) -> ReadResult:
    first = text.split("\n", 1)[0]
    header = [normalise_name(c) for c in next(csv.reader([first]))]
    _check_header(path, header)
    # The fast reader is exact when every line has the header's number of
    # separators. Ragged lines, blank lines, quoted commas or line breaks: take
    # the line-exact path, which also rejects ragged lines one by one.
    # (Equal totals suffice: a line with fewer separators than the header means another
    # with more, which the fast reader refuses.)
    body = data.rstrip(b"\r\n")
    lines = body.count(b"\n") + 1
    if b'"' in data or b"\n\n" in body or body.count(b",") != first.count(",") * lines:
        return _read_csv_slow(path, text)
    names = next(csv.reader([first.lstrip("\ufeff")]))
    reader = (f"read_csv({literal(str(path))}, header = true, all_varchar = true, delim = ',', "
              f"quote = '\"', columns = {{{', '.join(literal(n) + ': ' + literal('VARCHAR') for n in names)}}})")
    return _from_sql(path, names, header, reader, "CAST(row_number() OVER () AS BIGINT) + 1")


def _read_csv_slow(path: Path, text: str) -> ReadResult:
    """Line-exact CSV reading, for files with ragged rows or quoted line breaks."""
    reader = csv.reader(io.StringIO(text))
    header = [normalise_name(c) for c in next(reader)]
    _check_header(path, header)
    rows: list[list[str | None]] = []
    lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    line = reader.line_num
    for record in reader:
        start, line = line + 1, reader.line_num
        if not record:
            continue
        if len(record) != len(header):
            broken.append((start, ",".join(record),
                           f"the line has {len(record)} fields but the header has {len(header)}; "
                           "quote values that contain commas"))
            continue
        rows.append([v if v.strip() else None for v in record])
        lines.append(start)
    return _from_frame(_frame(header, rows, lines), broken)


# A bare JSON number (not a string) somewhere in the file: the fast reader would
# take it through a binary float, so the exact reader reads such files.
_BARE_NUMBER = re.compile(rb'":\s*-?[0-9]')
# An object or array as a value: the line-by-line reader keeps it as JSON text.
_NESTED_VALUE = re.compile(rb'":\s*[\[{]')


def _read_jsonl(path: Path, data: bytes, text: str) -> ReadResult:
    """JSONL: DuckDB's reader when it is exact (flat objects, no bare numbers, no blank lines),
    else line by line."""
    body = data.rstrip(b"\n")
    if body.startswith(b"\n") or b"\n\n" in body or b"\r" in body or _BARE_NUMBER.search(data):
        return _read_jsonl_exact(path, text)
    if _NESTED_VALUE.search(data):
        return _read_jsonl_exact(path, text)
    try:
        # every line's keys (reading them also proves each line is a JSON object)
        with duckdb.connect() as con:
            keys = {row[0] for row in con.execute(
                "SELECT DISTINCT unnest(json_keys(json)) FROM read_json_objects($f, format = 'newline_delimited')",
                {"f": str(path)}).fetchall()}
    except duckdb.Error:
        return _read_jsonl_exact(path, text)
    first_keys = list(json.loads(data[: data.find(b"\n")] if b"\n" in data else data))  # source's order
    names = first_keys + sorted(keys - set(first_keys))
    reader = f"read_json({literal(str(path))}, format = 'newline_delimited', maximum_depth = 1"
    header = [normalise_name(c) for c in names]
    _check_header(path, header)
    typed = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names)
    return _from_sql(path, names, header, f"{reader}, columns = {{{typed}}})",
                     "CAST(row_number() OVER () AS BIGINT)")


def _read_jsonl_exact(path: Path, text: str) -> ReadResult:
    """Line-exact JSONL reading; JSON numbers keep the digits they were written with."""
    rows: list[dict[str, str | None]] = []
    lines: list[int] = []
    broken: list[tuple[int, str, str]] = []
    columns: dict[str, None] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            broken.append((number, raw, f"the line is not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            broken.append((number, raw, "the line is not a JSON object; write one {...} per line"))
            continue
        row = {normalise_name(k): _json_text(v) for k, v in obj.items()}
        for name in row:
            columns.setdefault(name)
        rows.append(row)
        lines.append(number)
    names = list(columns)
    return _from_frame(_frame(names, [[r.get(n) for n in names] for r in rows], lines), broken)


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    text = str(value)
    return text if text.strip() else None


def _read_parquet(path: Path) -> ReadResult:
    """Parquet, any column types, read as text by DuckDB (exact for decimals and timestamps;
    the landing connection's time zone is UTC)."""
    try:
        with duckdb.connect() as con:
            names = [r[0] for r in con.execute(
                "SELECT name FROM parquet_schema($f) WHERE coalesce(num_children, 0) = 0",
                {"f": str(path)}).fetchall()]
    except duckdb.Error as exc:
        raise FileRejected(path, f"the file is not a readable Parquet file ({str(exc).splitlines()[0]})",
                           "export it again; check that the transfer was complete") from None
    header = [normalise_name(c) for c in names]
    _check_header(path, header)
    return _from_sql(path, names, header,
                     f"read_parquet({literal(str(path))}, file_row_number = true)", "file_row_number + 1")
