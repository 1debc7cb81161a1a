"""A hand-made company with one planted case per audit rule, as source systems drop it.

Every case is on items of its own so that the cases cannot explain each other; the
expected findings are spelled out next to each case. Times are UTC, March 2026.
"""

from __future__ import annotations

from lakehouse.workspace import Workspace
from tests.inbox import drop

DC, DC2, PLANT = "DC-CENTRAL", "DC-REGIONAL", "PLANT"
COUNT_DAY = "2026-03-10"


def item(item_id: str, **overrides: str) -> dict[str, str]:
    row = {"item_id": item_id, "description": f"item {item_id}", "base_uom": "EA",
           "item_type": "finished", "status": "active", "valuation_method": "fifo",
           "standard_cost": "2.00", "lot_tracked": "false", "serial_tracked": "false", "vmi": "false",
           "lead_time_days": "5", "min_qty": "0", "max_qty": "100",
           "valid_from": "2025-01-01T00:00:00Z", "category": "parts", "regulated": "false"}
    row.update(overrides)
    return row


def loc(location_id: str, site: str) -> dict[str, str]:
    return {"location_id": location_id, "site_id": site, "warehouse_id": site, "zone": "A",
            "bin": location_id, "location_type": "storage", "region": "EU"}


class Movements:
    """Movement rows of one source system."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.rows: list[dict[str, str]] = []

    def add(self, item_id: str, mtype: str, qty: str, at: str, *, location: str, doc: str,
            posted: str | None = None, user: str = "w1", cost: str = "", lot: str = "",
            reason: str = "", approved_by: str | None = None, movement_id: str | None = None) -> str:
        movement_id = movement_id or f"{self.prefix}-{len(self.rows) + 1:03d}"
        row = {"movement_id": movement_id, "movement_type": mtype, "item_id": item_id,
               "location_id": location, "qty": qty, "uom": "EA",
               "unit_cost": cost or ("2.00" if mtype == "receipt" else ""), "occurred_at": at,
               "posted_at": posted or at, "document_type": "DOC", "document_id": doc,
               "document_line": "1", "user_id": user, "lot_id": lot, "reason_code": reason}
        if approved_by is not None:
            row["approved_by"] = approved_by
        self.rows.append(row)
        return movement_id


def count(count_id: str, item_id: str, system: str, counted: str, at: str, *,
          location: str = "DC1-A", lot: str = "", user: str = "w2") -> dict[str, str]:
    return {"count_id": count_id, "item_id": item_id, "location_id": location, "lot_id": lot,
            "system_qty": system, "counted_qty": counted, "uom": "EA",
            "counted_at": f"{COUNT_DAY}T{at}Z", "user_id": user, "posted_at": f"{COUNT_DAY}T{at}Z"}


def snapshot(day: str, item_id: str, qty: str, location: str = "DC2-A") -> dict[str, str]:
    return {"snapshot_at": f"{day}T23:59:59Z", "item_id": item_id, "location_id": location,
            "qty": qty, "uom": "EA"}


def write_company(ws: Workspace) -> None:
    """Drop the whole company into ``ws.inbox``."""
    items = [item(i) for i in ("LM", "LS", "WB", "LP", "DP", "SP", "UR", "UT", "US", "UB", "UE", "SH", "GA", "RC",
                               "BL", "OLD", "NEW", "ADJ", "CO", "CV", "UE2")]
    items[0]["lot_tracked"] = items[1]["lot_tracked"] = "true"
    items += [
        item("REG", regulated="true"),
        item("BL", status="blocked", valid_from="2026-03-05T08:00:00Z"),
        item("BL", status="active", valid_from="2026-03-20T08:00:00Z"),
        item("MD1", min_qty="10", max_qty="5"),
        item("MD2", lot_tracked="true", serial_tracked="true"),
        item("DUPA", description="Widget, Blue"),
        item("DUPB", description="widget blue"),
    ]
    drop(ws, items, entity="items")
    drop(ws, [loc("DC1-A", DC), loc("DC1-B", DC), loc("DC2-A", DC2), loc("PL-A", PLANT)],
         entity="locations")
    drop(ws, [{"item_id": "", "from_uom": "BOX", "to_uom": "EA", "factor": "10"},
              # UE2 overrides the global box; CV's case and its inverse disagree (12 x 0.5 <> 1)
              {"item_id": "UE2", "from_uom": "BOX", "to_uom": "EA", "factor": "12"},
              {"item_id": "CV", "from_uom": "CS", "to_uom": "EA", "factor": "12"},
              {"item_id": "CV", "from_uom": "EA", "to_uom": "CS", "factor": "0.5"}],
         entity="uom_conversions")
    drop(ws, [{"user_id": u, "name": u, "department": d, "active": a, "left_on": left}
              for u, d, a, left in (("w1", "warehouse", "true", ""), ("w2", "warehouse", "true", ""),
                                    ("s1", "stores", "true", ""), ("s2", "stores", "true", ""),
                                    ("f1", "finance", "true", ""), ("q1", "quality", "true", ""),
                                    ("g1", "stores", "false", "2026-02-01"),
                                    ("idle", "planning", "true", ""))], entity="users")
    drop(ws, [{"user_id": u, "role": r, "granted_at": "2025-01-01T00:00:00Z", "revoked_at": rev}
              for u, r, rev in (("s1", "inventory_adjust", ""), ("f1", "inventory_approve", ""),
                                ("g1", "inventory_clerk", ""),  # still granted after leaving
                                ("s2", "inventory_adjust", ""), ("s2", "inventory_approve", ""),
                                ("idle", "planner", ""))], entity="user_roles")

    wms = Movements("WMS")
    # late posting: received before the 04:00 count, posted after it
    wms.add("LP", "receipt", "5", "2026-03-10T03:00:00Z", posted="2026-03-10T06:00:00Z",
            location="DC1-A", doc="PO-LP")
    # duplicate posting: the same receipt entered again 5 minutes later under a new id (by w1,
    # who also counts the bin: counted_own_discrepancy)
    wms.add("DP", "receipt", "7", "2026-03-08T10:00:00Z", posted="2026-03-08T10:00:10Z",
            location="DC1-A", doc="PO-DP")
    wms.add("DP", "receipt", "7", "2026-03-08T10:00:00Z", posted="2026-03-08T10:05:00Z",
            location="DC1-A", doc="PO-DP", movement_id="WMS-DP-RESENT")
    # two identical lines entered 5 seconds apart in one go: a split, not a resend
    wms.add("SP", "receipt", "3", "2026-03-08T11:00:00Z", posted="2026-03-08T11:00:02Z",
            location="DC1-A", doc="PO-SP")
    wms.add("SP", "receipt", "3", "2026-03-08T11:00:00Z", posted="2026-03-08T11:00:07Z",
            location="DC1-A", doc="PO-SP")
    # an order line topped up in steps: 5 allocated and shipped on 03-01, one more allocated on
    # 03-09 and never shipped, the last 2 allocated and shipped after the count
    wms.add("UB", "shipment", "-5", "2026-03-01T10:00:00Z", location="DC1-A", doc="SO-UB")
    wms.add("UB", "shipment", "-2", "2026-03-12T10:00:00Z", location="DC1-A", doc="SO-UB")
    wms.add("SH", "count_adjustment", "-1", f"{COUNT_DAY}T04:30:00Z", location="DC1-A",
            doc="CC-SH", user="w2", reason="CYCLE_COUNT", movement_id="WMS-SH-ADJ")
    # reconciliation: 10 in the regional DC from March 1st
    wms.add("RC", "receipt", "10", "2026-03-01T06:00:00Z", location="DC2-A", doc="PO-RC")
    drop(ws, wms.rows, source="wms", entity="inventory_movements")

    erp = Movements("ERP")
    # change control: BL is blocked from 03-05 08:00 to 03-20 08:00
    erp.add("BL", "receipt", "10", "2026-03-01T09:00:00Z", location="PL-A", doc="PO-BL", user="s1")
    erp.add("BL", "issue", "-1", "2026-03-06T09:00:00Z", location="PL-A", doc="WO-BL1", user="s1",
            movement_id="ERP-BL-BLOCKED")
    erp.add("BL", "issue", "-1", "2026-03-21T09:00:00Z", location="PL-A", doc="WO-BL2", user="s1")
    # engineering change: OLD replaced by NEW on 03-01; 20 of OLD from before stay past the grace
    erp.add("OLD", "receipt", "20", "2026-02-20T09:00:00Z", location="PL-A", doc="PO-OLD1", user="s1")
    erp.add("OLD", "receipt", "3", "2026-03-05T09:00:00Z", location="PL-A", doc="PO-OLD2", user="s1")
    # segregation of duties
    erp.add("ADJ", "receipt", "50", "2026-03-01T09:00:00Z", location="PL-A", doc="PO-ADJ", user="s1")
    erp.add("ADJ", "adjustment", "-1", "2026-03-02T09:00:00Z", location="PL-A", doc="ADJ-1",
            user="s1", reason="LOSS", approved_by="s1", movement_id="ERP-SELF")
    erp.add("ADJ", "adjustment", "-1", "2026-03-02T10:00:00Z", location="PL-A", doc="ADJ-2",
            user="s1", reason="LOSS", approved_by="f1")
    erp.add("ADJ", "issue", "-1", "2026-03-03T09:00:00Z", location="PL-A", doc="WO-G1", user="g1",
            movement_id="ERP-GONE")
    erp.add("ADJ", "issue", "-1", "2026-03-04T09:00:00Z", location="PL-A", doc="WO-S2", user="s2")
    erp.add("REG", "adjustment", "2", "2026-03-02T11:00:00Z", location="PL-A", doc="ADJ-3",
            user="s1", movement_id="ERP-UNJUSTIFIED")
    # unposted receipt of a transfer: 4 of UT left the plant for DC-CENTRAL, never received there
    erp.add("UT", "receipt", "4", "2026-03-01T09:00:00Z", location="PL-A", doc="PO-UT", user="s1")
    erp.add("UT", "transfer_out", "-4", "2026-03-04T09:00:00Z", location="PL-A", doc="TO-UT", user="s1")
    # cut-off: occurred on March 31st, posted on April 1st: 4 x 2.50 = 10.00 missed by March
    erp.add("CO", "receipt", "4", "2026-03-31T23:00:00Z", posted="2026-04-01T01:00:00Z",
            location="PL-A", doc="PO-CO", user="s1", cost="2.50", movement_id="ERP-CUTOFF")
    drop(ws, erp.rows, source="erp", entity="inventory_movements")

    drop(ws, [{"change_id": "ISC-BL-1", "item_id": "BL", "from_status": "active",
               "to_status": "blocked", "changed_at": "2026-03-05T08:00:00Z", "user_id": "q1",
               "approved_by": "q1", "reason": "recall"},
              {"change_id": "ISC-BL-2", "item_id": "BL", "from_status": "blocked",
               "to_status": "active", "changed_at": "2026-03-20T08:00:00Z", "user_id": "q1",
               "approved_by": "", "reason": "released"}], entity="item_status_changes")
    drop(ws, [{"eco_id": "ECO-1", "item_id": "OLD", "change_type": "replace",
               "effective_at": "2026-03-01T00:00:00Z", "replaced_by_item_id": "NEW",
               "description": "OLD superseded by NEW", "approved_by": "q1"}],
         entity="engineering_changes")
    # unposted receipt: a notice for 6 of UR that were never received
    drop(ws, [{"po_id": "PO-UR", "po_line": "1", "supplier_id": "S1", "item_id": "UR", "site_id": DC,
               "qty": "6", "uom": "EA", "unit_price": "2.00", "ordered_at": "2026-03-01T09:00:00Z",
               "promised_at": "2026-03-08T09:00:00Z", "user_id": "s1"}], entity="purchase_orders")
    drop(ws, [{"asn_id": "ASN-UR", "asn_line": "1", "po_id": "PO-UR", "po_line": "1",
               "supplier_id": "S1", "item_id": "UR", "qty": "6", "uom": "EA",
               "shipped_at": "2026-03-07T09:00:00Z", "expected_at": "2026-03-08T09:00:00Z"}],
         source="portal", entity="asn", fmt="jsonl")
    # unposted shipment: 2 of US allocated to an order and never shipped
    topped_up = {"so_id": "SO-UB", "so_line": "1", "customer_id": "C1", "item_id": "UB",
                 "site_id": DC, "qty": "8", "uom": "EA", "ordered_at": "2026-03-01T09:00:00Z",
                 "requested_at": "2026-03-03T09:00:00Z", "drop_ship": "false"}
    drop(ws, [{"so_id": "SO-US", "so_line": "1", "customer_id": "C1", "item_id": "US", "site_id": DC,
               "qty": "2", "uom": "EA", "ordered_at": "2026-03-09T09:00:00Z",
               "requested_at": "2026-03-11T09:00:00Z", "allocated_qty": "2",
               "allocated_at": "2026-03-09T09:01:00Z", "drop_ship": "false"},
              {**topped_up, "allocated_qty": "5", "allocated_at": "2026-03-01T10:00:00Z"},
              {**topped_up, "allocated_qty": "6", "allocated_at": "2026-03-09T10:00:00Z"},
              {**topped_up, "allocated_qty": "8", "allocated_at": "2026-03-12T10:00:00Z"}],
         source="ecom", entity="sales_orders", fmt="jsonl")
    drop(ws, [
        count("CC-LM1", "LM", "5", "8", "04:00:00", lot="L1"),   # lot mix-up: +3 on L1 ...
        count("CC-LM2", "LM", "5", "2", "04:01:00", lot="L2"),   # ... -3 on L2
        count("CC-LS1", "LS", "5", "7", "04:10:00", lot="L9"),   # two stock records of one lot
        count("CC-LS2", "LS", "9", "7", "04:11:00", lot="L9"),
        count("CC-WB1", "WB", "10", "6", "04:00:00"),            # wrong bin: -4 here ...
        count("CC-WB2", "WB", "0", "4", "04:02:00", location="DC1-B"),  # ... +4 next door
        count("CC-LP", "LP", "0", "5", "04:00:00"),
        count("CC-DP", "DP", "14", "7", "04:00:00", user="w1"),
        count("CC-UR", "UR", "0", "6", "04:00:00"),
        count("CC-UT", "UT", "0", "4", "04:00:00"),
        count("CC-US", "US", "10", "8", "04:00:00"),
        count("CC-UB", "UB", "3", "2", "04:00:00"),
        count("CC-UE", "UE", "50", "5", "04:00:00"),             # counted in boxes
        count("CC-SH", "SH", "10", "9", "04:00:00"),
        count("CC-GA", "GA", "3", "4", "04:00:00"),
        count("CC-OK", "SH", "9", "9", "05:00:00"),              # no discrepancy
    ], source="wms", entity="cycle_counts", fmt="parquet")
    # the WMS's own stock report of the regional DC: over by 2 on 03-03 and 03-04, agrees on
    # 03-02 and 03-05, under by 1 from 03-06 (still open on its last report day)
    drop(ws, [snapshot("2026-03-02", "RC", "10"), snapshot("2026-03-03", "RC", "12"),
              snapshot("2026-03-04", "RC", "12"), snapshot("2026-03-05", "RC", "10"),
              snapshot("2026-03-06", "RC", "9")], source="wms", entity="stock_snapshots",
         fmt="parquet")
