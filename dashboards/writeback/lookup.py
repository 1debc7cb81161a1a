"""What a request needs to know from the warehouse: the item, the location, the current
unit cost and stock, the item's status, the cycle count named as evidence.

Read-only, through :func:`lakehouse.warehouse.read_only`; each call opens and closes
its own connection so a build's swap is never held up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from dashboards.writeback.errors import InvalidRequest
from lakehouse.warehouse import read_only, version
from lakehouse.workspace import Workspace


@dataclass(frozen=True)
class ItemFacts:
    item_id: str
    description: str
    base_uom: str
    status: str
    regulated: bool
    lot_tracked: bool
    standard_cost: Decimal
    currency: str | None


@dataclass(frozen=True)
class StockFacts:
    """Stock of the item's valuation area (item x site) and at one location."""

    site_id: str
    unit_cost: Decimal
    unit_cost_source: str  # "valuation" or "standard cost"
    site_qty: Decimal
    site_value: Decimal
    location_qty: Decimal


class Warehouse:
    """One read-only look at the warehouse for one request."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.version = version(ws.warehouse).key

    @contextlib.contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = read_only(self.ws.warehouse)
        try:
            yield con
        finally:
            con.close()

    def item(self, con: duckdb.DuckDBPyConnection, item_id: str) -> ItemFacts:
        row = con.execute(
            "SELECT item_id, description, base_uom, status, coalesce(regulated, false), lot_tracked, "
            "standard_cost, currency, current_since FROM marts.dim_item WHERE item_id = ?", [item_id]
        ).fetchone()
        if row is None:
            raise InvalidRequest(f"item {item_id} is not in the item master", where="marts.dim_item",
                                 fix="pick an item of the warehouse (after the latest build)")
        status = self._current_status(con, item_id, row[3], row[8])
        return ItemFacts(row[0], row[1], row[2], status, bool(row[4]), bool(row[5]), row[6], row[7])

    @staticmethod
    def _current_status(con: duckdb.DuckDBPyConnection, item_id: str, master_status: str,
                        since: datetime) -> str:
        """The item master's status, unless a status change landed after that version."""
        row = con.execute(
            "SELECT to_status FROM staging.stg_lake__item_status_changes "
            "WHERE item_id = ? AND changed_at >= ? ORDER BY changed_at DESC, landed_at DESC LIMIT 1",
            [item_id, since]).fetchone()
        return row[0] if row else master_status

    def site_of(self, con: duckdb.DuckDBPyConnection, location_id: str) -> str:
        row = con.execute("SELECT site_id FROM marts.dim_location WHERE location_id = ?",
                          [location_id]).fetchone()
        if row is None:
            raise InvalidRequest(f"location {location_id} is not in the location master",
                                 where="marts.dim_location", fix="pick a location of the warehouse")
        return row[0]

    def stock(self, con: duckdb.DuckDBPyConnection, item: ItemFacts, location_id: str,
              lot_id: str | None) -> StockFacts:
        site_id = self.site_of(con, location_id)
        row = con.execute(
            "SELECT unit_cost, qty_on_hand, value_on_hand FROM marts.mart_inventory_valuation "
            "WHERE item_id = ? AND site_id = ?", [item.item_id, site_id]).fetchone()
        unit_cost, site_qty, site_value = row if row else (None, Decimal(0), Decimal(0))
        source = "valuation"
        if unit_cost is None:  # no stock in the area: the valuation's fallback
            unit_cost, source = item.standard_cost, "standard cost"
        (location_qty,) = con.execute(
            "SELECT coalesce(sum(qty), 0) FROM marts.fct_inventory_ledger "
            "WHERE item_id = ? AND location_id = ? AND lot_id IS NOT DISTINCT FROM ?",
            [item.item_id, location_id, lot_id]).fetchone()
        return StockFacts(site_id, Decimal(unit_cost), source, Decimal(site_qty), Decimal(site_value),
                          Decimal(location_qty))

    def item_stock_value(self, con: duckdb.DuckDBPyConnection, item_id: str) -> tuple[Decimal, Decimal]:
        """Owned quantity and value of the item over all sites."""
        qty, value = con.execute(
            "SELECT coalesce(sum(qty_on_hand), 0), coalesce(sum(value_on_hand), 0) "
            "FROM marts.mart_inventory_valuation WHERE item_id = ?", [item_id]).fetchone()
        return Decimal(qty), Decimal(value)

    def check_cycle_count(self, con: duckdb.DuckDBPyConnection, count_id: str, item_id: str,
                          location_id: str) -> datetime:
        """The count's time, if it counted this item at this location; else refuse."""
        row = con.execute("SELECT item_id, location_id, counted_at FROM staging.stg_lake__cycle_counts "
                          "WHERE count_id = ? ORDER BY landed_at DESC LIMIT 1", [count_id]).fetchone()
        if row is None:
            raise InvalidRequest(f"cycle count {count_id} is not in the warehouse",
                                 where="staging.stg_lake__cycle_counts",
                                 fix="name a landed cycle count, or an audit finding instead")
        if (row[0], row[1]) != (item_id, location_id):
            raise InvalidRequest(f"cycle count {count_id} counted {row[0]} at {row[1]}, "
                                 f"not {item_id} at {location_id}", fix="name the count of this bin")
        return row[2]

    def check_finding(self, con: duckdb.DuckDBPyConnection, finding_id: str, item_id: str) -> None:
        """Refuse an audit finding the warehouse does not have, or one about another item.

        Only where the warehouse has the auditors' findings (``audit.audit_findings``);
        before that stage has run, the id is taken as written.
        """
        (present,) = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit' "
                                 "AND table_name = 'audit_findings'").fetchone()
        if not present:
            return
        row = con.execute("SELECT item_id FROM audit.audit_findings WHERE finding_id = ?",
                          [finding_id]).fetchone()
        if row is None:
            raise InvalidRequest(f"audit finding {finding_id} is not in the warehouse",
                                 where="audit.audit_findings",
                                 fix="name a finding of the latest build (finding_id), or a cycle count")
        if row[0] is not None and row[0] != item_id:
            raise InvalidRequest(f"audit finding {finding_id} is about {row[0]}, not {item_id}",
                                 fix="name the finding about this item")

    def ledger_postings_after(self, user_id: str, after: datetime) -> int:
        """Ledger movements entered by ``user_id`` after ``after`` (any source system)."""
        with self.connection() as con:
            (count,) = con.execute("SELECT count(*) FROM marts.fct_inventory_ledger "
                                   "WHERE user_id = ? AND posted_at > ?",
                                   [user_id, after.replace(tzinfo=None)]).fetchone()
        return int(count)


def item_choices(path: Path) -> list[str]:
    """Every item id of the item master of the warehouse at ``path``, for a request form."""
    with read_only(path) as con:
        return [r[0] for r in con.execute("SELECT item_id FROM marts.dim_item ORDER BY item_id").fetchall()]


def location_choices(path: Path, item_id: str) -> list[str]:
    """Locations where the item has moved (most used first), then every other location."""
    with read_only(path) as con:
        used = [r[0] for r in con.execute(
            "SELECT location_id FROM marts.fct_inventory_ledger WHERE item_id = ? "
            "GROUP BY location_id ORDER BY count(*) DESC, location_id", [item_id]).fetchall()]
        every = [r[0] for r in con.execute(
            "SELECT location_id FROM marts.dim_location ORDER BY location_id").fetchall()]
    return used + [loc for loc in every if loc not in set(used)]
