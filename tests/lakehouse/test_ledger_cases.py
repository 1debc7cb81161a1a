"""Hand-computed cases through the whole build (ingest -> dbt -> marts), one item per case.

The valuation engine runs as a dbt Python model, which dbt's own unit tests
cannot exercise; these cases are its hand-computed checks end to end (see
docs/valuation.md). Each item below is one case; the figures in the comments
are worked by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import duckdb
import pytest

from ingestion.contract import lake_schema
from ingestion.land import land_inbox
from lakehouse.build import build_warehouse
from lakehouse.workspace import Workspace
from tests.inbox import drop

D = Decimal


def item(item_id: str, method: str, std: str = "1.00", base_uom: str = "EA") -> dict[str, str]:
    return {"item_id": item_id, "description": f"case {item_id}", "base_uom": base_uom, "item_type": "raw",
            "status": "active", "valuation_method": method, "standard_cost": std, "lot_tracked": "false",
            "serial_tracked": "false", "vmi": "false", "lead_time_days": "5", "min_qty": "0",
            "max_qty": "100", "valid_from": "2025-01-01T00:00:00Z"}


def loc(location_id: str, site: str) -> dict[str, str]:
    return {"location_id": location_id, "site_id": site, "warehouse_id": site, "zone": "A", "bin": location_id,
            "location_type": "storage", "region": "EU"}


class Moves:
    """Movements in time order, one minute apart."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def add(self, item_id: str, mtype: str, qty: str, cost: str = "", location: str = "S1-A",
            uom: str = "EA", doc: str = "", **extra: str) -> str:
        n = len(self.rows)
        at = f"2026-03-01T{8 + n // 60:02d}:{n % 60:02d}:00Z"
        movement_id = f"M{n:03d}"
        self.rows.append({
            "movement_id": movement_id, "movement_type": mtype, "item_id": item_id, "location_id": location,
            "qty": qty, "uom": uom, "unit_cost": cost, "occurred_at": at, "posted_at": at,
            "document_type": "X", "document_id": doc or f"DOC{n:03d}", "user_id": "u1", **extra,
        })
        return movement_id


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    ws = Workspace.resolve(tmp_path_factory.mktemp("cases")).ensure()
    drop(ws, [loc("S1-A", "S1"), loc("S1-B", "S1"), loc("S2-A", "S2"), loc("S2-B", "S2")], entity="locations")
    drop(ws, [{"item_id": "U1", "from_uom": "CS", "to_uom": "KG", "factor": "25"}], entity="uom_conversions")
    m = Moves()
    # F1 FIFO with a late landed cost: 10 @ 1.00, 10 @ 1.30; issue 15 = 10.00 + 6.50 = 16.50;
    # then 2.00 freight on the second receipt: 5 of its 10 units are gone -> 1.00 to COGS, 1.00 stays;
    # issue 5 empties the layer: 6.50 + 1.00 = 7.50.
    m.add("F1", "receipt", "10", "1.00")
    r2 = m.add("F1", "receipt", "10", "1.30")
    m.add("F1", "issue", "-15")
    freight_at = m.rows[-1]["occurred_at"].replace(":00Z", ":30Z")  # after the first issue
    m.add("F1", "issue", "-5")
    # F2 rounding: 3 units worth 1.00; three issues of one: 0.33, 0.33 and the remainder 0.34.
    m.add("F2", "receipt", "3", "0.333333")
    for _ in range(3):
        m.add("F2", "issue", "-1")
    # A1 moving average: 10 @ 1.00, 10 @ 2.00 -> avg 1.50; issue 5 = 7.50; 5 @ 3.00 -> 37.50 / 20;
    # issue 20 empties the stock: 37.50.
    m.add("A1", "receipt", "10", "1.00")
    m.add("A1", "receipt", "10", "2.00")
    m.add("A1", "issue", "-5")
    m.add("A1", "receipt", "5", "3.00")
    m.add("A1", "issue", "-20")
    # S1 standard 2.00: receipt 10 @ 2.50 -> stock 20.00, price variance 5.00; issue 4 = 8.00.
    m.add("S1", "receipt", "10", "2.50")
    m.add("S1", "issue", "-4")
    # S2 standard 2.00 -> 3.00: receipt 10 (20.00), issue 4 (8.00): 6 on hand worth 12.00; the new
    # standard cost revalues them to 18.00 (+6.00); issue 6 at 3.00 empties the stock: 18.00.
    m.add("S2", "receipt", "10", "2.50")
    m.add("S2", "issue", "-4")
    cost_change_at = m.rows[-1]["occurred_at"].replace(":00Z", ":30Z")
    m.add("S2", "issue", "-6")
    # N1 negative stock: 5 @ 1.00; issue 8 = 5.00 + 3 at the last cost 1.00 = 8.00;
    # 10 @ 2.00 covers the 3: they cost 6.00, were booked 3.00 -> revaluation -3.00; 7 left worth 14.00.
    m.add("N1", "receipt", "5", "1.00")
    m.add("N1", "issue", "-8")
    m.add("N1", "receipt", "10", "2.00")
    # T1 transfer between sites carries its cost; a move between bins of one site carries none.
    m.add("T1", "receipt", "4", "5.00")
    m.add("T1", "transfer_out", "-4", doc="TR1")
    m.add("T1", "transfer_in", "4", location="S2-A", doc="TR1")
    m.add("T1", "transfer_out", "-1", location="S2-A", doc="TR2")
    m.add("T1", "transfer_in", "1", location="S2-B", doc="TR2")
    # C1 customer return at the cost of the shipment it reverses (1.00), not the newest (2.00).
    m.add("C1", "receipt", "10", "1.00")
    shipment = m.add("C1", "shipment", "-4")
    m.add("C1", "receipt", "10", "2.00")
    m.add("C1", "customer_return", "2", return_of=shipment)
    # U1 received in cases of 25 KG: 2 CS @ 50.00 = 50 KG worth 100.00; issue 10 KG = 20.00.
    m.add("U1", "receipt", "2", "50.00", uom="CS")
    m.add("U1", "issue", "-10", uom="KG")
    # V1 vendor-managed stock: quantity, no value. X1 is not in the item master: an exception.
    m.add("V1", "receipt", "10", "1.00", ownership="vmi")
    # K1 consignment beside owned stock: 4 owned @ 2.00 (8.00) and 6 on consignment; issue 1 owned = 2.00.
    m.add("K1", "receipt", "4", "2.00")
    m.add("K1", "receipt", "6", "2.00", ownership="consignment")
    m.add("K1", "issue", "-1")
    m.add("X1", "receipt", "1", "1.00")
    drop(ws, m.rows, name="moves")
    drop(ws, [item("F1", "fifo"), item("F2", "fifo"), item("A1", "avco"), item("S1", "standard", "2.00"),
              item("S2", "standard", "2.00"), {**item("S2", "standard", "3.00"), "valid_from": cost_change_at},
              item("N1", "fifo"), item("T1", "fifo"), item("C1", "fifo"), item("U1", "fifo", base_uom="KG"),
              {**item("V1", "fifo"), "vmi": "true"}, {**item("K1", "fifo"), "consignment": "true"}], entity="items")
    drop(ws, [{"charge_id": "LC1", "movement_id": r2, "amount": "2.00", "charge_type": "freight",
               "occurred_at": freight_at, "posted_at": freight_at}],
         entity="landed_costs")
    assert not land_inbox(ws).failed
    report = build_warehouse(ws, lake_schema())
    with duckdb.connect(str(report.path), read_only=True) as con:
        yield con


def values(con: duckdb.DuckDBPyConnection, item_id: str) -> list[Decimal]:
    return [r[0] for r in con.execute(
        "SELECT value FROM marts.fct_inventory_ledger WHERE item_id = ? ORDER BY occurred_at", [item_id]
    ).fetchall()]


def on_hand(con: duckdb.DuckDBPyConnection, item_id: str) -> list[tuple]:
    return con.execute("SELECT site_id, qty_on_hand, value_on_hand, vmi_qty FROM marts.mart_inventory_valuation "
                       "WHERE item_id = ? ORDER BY site_id", [item_id]).fetchall()


def test_fifo_with_a_landed_cost_after_partial_consumption(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "F1") == [D("10.00"), D("13.00"), D("-16.50"), D("-7.50")]
    adjustment = warehouse.execute(
        "SELECT amount, cogs_change, inventory_value_change FROM marts.fct_valuation_adjustments "
        "WHERE item_id = 'F1' AND adjustment_type = 'landed_cost'").fetchall()
    assert adjustment == [(D("2.00"), D("1.00"), D("1.00"))]
    assert on_hand(warehouse, "F1") == [("S1", D("0"), D("0.00"), D("0"))]


def test_fifo_rounding_gives_the_remainder_to_the_emptying_issue(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "F2") == [D("1.00"), D("-0.33"), D("-0.33"), D("-0.34")]


def test_moving_average(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "A1") == [D("10.00"), D("20.00"), D("-7.50"), D("15.00"), D("-37.50")]


def test_standard_cost_with_purchase_price_variance(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "S1") == [D("20.00"), D("-8.00")]
    ppv = warehouse.execute("SELECT price_variance FROM marts.fct_valuation_adjustments "
                            "WHERE item_id = 'S1'").fetchall()
    assert ppv == [(D("5.00"),)]
    assert on_hand(warehouse, "S1") == [("S1", D("6"), D("12.00"), D("0"))]


def test_a_standard_cost_change_revalues_the_stock_on_hand(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute("SELECT value, running_value FROM marts.fct_inventory_ledger WHERE item_id = 'S2' "
                             "ORDER BY occurred_at").fetchall()
    assert rows == [(D("20.00"), D("20.00")), (D("-8.00"), D("12.00")), (D("-18.00"), D("0.00"))]
    adjustments = warehouse.execute(
        "SELECT adjustment_type, amount, inventory_value_change FROM marts.fct_valuation_adjustments "
        "WHERE item_id = 'S2' ORDER BY occurred_at").fetchall()
    assert adjustments == [("purchase_price_variance", D("5.00"), D("0.00")),
                           ("standard_cost_revaluation", D("6.00"), D("6.00"))]
    bridge = warehouse.execute(
        "SELECT opening_value, receipts_value, outflows_value, revaluations, closing_value "
        "FROM marts.mart_valuation_bridge_monthly WHERE item_id = 'S2' AND month = DATE '2026-03-01'").fetchall()
    assert bridge == [(D("0.00"), D("20.00"), D("26.00"), D("6.00"), D("0.00"))]
    assert on_hand(warehouse, "S2") == [("S1", D("0"), D("0.00"), D("0"))]


def test_negative_stock_is_booked_at_last_cost_then_revalued(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        "SELECT value, revaluation_value, qty_beyond_stock, running_value FROM marts.fct_inventory_ledger "
        "WHERE item_id = 'N1' ORDER BY occurred_at").fetchall()
    assert rows == [(D("5.00"), D("0.00"), D("0"), D("5.00")),
                    (D("-8.00"), D("0.00"), D("3"), D("-3.00")),
                    (D("20.00"), D("-3.00"), D("0"), D("14.00"))]
    assert on_hand(warehouse, "N1") == [("S1", D("7"), D("14.00"), D("0"))]
    codes = warehouse.execute("SELECT exception_code FROM marts.fct_ledger_exceptions "
                              "WHERE item_id = 'N1'").fetchall()
    assert codes == [("negative_stock",)]


def test_transfers_carry_their_cost_between_sites_not_within(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "T1") == [D("20.00"), D("-20.00"), D("20.00"), D("0.00"), D("0.00")]
    assert on_hand(warehouse, "T1") == [("S1", D("0"), D("0.00"), D("0")), ("S2", D("4"), D("20.00"), D("0"))]
    split = warehouse.execute(
        "SELECT location_id, qty, value FROM marts.fct_inventory_daily WHERE item_id = 'T1' AND site_id = 'S2' "
        "AND day = (SELECT max(day) FROM marts.fct_inventory_daily) ORDER BY location_id").fetchall()
    assert split == [("S2-A", D("3"), D("15.00")), ("S2-B", D("1"), D("5.00"))]


def test_customer_return_comes_back_at_the_cost_it_left_with(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "C1") == [D("10.00"), D("-4.00"), D("20.00"), D("2.00")]


def test_units_are_converted_to_the_base_unit(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute("SELECT qty, uom, source_qty, source_uom, value, unit_cost FROM "
                             "marts.fct_inventory_ledger WHERE item_id = 'U1' ORDER BY occurred_at").fetchall()
    assert rows == [(D("50"), "KG", D("2"), "CS", D("100.00"), D("2")),
                    (D("-10"), "KG", D("-10"), "KG", D("-20.00"), D("2"))]


def test_vmi_stock_has_quantity_but_no_value(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert on_hand(warehouse, "V1") == [("S1", D("0"), D("0.00"), D("10"))]


def test_consignment_stock_has_quantity_and_ownership_but_no_owned_value(
        warehouse: duckdb.DuckDBPyConnection) -> None:
    row = warehouse.execute("SELECT qty_on_hand, value_on_hand, consignment_qty FROM marts.mart_inventory_valuation "
                            "WHERE item_id = 'K1'").fetchall()
    assert row == [(D("3"), D("6.00"), D("6"))]
    ledger = warehouse.execute("SELECT ownership, qty, value, is_valued FROM marts.fct_inventory_ledger "
                               "WHERE item_id = 'K1' ORDER BY occurred_at").fetchall()
    assert ledger == [("owned", D("4"), D("8.00"), True), ("consignment", D("6"), D("0.00"), False),
                      ("owned", D("-1"), D("-2.00"), True)]


def test_an_unknown_item_is_an_exception_not_a_ledger_line(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert values(warehouse, "X1") == []
    rows = warehouse.execute("SELECT exception_code, in_ledger, description FROM marts.fct_ledger_exceptions "
                             "WHERE item_id = 'X1'").fetchall()
    assert rows == [("unknown_item", False, "item X1 is not in the item master; add it, then rebuild")]


def test_documentation_travels_with_the_warehouse(warehouse: duckdb.DuckDBPyConnection) -> None:
    comment = warehouse.execute("SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' AND "
                                "table_name = 'fct_inventory_ledger' AND column_name = 'running_value'").fetchall()
    assert "Owned value of the item x site after this movement" in comment[0][0]
