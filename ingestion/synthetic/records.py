"""Row buffers the simulation fills: movements, documents and ground-truth anomalies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

# Movement id prefixes per source: ids are unique per source and, thanks to the
# prefix, also across sources (landed costs reference a receipt by id alone).
ID_PREFIX = {"erp": "ERP", "wms": "WMS", "mes": "MES", "ecom": "WEB", "portal": "POR"}


@dataclass(slots=True)
class Mv:
    """One inventory movement line (quantities in micro-units, times in epoch seconds)."""

    source: str
    movement_id: str
    movement_type: str
    item_id: str
    location_id: str
    qty: int
    """Signed, in ``uom``."""
    uom: str
    unit_cost: int | None
    occurred: int
    posted: int
    document_type: str
    document_id: str
    document_line: str | None
    user_id: str
    lot_id: str | None = None
    serial_no: str | None = None
    reason_code: str | None = None
    ownership: str | None = None
    return_of: str | None = None
    qty_base: int = 0
    """Signed, in the item's base uom (for snapshots and checks; not written)."""
    approved_by: str | None = None
    export: int = 0
    """When the source exported the row (decides the monthly file); 0 = posted."""
    dropped: bool = False
    """Physically happened but never posted (count discrepancy cause): not written."""

    @property
    def export_ts(self) -> int:
        return self.export or self.posted


@dataclass(slots=True)
class Anomaly:
    """One injected anomaly, as written to ``ground_truth/anomalies.csv``."""

    kind: str
    source: str
    entity: str
    record_id: str
    related_ids: tuple[str, ...] = ()
    item_id: str = ""
    location_id: str = ""
    site_id: str = ""
    occurred: int | None = None
    qty: int | None = None
    detail: str = ""


@dataclass
class Recorder:
    """Everything one family (or one chunk of families) produced."""

    family: int
    movements: list[Mv] = field(default_factory=list)
    docs: dict[tuple[str, str], list[dict[str, object]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    anomalies: list[Anomaly] = field(default_factory=list)
    _seq: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next_id(self, prefix: str) -> str:
        """A new id like ``WMS-00012-0000341``, unique within the company."""
        self._seq[prefix] += 1
        return f"{prefix}-{self.family:05d}-{self._seq[prefix]:07d}"

    def movement_id(self, source: str) -> str:
        return self.next_id(ID_PREFIX[source])

    def doc(self, source: str, entity: str, row: dict[str, object]) -> dict[str, object]:
        self.docs[(source, entity)].append(row)
        return row

    def extend(self, other: Recorder) -> None:
        """Append another recorder's rows (used to gather a chunk)."""
        self.movements.extend(other.movements)
        for key, rows in other.docs.items():
            self.docs[key].extend(rows)
        self.anomalies.extend(other.anomalies)
