"""The landing contract: what each source system may drop into the inbox.

One folder per source, one sub-folder per entity (``inbox/<source>/<entity>/``),
files in CSV, JSONL or Parquet. This module is the single place that says which
columns an entity has, which are required, how each is typed in the lake, and
which values an enumerated column accepts. ``ingestion.validate`` turns it into
checks; ``ingestion.synthetic`` writes files that follow it; the dbt sources
read the typed columns it produces.

Lake types:
- ``str``: text, stored as VARCHAR (trimmed; empty means missing)
- ``dec``: exact decimal, DECIMAL(18,6) — quantities, prices, money, factors
- ``int``: BIGINT
- ``bool``: BOOLEAN (true/false, 1/0, yes/no, t/f, y/n)
- ``ts``: ISO 8601 timestamp, converted to UTC and stored as TIMESTAMP (UTC,
  no zone); a value without an offset is taken as UTC
- ``date``: ISO 8601 date, DATE
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "dec", "int", "bool", "ts", "date"]

DECIMAL_PRECISION = 18
DECIMAL_SCALE = 6
CONTRACT_VERSION = 1

SOURCES: tuple[str, ...] = ("erp", "wms", "mes", "ecom", "portal", "writeback")
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")

MOVEMENT_TYPES_IN: tuple[str, ...] = (
    "receipt",
    "transfer_in",
    "production_receipt",
    "customer_return",
)
MOVEMENT_TYPES_OUT: tuple[str, ...] = (
    "issue",
    "shipment",
    "transfer_out",
    "production_issue",
    "scrap",
    "vendor_return",
)
MOVEMENT_TYPES_EITHER: tuple[str, ...] = ("adjustment", "count_adjustment")
MOVEMENT_TYPES: tuple[str, ...] = MOVEMENT_TYPES_IN + MOVEMENT_TYPES_OUT + MOVEMENT_TYPES_EITHER

OWNERSHIP: tuple[str, ...] = ("owned", "consignment", "vmi")
ITEM_TYPES: tuple[str, ...] = ("raw", "wip", "finished", "mro")
ITEM_STATUSES: tuple[str, ...] = ("active", "quarantine", "blocked", "obsolete")
VALUATION_METHODS: tuple[str, ...] = ("fifo", "avco", "standard")
LOCATION_TYPES: tuple[str, ...] = (
    "receiving",
    "storage",
    "staging",
    "quarantine",
    "production",
    "in_transit",
    "shipping",
)
BOM_ROLES: tuple[str, ...] = ("component", "co_product", "by_product")
FORECAST_SOURCES: tuple[str, ...] = ("sales", "operations", "finance")

# Unit codes every source may use without declaring them. A code outside this
# list is accepted once it appears in a landed `uom_conversions` row or as an
# item's base_uom (see ingestion.validate).
STANDARD_UOMS: frozenset[str] = frozenset(
    {
        "EA", "PC", "PR", "SET", "KIT",
        "BOX", "CS", "PK", "PAL", "BAG", "DR", "ROL", "CAN", "BTL",
        "G", "KG", "T", "LB", "OZ",
        "ML", "L", "M3", "GAL",
        "MM", "CM", "M", "KM", "M2",
        "H", "MIN",
    }
)

# Timestamps before this are absurd for an inventory log (typing errors, epoch
# zeros); so are timestamps more than FUTURE_TOLERANCE_DAYS after landing.
EARLIEST_TIMESTAMP = "2000-01-01"
FUTURE_TOLERANCE_DAYS = 2


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = True
    allowed: tuple[str, ...] | None = None  # enumeration (compared lower-case)
    default: str | None = None  # value used when an optional column is empty
    doc: str = ""


def col(
    name: str,
    type: ColumnType = "str",
    *,
    required: bool = True,
    allowed: tuple[str, ...] | None = None,
    default: str | None = None,
    doc: str = "",
) -> Column:
    return Column(name, type, required, allowed, default, doc)


def opt(name: str, type: ColumnType = "str", **kw: object) -> Column:
    return col(name, type, required=False, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Entity:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Natural key. For movements it is the idempotency key (with the source):
    a key landed before is a duplicate. For every other entity a row is a
    duplicate only if the key *and* every contract column equal a landed row;
    a changed row with a known key lands as a new version (master data and
    documents change over time)."""
    event_time: str | None = None
    """The column whose min/max go into the manifest and the watermark."""
    doc: str = ""
    key_is_identity: bool = False
    columns_by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns_by_name", {c.name: c for c in self.columns})

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "inventory_movements",
            (
                col("movement_id", doc="Unique per source system; with the source, the idempotency key."),
                col("movement_type", allowed=MOVEMENT_TYPES),
                col("item_id"),
                col("location_id"),
                col("qty", "dec", doc="Signed: + into the location, - out of it."),
                col("uom"),
                opt("unit_cost", "dec", doc="Required on receipts."),
                opt("currency"),
                col("occurred_at", "ts", doc="The physical event."),
                col("posted_at", "ts", doc="When it was entered in the source system."),
                col("document_type"),
                col("document_id"),
                opt("document_line"),
                col("user_id"),
                opt("lot_id"),
                opt("serial_no"),
                opt("reason_code"),
                opt("ownership", allowed=OWNERSHIP, default="owned"),
                opt("return_of", doc="movement_id of the movement a return reverses."),
            ),
            key=("movement_id",),
            event_time="posted_at",
            key_is_identity=True,
            doc="The core transaction log, one row per movement line.",
        ),
        Entity(
            "items",
            (
                col("item_id"),
                col("description"),
                col("base_uom"),
                col("item_type", allowed=ITEM_TYPES),
                col("status", allowed=ITEM_STATUSES),
                col("valuation_method", allowed=VALUATION_METHODS),
                col("standard_cost", "dec"),
                col("lot_tracked", "bool"),
                col("serial_tracked", "bool"),
                col("vmi", "bool"),
                opt("shelf_life_days", "int"),
                opt("primary_supplier_id"),
                col("lead_time_days", "int"),
                col("min_qty", "dec"),
                col("max_qty", "dec"),
                col("valid_from", "ts"),
                opt("category"),
                opt("consignment", "bool", default="false"),
                opt("regulated", "bool", default="false"),
                opt("moq", "dec"),
                opt("order_multiple", "dec"),
                opt("currency"),
            ),
            key=("item_id", "valid_from"),
            event_time="valid_from",
            doc="Item master, one row per item version (valid_from).",
        ),
        Entity(
            "uom_conversions",
            (
                opt("item_id", doc="Blank: the conversion holds for every item."),
                col("from_uom"),
                col("to_uom"),
                col("factor", "dec", doc="1 from_uom = factor to_uom."),
            ),
            key=("item_id", "from_uom", "to_uom"),
        ),
        Entity(
            "locations",
            (
                col("location_id"),
                col("site_id"),
                col("warehouse_id"),
                col("zone"),
                col("bin"),
                col("location_type", allowed=LOCATION_TYPES),
                col("region"),
            ),
            key=("location_id",),
        ),
        Entity(
            "suppliers",
            (
                col("supplier_id"),
                col("name"),
                opt("country"),
                opt("currency"),
                opt("payment_terms_days", "int"),
            ),
            key=("supplier_id",),
        ),
        Entity(
            "customers",
            (
                col("customer_id"),
                col("name"),
                opt("priority_tier"),
                opt("region"),
            ),
            key=("customer_id",),
        ),
        Entity(
            "users",
            (
                col("user_id"),
                col("name"),
                col("department"),
                col("active", "bool"),
                opt("left_on", "date"),
            ),
            key=("user_id",),
        ),
        Entity(
            "user_roles",
            (
                col("user_id"),
                col("role"),
                col("granted_at", "ts"),
                opt("revoked_at", "ts"),
            ),
            key=("user_id", "role", "granted_at"),
            event_time="granted_at",
        ),
        Entity(
            "boms",
            (
                col("parent_item_id"),
                col("component_item_id"),
                col("qty_per", "dec"),
                col("uom"),
                col("scrap_factor", "dec"),
                col("role", allowed=BOM_ROLES),
                col("valid_from", "ts"),
                opt("valid_to", "ts"),
            ),
            key=("parent_item_id", "component_item_id", "valid_from"),
        ),
        Entity(
            "purchase_orders",
            (
                col("po_id"),
                col("po_line"),
                col("supplier_id"),
                col("item_id"),
                col("site_id"),
                col("qty", "dec"),
                col("uom"),
                col("unit_price", "dec"),
                opt("currency"),
                col("ordered_at", "ts"),
                col("promised_at", "ts"),
                opt("status"),
                opt("user_id"),
            ),
            key=("po_id", "po_line"),
            event_time="ordered_at",
        ),
        Entity(
            "asn",
            (
                col("asn_id"),
                col("asn_line"),
                col("po_id"),
                col("po_line"),
                col("supplier_id"),
                col("item_id"),
                col("qty", "dec"),
                col("uom"),
                col("shipped_at", "ts"),
                col("expected_at", "ts"),
                opt("lot_id"),
            ),
            key=("asn_id", "asn_line"),
            event_time="shipped_at",
            doc="Advance shipment notices from suppliers.",
        ),
        Entity(
            "supplier_invoices",
            (
                col("invoice_id"),
                col("invoice_line"),
                col("supplier_id"),
                col("po_id"),
                col("po_line"),
                col("item_id"),
                col("qty", "dec"),
                col("unit_price", "dec"),
                col("amount", "dec"),
                opt("currency"),
                col("invoiced_at", "ts"),
                opt("posted_at", "ts"),
                opt("paid_at", "ts"),
            ),
            key=("invoice_id", "invoice_line"),
            event_time="invoiced_at",
        ),
        Entity(
            "landed_costs",
            (
                col("charge_id"),
                col("movement_id", doc="The receipt movement the charge belongs to."),
                col("amount", "dec"),
                opt("currency"),
                col("charge_type"),
                col("occurred_at", "ts"),
                col("posted_at", "ts"),
            ),
            key=("charge_id",),
            event_time="posted_at",
        ),
        Entity(
            "sales_orders",
            (
                col("so_id"),
                col("so_line"),
                col("customer_id"),
                col("item_id"),
                col("site_id"),
                col("qty", "dec"),
                col("uom"),
                opt("unit_price", "dec"),
                opt("currency"),
                col("ordered_at", "ts"),
                col("requested_at", "ts"),
                opt("allocated_qty", "dec"),
                opt("allocated_at", "ts"),
                opt("backordered_qty", "dec"),
                col("drop_ship", "bool"),
                opt("status"),
                opt("channel"),
            ),
            key=("so_id", "so_line"),
            event_time="ordered_at",
        ),
        Entity(
            "production_orders",
            (
                col("production_order_id"),
                col("item_id"),
                col("site_id"),
                col("planned_qty", "dec"),
                col("uom"),
                col("released_at", "ts"),
                col("due_at", "ts"),
                opt("status"),
                opt("user_id"),
            ),
            key=("production_order_id",),
            event_time="released_at",
        ),
        Entity(
            "operation_confirmations",
            (
                col("confirmation_id"),
                col("production_order_id"),
                col("stage"),
                col("good_qty", "dec"),
                col("scrap_qty", "dec"),
                opt("uom"),
                col("occurred_at", "ts"),
                col("posted_at", "ts"),
                opt("user_id"),
            ),
            key=("confirmation_id",),
            event_time="posted_at",
        ),
        Entity(
            "cycle_counts",
            (
                col("count_id"),
                col("item_id"),
                col("location_id"),
                opt("lot_id"),
                col("system_qty", "dec"),
                col("counted_qty", "dec"),
                opt("uom"),
                col("counted_at", "ts"),
                col("user_id"),
                opt("posted_at", "ts"),
            ),
            key=("count_id",),
            event_time="counted_at",
        ),
        Entity(
            "forecasts",
            (
                col("version_id"),
                col("source", allowed=FORECAST_SOURCES),
                col("created_at", "ts"),
                col("item_id"),
                col("site_id"),
                col("period", "date", doc="First day of the forecast month."),
                col("qty", "dec"),
            ),
            key=("version_id", "item_id", "site_id", "period"),
            event_time="created_at",
        ),
        Entity(
            "item_status_changes",
            (
                col("change_id"),
                col("item_id"),
                col("from_status", allowed=ITEM_STATUSES),
                col("to_status", allowed=ITEM_STATUSES),
                col("changed_at", "ts"),
                col("user_id"),
                opt("approved_by"),
                opt("reason"),
            ),
            key=("change_id",),
            event_time="changed_at",
        ),
        Entity(
            "kanban_signals",
            (
                col("signal_id"),
                col("item_id"),
                col("location_id"),
                col("qty", "dec"),
                col("signaled_at", "ts"),
                opt("fulfilled_at", "ts"),
            ),
            key=("signal_id",),
            event_time="signaled_at",
        ),
        Entity(
            "engineering_changes",
            (
                col("eco_id"),
                col("item_id"),
                col("change_type"),
                col("effective_at", "ts"),
                opt("replaced_by_item_id"),
                opt("description"),
                opt("approved_by"),
            ),
            key=("eco_id", "item_id"),
            event_time="effective_at",
        ),
        Entity(
            "stock_snapshots",
            (
                col("snapshot_at", "ts", doc="End of the day the source system reports."),
                col("item_id"),
                col("location_id"),
                opt("lot_id"),
                col("qty", "dec"),
                col("uom"),
                opt("value", "dec"),
                opt("currency"),
            ),
            key=("snapshot_at", "item_id", "location_id", "lot_id"),
            event_time="snapshot_at",
            doc="A source system's own view of its stock, for cross-system reconciliation.",
        ),
    )
}

# Entities landed before the others in a run: the UoM check of later files in
# the same run sees the codes they declare.
MASTER_FIRST: tuple[str, ...] = ("uom_conversions", "items", "locations")


def entity_order(name: str) -> tuple[int, str]:
    """Sort key that lands master data before documents and movements."""
    return (MASTER_FIRST.index(name) if name in MASTER_FIRST else len(MASTER_FIRST), name)


def expected_sign(movement_type: str) -> Literal["+", "-", "±"]:
    if movement_type in MOVEMENT_TYPES_IN:
        return "+"
    if movement_type in MOVEMENT_TYPES_OUT:
        return "-"
    return "±"


LAKE_TYPES: dict[str, str] = {
    "str": "VARCHAR",
    "dec": f"DECIMAL({DECIMAL_PRECISION},{DECIMAL_SCALE})",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "ts": "TIMESTAMP",
    "date": "DATE",
}


def lake_schema() -> dict[str, list[tuple[str, str]]]:
    """Entity -> (column, DuckDB type) of its landed rows, lineage columns aside."""
    return {
        e.name: [(c.name, LAKE_TYPES[c.type]) for c in e.columns]
        + ([] if e.key_is_identity else [("_row_hash", "VARCHAR")])
        for e in ENTITIES.values()
    }
