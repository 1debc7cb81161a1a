"""Malformed movement rows that ingestion must reject, placed at known file lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .records import Anomaly
from .writer import FORMAT, InboxWriter, Row

# (source, defect) pairs planted in every chunk.
PLAN = (
    ("wms", "positive_shipment"), ("wms", "positive_shipment"), ("wms", "missing_item_id"),
    ("erp", "bad_date"), ("erp", "bad_date"), ("erp", "unknown_uom"),
    ("mes", "unknown_uom"), ("mes", "unknown_uom"),
    ("ecom", "missing_item_id"), ("ecom", "bad_date"),
    ("portal", "bad_date"), ("portal", "unknown_uom"),
)


def plant_rejects(writer: InboxWriter, files: dict[str, dict[Path, list[Row]]],
                  rng: np.random.Generator) -> list[Anomaly]:
    """Insert defective copies of real rows into the movement files of each source.

    ``files`` maps source -> {path: rows in file order}; rows are modified in place.
    Returns one ``rejectable_row`` anomaly per planted row with its file and line.
    """
    planted: list[Anomaly] = []
    for n, (source, defect) in enumerate(PLAN):
        paths = sorted(files.get(source, {}))
        candidates = [p for p in paths if _template(files[source][p], defect) is not None]
        if not candidates:
            continue
        path = candidates[int(rng.integers(len(candidates)))]
        rows = files[source][path]
        template = _template(rows, defect, int(rng.integers(1 << 30)))
        assert template is not None
        bad = dict(template)
        bad["movement_id"] = f"{template['movement_id']}-X{n:02d}"
        if defect == "positive_shipment":
            bad["qty"] = abs(int(bad["qty"]))  # type: ignore[call-overload]
        elif defect == "missing_item_id":
            bad["item_id"] = None
        elif defect == "bad_date":
            bad["occurred_at"] = "2026-02-30T25:61:00Z"
        else:
            bad["uom"] = "KGS"
        pos = int(rng.integers(0, len(rows) + 1))
        rows.insert(pos, bad)
        line = pos + (2 if FORMAT[source] == "csv" else 1)
        planted.append(Anomaly(
            "rejectable_row", source, "inventory_movements", str(bad["movement_id"]),
            related_ids=(str(template["movement_id"]),), item_id=str(template["item_id"]),
            location_id=str(template["location_id"]), qty=int(bad["qty"]),  # type: ignore[call-overload]
            detail=f"file={writer.relative(path)};line={line}",
        ))
    _renumber(planted, files, writer)
    return planted


def _template(rows: list[Row], defect: str, pick: int = 0) -> Row | None:
    pool = [r for r in rows if r["movement_type"] == "shipment"] if defect == "positive_shipment" \
        else rows
    return pool[pick % len(pool)] if pool else None


def _renumber(planted: list[Anomaly], files: dict[str, dict[Path, list[Row]]],
              writer: InboxWriter) -> None:
    """Later insertions shift earlier ones: take each planted row's final line."""
    for a in planted:
        source = a.source
        for path, rows in files[source].items():
            if not a.detail.startswith(f"file={writer.relative(path)};"):
                continue
            pos = next(i for i, r in enumerate(rows) if r["movement_id"] == a.record_id)
            line = pos + (2 if FORMAT[source] == "csv" else 1)
            a.detail = f"file={writer.relative(path)};line={line}"
