"""Write-back test helpers: a small hand-made warehouse and the accounts of the fixtures.

The warehouse holds exactly the tables and columns the write-back reads, with items
chosen to hit each approval rule (see ITEMS); the round trip through the real
pipeline uses the sample company instead (test_roundtrip.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from lakehouse.workspace import Workspace

PASSWORD = "correct horse battery"
SETTINGS = '[writeback]\npassword_profile = "cheapest"\n'


@dataclass(frozen=True)
class Item:
    item_id: str
    unit_cost: str | None  # None: no stock valued, the standard cost applies
    standard_cost: str = "1.00"
    regulated: bool = False
    lot_tracked: bool = False
    status: str = "active"


# With the default thresholds (1000 / 10000 / high-value unit cost 500).
ITEMS = {
    "CHEAP": Item("CHEAP", "2.50"),
    "MID": Item("MID", "300.00"),
    "BIG": Item("BIG", "400.00"),
    "PRICEY": Item("PRICEY", "800.00"),
    "REG": Item("REG", "1.00", regulated=True),
    "LOTTED": Item("LOTTED", "5.00", lot_tracked=True),
    "NOSTOCK": Item("NOSTOCK", None, standard_cost="7.25"),
    "HELD": Item("HELD", "3.00", status="quarantine"),
}
LOCATION, SITE = "S1-A-01", "S1"
STOCK_QTY = Decimal("40")


def make_warehouse(ws: Workspace) -> None:
    con = duckdb.connect(str(ws.warehouse))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA staging")
    con.execute("CREATE TABLE marts.dim_item (item_id VARCHAR, description VARCHAR, base_uom VARCHAR, "
                "status VARCHAR, regulated BOOLEAN, lot_tracked BOOLEAN, standard_cost DECIMAL(18,6), "
                "currency VARCHAR, current_since TIMESTAMP)")
    con.execute("CREATE TABLE marts.dim_location (location_id VARCHAR, site_id VARCHAR)")
    con.execute("CREATE TABLE marts.mart_inventory_valuation (item_id VARCHAR, site_id VARCHAR, "
                "unit_cost DECIMAL(18,6), qty_on_hand DECIMAL(18,6), value_on_hand DECIMAL(18,2))")
    con.execute("CREATE TABLE marts.fct_inventory_ledger (item_id VARCHAR, location_id VARCHAR, "
                "lot_id VARCHAR, qty DECIMAL(18,6), user_id VARCHAR, posted_at TIMESTAMP)")
    con.execute("CREATE TABLE staging.stg_lake__item_status_changes (item_id VARCHAR, "
                "to_status VARCHAR, changed_at TIMESTAMP, landed_at TIMESTAMP)")
    con.execute("CREATE TABLE staging.stg_lake__cycle_counts (count_id VARCHAR, item_id VARCHAR, "
                "location_id VARCHAR, counted_at TIMESTAMP, landed_at TIMESTAMP)")
    con.execute("INSERT INTO marts.dim_location VALUES (?, ?), ('S2-B-01', 'S2')", [LOCATION, SITE])
    for it in ITEMS.values():
        con.execute("INSERT INTO marts.dim_item VALUES (?, ?, 'EA', ?, ?, ?, ?, 'EUR', "
                    "TIMESTAMP '2026-01-01')",
                    [it.item_id, f"{it.item_id} item", it.status, it.regulated, it.lot_tracked,
                     it.standard_cost])
        if it.unit_cost is None:
            continue
        lot = "LOT-1" if it.lot_tracked else None
        con.execute("INSERT INTO marts.mart_inventory_valuation VALUES (?, ?, ?, ?, ?)",
                    [it.item_id, SITE, it.unit_cost, STOCK_QTY, Decimal(it.unit_cost) * STOCK_QTY])
        con.execute("INSERT INTO marts.fct_inventory_ledger VALUES (?, ?, ?, ?, 'erp-user', "
                    "TIMESTAMP '2026-02-01 08:00:00')", [it.item_id, LOCATION, lot, STOCK_QTY])
    con.execute("INSERT INTO staging.stg_lake__cycle_counts VALUES "
                "('CC-1', 'CHEAP', ?, TIMESTAMP '2026-03-02 07:30:00', TIMESTAMP '2026-03-03'), "
                "('CC-2', 'MID', ?, TIMESTAMP '2026-03-02 07:40:00', TIMESTAMP '2026-03-03')",
                [LOCATION, LOCATION])
    con.close()


ACCOUNTS = {
    "admin": "admin", "clerk": "clerk", "clerk2": "clerk", "approver": "approver",
    "approver2": "approver", "controller": "controller", "controller2": "controller",
    "auditor": "auditor",
}


def approve_in_process(home: str, user_id: str, request_id: str, barrier) -> str:
    """Log in, wait for the others, approve; the outcome as text (run in a separate process)."""
    from dashboards.writeback import Writeback
    from dashboards.writeback.errors import WritebackError
    from lakehouse.workspace import Workspace

    wb = Writeback(Workspace.resolve(home))
    session = wb.login(user_id, PASSWORD)
    barrier.wait()
    try:
        return wb.approve(session, request_id).state
    except WritebackError as refused:
        return f"refused: {type(refused).__name__}"


def request_in_process(home: str, user_id: str, n: int, barrier) -> list[str]:
    """Log in, wait for the others, make ``n`` requests; their ids."""
    from dashboards.writeback import AdjustmentDraft, Writeback
    from lakehouse.workspace import Workspace

    wb = Writeback(Workspace.resolve(home))
    session = wb.login(user_id, PASSWORD)
    draft = AdjustmentDraft("CHEAP", LOCATION, "-1", "LOSS", evidence_kind="audit_finding",
                            evidence_id="AF-1")
    barrier.wait()
    return [wb.request_adjustment(session, draft).request_id for _ in range(n)]
