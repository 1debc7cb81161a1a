"""Inbox writers for tests: rows in CSV, JSONL or Parquet, as source systems drop them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl

from lakehouse.workspace import Workspace

MOVEMENT_HEADER = [
    "movement_id", "movement_type", "item_id", "location_id", "qty", "uom", "unit_cost",
    "occurred_at", "posted_at", "document_type", "document_id", "user_id",
]


def movement(n: int, **overrides: str) -> dict[str, str]:
    """A valid receipt row; override any column to make it something else."""
    row = {
        "movement_id": f"M{n:05d}", "movement_type": "receipt", "item_id": "ITEM-1",
        "location_id": "DC1-A-01", "qty": f"{n}.5", "uom": "EA", "unit_cost": "2.125",
        "occurred_at": "2026-03-01T10:00:00+01:00", "posted_at": "2026-03-01T09:00:05Z",
        "document_type": "PO", "document_id": f"PO-{n}", "user_id": "u1",
    }
    row.update(overrides)
    return row


def write_rows(path: Path, rows: list[dict[str, str]], fmt: str) -> Path:
    """Write rows as a source system would: CSV with a header, JSONL, or Parquet of text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(k for r in rows for k in r)) or MOVEMENT_HEADER
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([r.get(c, "") for c in columns] for r in rows)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pl.DataFrame([{c: r.get(c) for c in columns} for r in rows],
                     schema={c: pl.String for c in columns}).write_parquet(path)
    return path


def drop(ws: Workspace, rows: list[dict[str, str]], fmt: str = "csv", *, source: str = "erp",
         entity: str = "inventory_movements", name: str = "drop") -> Path:
    return write_rows(ws.inbox / source / entity / f"{name}.{fmt}", rows, fmt)
