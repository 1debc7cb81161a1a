"""Write rows into ``inbox/<source>/<entity>/`` the way each source system exports them.

erp and mes drop CSV, wms Parquet, ecom and portal JSON Lines. Transactional
entities go into one file per month (of the export time), master data into one
file. At scales with several chunks every file name carries the chunk
(``_part003``). Decimals are written as exact strings (CSV/JSONL) or
DECIMAL(18,6) (Parquet); timestamps as ISO 8601 UTC with ``Z``, except the web
shop, which exports local time with its ``+01:00``/``+02:00`` offset.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ingestion.contract import DECIMAL_PRECISION, DECIMAL_SCALE, ENTITIES

from .fixed import fmt_dec, iso_date, iso_local, iso_utc, month_key
from .records import Mv

FORMAT = {"erp": "csv", "mes": "csv", "wms": "parquet", "ecom": "jsonl", "portal": "jsonl"}
EXT = {"csv": "csv", "parquet": "parquet", "jsonl": "jsonl"}
PLACES = {"amount": 2, "value": 2, "unit_cost": 4, "unit_price": 4, "standard_cost": 4,
          "factor": 6, "qty_per": 6, "scrap_factor": 4}
MOVEMENT_COLUMNS = tuple(c.name for c in ENTITIES["inventory_movements"].columns)
EXTRA_MOVEMENT_COLUMNS = {"erp": ("approved_by",)}

Row = dict[str, object]


def movement_row(mv: Mv) -> Row:
    """The exported columns of a movement."""
    row: Row = {
        "movement_id": mv.movement_id, "movement_type": mv.movement_type, "item_id": mv.item_id,
        "location_id": mv.location_id, "qty": mv.qty, "uom": mv.uom, "unit_cost": mv.unit_cost,
        "currency": "EUR" if mv.unit_cost is not None else None, "occurred_at": mv.occurred,
        "posted_at": mv.posted, "document_type": mv.document_type, "document_id": mv.document_id,
        "document_line": mv.document_line, "user_id": mv.user_id, "lot_id": mv.lot_id,
        "serial_no": mv.serial_no, "reason_code": mv.reason_code, "ownership": mv.ownership,
        "return_of": mv.return_of, "_export": mv.export_ts,
    }
    if mv.source == "erp":
        row["approved_by"] = mv.approved_by
    return row


class InboxWriter:
    """Writes files under ``inbox`` and counts what it wrote."""

    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        self.files = 0
        self.rows: dict[tuple[str, str], int] = defaultdict(int)

    def path(self, source: str, entity: str, month: str | None, part: int | None) -> Path:
        name = f"{source}_{entity}"
        if month is not None:
            name += f"_{month}"
        if part is not None:
            name += f"_part{part + 1:03d}"
        return self.inbox / source / entity / f"{name}.{EXT[FORMAT[source]]}"

    def relative(self, path: Path) -> str:
        return path.relative_to(self.inbox).as_posix()

    def split_by_month(self, source: str, entity: str, rows: list[Row],
                       part: int | None) -> dict[Path, list[Row]]:
        """Group rows into their monthly files, each in export order."""
        months: dict[str, list[Row]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: r["_export"]):  # type: ignore[arg-type, return-value]
            months[month_key(int(row["_export"]))].append(row)  # type: ignore[call-overload]
        return {self.path(source, entity, m, part): month_rows for m, month_rows in months.items()}

    def write(self, path: Path, source: str, entity: str, rows: list[Row]) -> None:
        """Write one file in the source's format."""
        columns = _columns(entity, rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        fmt = FORMAT[source]
        if fmt == "csv":
            _write_csv(path, entity, columns, rows)
        elif fmt == "jsonl":
            _write_jsonl(path, entity, columns, rows, local_time=source == "ecom")
        else:
            _write_parquet(path, entity, columns, rows)
        self.files += 1
        self.rows[(source, entity)] += len(rows)


def _columns(entity: str, rows: list[Row]) -> list[str]:
    names = [c.name for c in ENTITIES[entity].columns]
    known = set(names)
    for row in rows:
        for key in row:
            if key not in known and not key.startswith("_"):
                names.append(key)
                known.add(key)
    return names


def _ctype(entity: str, column: str) -> str:
    col = ENTITIES[entity].columns_by_name.get(column)
    return col.type if col is not None else "str"


def _text_column(values: list[object], ctype: str, column: str, local_time: bool) -> list[str | None]:
    """Values as the text a CSV or JSON export carries (None = missing).

    A value that already is text (a planted defect, a fixed timestamp) is kept as it is.
    """
    if ctype == "dec":
        places = PLACES.get(column, 3)
        return [v if v is None or isinstance(v, str) else fmt_dec(v, places)  # type: ignore[arg-type]
                for v in values]
    if ctype in ("ts", "date"):
        fmt = iso_date if ctype == "date" else (iso_local if local_time else iso_utc)
        return [v if v is None or isinstance(v, str) else fmt(v) for v in values]  # type: ignore[arg-type]
    if ctype == "bool":
        return [None if v is None else ("true" if v else "false") for v in values]
    return [None if v is None else str(v) for v in values]


def _frame(entity: str, columns: list[str], rows: list[Row], local_time: bool,
           typed_json: bool) -> pl.DataFrame:
    """A frame of text columns (JSON keeps booleans and integers typed)."""
    data: dict[str, pl.Series] = {}
    for c in columns:
        ct = _ctype(entity, c)
        values = [row.get(c) for row in rows]
        if typed_json and ct == "bool":
            data[c] = pl.Series(c, values, dtype=pl.Boolean)
        elif typed_json and ct == "int":
            data[c] = pl.Series(c, values, dtype=pl.Int64)
        else:
            data[c] = pl.Series(c, _text_column(values, ct, c, local_time), dtype=pl.String)
    return pl.DataFrame(data)


def _write_csv(path: Path, entity: str, columns: list[str], rows: list[Row]) -> None:
    _frame(entity, columns, rows, False, False).write_csv(path, line_terminator="\n")


def _write_jsonl(path: Path, entity: str, columns: list[str], rows: list[Row],
                 local_time: bool) -> None:
    _frame(entity, columns, rows, local_time, True).write_ndjson(path)


def _write_parquet(path: Path, entity: str, columns: list[str], rows: list[Row]) -> None:
    arrays = []
    fields = []
    for c in columns:
        ct = _ctype(entity, c)
        values = [row.get(c) for row in rows]
        if ct == "dec":
            arr = pa.array(_text_column(values, ct, c, False), pa.string()).cast(
                pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE))
        elif ct == "ts":
            arr = pa.array([None if v is None else int(v) * 1_000_000 for v in values],  # type: ignore[call-overload]
                           pa.int64()).cast(pa.timestamp("us", tz="UTC"))
        elif ct == "date":
            arr = pa.array([None if v is None else int(v) // 86_400 for v in values],  # type: ignore[call-overload]
                           pa.int32()).cast(pa.date32())
        elif ct == "bool":
            arr = pa.array(values, pa.bool_())
        elif ct == "int":
            arr = pa.array(values, pa.int64())
        else:
            arr = pa.array(values, pa.string())
        arrays.append(arr)
        fields.append(pa.field(c, arr.type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    pq.write_table(table, path, compression="zstd")
