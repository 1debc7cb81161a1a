"""A year of flows for one product family, day by day.

Customers order finished goods at the two DCs; the DCs replenish from the
plant (make families) or from a supplier and DC-CENTRAL (trade families); the
plant produces from a sub-assembly and raw materials that it buys on purchase
orders. Cycle counts at the DCs inject the count-discrepancy causes. Every
movement is posted by exactly one source system with that system's latency.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .company import (
    CURRENCY,
    DC1,
    DC2,
    PLANT,
    BomLine,
    Company,
    Customer,
    DemandProfile,
    Family,
    Item,
    User,
    day_ts,
)
from .counts import count_bin
from .fixed import MICRO, fmt_dec
from .records import Anomaly, Mv, Recorder
from .scales import DAY, DAYS, START_TS
from .stock import Stock

HOUR = 3600
CHANNELS = ("web",) * 12 + ("edi",) * 5 + ("b2b",) * 3


def demand_rates(p: DemandProfile, share: float) -> np.ndarray:
    """Expected order lines per day over the year (trend x seasonality x life cycle)."""
    d = np.arange(DAYS, dtype=np.float64)
    months = d * 12 / DAYS
    season = 1 + p.season_amp * np.cos(2 * np.pi * (months - 0.5 - p.season_peak_month) / 12)
    rate = p.lines_per_day * share * (1 + p.trend * d / DAYS) * season
    rate[: p.launch_day] = 0
    rate[p.end_day:] = 0
    return rate


@dataclass
class Backorder:
    """The open rest of a sales order line waiting for stock."""

    row: dict[str, object]
    """The sales order line as last exported."""
    remaining: int
    since: int
    """Day it was ordered (open lines are cancelled after 45 days)."""


@dataclass
class Node:
    """Stock of one item at one location, with its replenishment state."""

    item: Item
    site: str
    loc: str
    source: str
    stock: Stock = field(default_factory=Stock)
    on_order: int = 0
    backorders: deque[Backorder] = field(default_factory=deque)
    recent: deque[Mv] = field(default_factory=lambda: deque(maxlen=40))
    """Recent movements at this node (candidates for count-discrepancy causes)."""

    @property
    def backordered(self) -> int:
        return sum(b.remaining for b in self.backorders)


class FamilySim:
    """Simulates one family for the whole year into a :class:`Recorder`."""

    def __init__(self, company: Company, fam: Family) -> None:
        self.c = company
        self.fam = fam
        # A stream of its own, separate from the one company.py drew the family from.
        self.rng = np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(company.seed, spawn_key=(1, fam.fid, 1))))
        self.rec = Recorder(fam.fid)
        self.agenda: dict[int, list[Callable[[int], None]]] = {}
        self.referenced: set[str] = set()
        self.pools: dict[tuple[str, int], list[str]] = {}
        self.departments: dict[str, list[User]] = {}
        for u in company.users:
            self.departments.setdefault(u.department, []).append(u)
        self.blocked: dict[str, np.ndarray] = {}
        self.leak: dict[str, np.ndarray] = {}
        for it in fam.items:
            self._plan_status(it)
        self.nodes: dict[tuple[str, str], Node] = {}
        for (item_id, site), loc in fam.bins.items():
            item = next(i for i in fam.items if i.item_id == item_id)
            self.nodes[(item_id, site)] = Node(item, site, loc, "erp" if site == PLANT else "wms")
        self.rates: dict[tuple[str, str], np.ndarray] = {}
        self.lines: dict[tuple[str, str], np.ndarray] = {}
        for f in fam.finished:
            assert f.profile is not None
            for site, share in ((DC1, 1.0), (DC2, 0.6)):
                rate = demand_rates(f.profile, share)
                self.rates[(f.item_id, site)] = rate
                self.lines[(f.item_id, site)] = self.rng.poisson(rate)
        self.counts_on: dict[int, list[Node]] = {}
        """Day -> DC bins counted that day (each bin about monthly)."""
        for node in self.nodes.values():
            if node.site != PLANT:
                first = int(self.rng.integers(3, 30))
                for day in range(first, DAYS, int(self.rng.integers(25, 35))):
                    self.counts_on.setdefault(day, []).append(node)
        self.usage: dict[str, np.ndarray] = {}
        self.parents: dict[str, list[tuple[str, BomLine]]] = {}
        for parent, lines in fam.bom.items():
            for line in lines:
                if line.role == "component":
                    self.parents.setdefault(line.component, []).append((parent, line))

    # ------------------------------------------------------------------ helpers
    def _plan_status(self, it: Item) -> None:
        blocked = np.zeros(DAYS + 60, dtype=bool)
        leak = np.zeros(DAYS + 60, dtype=bool)
        for ev in it.status_events:
            end = ev.until_day if ev.until_day is not None else DAYS + 60
            blocked[ev.day:end] = True
            if ev.until_day is not None:
                leak[int(self.rng.integers(ev.day, end))] = True
        self.blocked[it.item_id] = blocked
        self.leak[it.item_id] = leak

    def is_blocked(self, it: Item, day: int) -> bool:
        """Blocked today and not one of the days someone ignores the block."""
        return bool(self.blocked[it.item_id][day] and not self.leak[it.item_id][day])

    def at(self, day: int, lo_h: float, hi_h: float) -> int:
        return day_ts(day, self.rng.uniform(lo_h * HOUR, hi_h * HOUR))

    def user(self, dept: str, day: int) -> str:
        """A random member of the department who has not left by ``day``."""
        key = (dept, day)
        pool = self.pools.get(key)
        if pool is None:
            pool = [u.user_id for u in self.departments[dept] if u.left_day is None or u.left_day > day]
            self.pools[key] = pool
        return pool[int(self.rng.integers(len(pool)))]

    def post(self, source: str, occ: int) -> int:
        """Posting time with the source system's latency."""
        r = self.rng
        if source == "wms":
            return occ + int(r.integers(1, 30))
        if source == "erp":
            if r.random() < 0.2:  # nightly batch at 02:00
                return (occ // DAY + 1) * DAY + 2 * HOUR + int(r.integers(0, 900))
            return (occ // HOUR + 1) * HOUR + int(r.integers(30, 600))
        if source == "mes":
            if r.random() < 0.15:  # end of shift (06/14/22 UTC)
                shift_end = ((occ - 6 * HOUR) // (8 * HOUR) + 1) * 8 * HOUR + 6 * HOUR
                return shift_end + int(r.integers(0, 1200))
            return occ + int(r.exponential(480)) + 20
        if source == "ecom":
            return occ + int(r.integers(2, 120))
        return occ + int(r.integers(300, 4 * HOUR))

    def schedule(self, day: int, action: Callable[[int], None]) -> None:
        if day < DAYS:
            self.agenda.setdefault(day, []).append(action)

    def emit(self, node: Node, mtype: str, qty_base: int, occ: int, doc_type: str, doc_id: str,
             user: str, *, source: str | None = None, lot: str | None = None,
             uom: str | None = None, factor: int = MICRO, unit_cost: int | None = None,
             reason: str | None = None, ownership: str | None = None,
             return_of: str | None = None, line: str | None = "1",
             loc: str | None = None) -> Mv:
        """Record one movement line (qty_base signed, micro base units)."""
        src = source or node.source
        it = node.item
        serial = it.serial_tracked
        # Supplier-owned stock stays supplier-owned until it is consumed: every movement of a
        # VMI or consignment item carries that ownership (the supplier bills the consumption).
        ownership = ownership or ("vmi" if it.vmi else "consignment" if it.consignment else None)
        mv = Mv(
            source=src, movement_id=self.rec.movement_id(src), movement_type=mtype,
            item_id=it.item_id, location_id=loc or node.loc,
            qty=qty_base * MICRO // factor, uom=uom or it.base_uom, unit_cost=unit_cost,
            occurred=occ, posted=self.post(src, occ), document_type=doc_type, document_id=doc_id,
            document_line=line, user_id=user, lot_id=None if serial else lot,
            serial_no=lot if serial else None, reason_code=reason, ownership=ownership,
            return_of=return_of, qty_base=qty_base,
        )
        self.rec.movements.append(mv)
        if loc is None:
            node.recent.append(mv)
        if self.blocked[it.item_id][min(occ - START_TS, (DAYS + 59) * DAY) // DAY]:
            self.rec.anomalies.append(Anomaly(
                "movement_on_blocked_item", src, "inventory_movements", mv.movement_id,
                item_id=it.item_id, location_id=mv.location_id, site_id=node.site, occurred=occ,
                qty=mv.qty, detail=f"{mtype} while the item is not active",
            ))
        return mv

    def new_lot(self, it: Item, qty: int, prefix: str) -> list[tuple[str | None, int]]:
        """Split an inbound quantity into lots/serials as the item is tracked."""
        if qty <= 0:
            return []
        if it.serial_tracked:
            return [(self.rec.next_id("SN"), MICRO) for _ in range(qty // MICRO)]
        if it.lot_tracked:
            return [(self.rec.next_id(prefix), qty)]
        return [(None, qty)]

    def units(self, it: Item, qty: float) -> int:
        """Round a simulated quantity up to the item's smallest unit (micro base)."""
        step = 10 ** (6 - it.decimals)
        return max(step, math.ceil(qty * MICRO / step) * step)

    # ------------------------------------------------------------------ the year
    def run(self) -> Recorder:
        for day in range(DAYS):
            for node in self.counts_on.get(day, []):
                self.cycle_count(node, day)
            for action in self.agenda.pop(day, []):
                action(day)
            for f in self.fam.finished:
                for site in (DC1, DC2):
                    self.fill_backorders(self.nodes[(f.item_id, site)], day)
                    self.sell(self.nodes[(f.item_id, site)], day)
            for f in self.fam.finished:
                for site in (DC1, DC2):
                    self.replenish_dc(self.nodes[(f.item_id, site)], day)
            if self.fam.make:
                for f in self.fam.finished:
                    self.produce(self.nodes[(f.item_id, PLANT)], day)
                assert self.fam.wip is not None
                self.produce(self.nodes[(self.fam.wip.item_id, PLANT)], day)
            for it in (*self.fam.raws, self.fam.mro_item):
                if it is not None:
                    self.purchase(self.nodes[(it.item_id, PLANT)], day)
            self.housekeeping(day)
        return self.rec

    # ------------------------------------------------------------------ selling
    def sell(self, node: Node, day: int) -> None:
        it = node.item
        n = int(self.lines[(it.item_id, node.site)][day])
        if n == 0:
            return
        p = it.profile
        assert p is not None
        r = self.rng
        if it.serial_tracked:
            sizes = np.ones(n)
        elif p.demand_class == "smooth":
            sizes = 1 + r.poisson(max(p.mean_line_qty - 1, 0.1), n)
        elif p.demand_class == "erratic":
            sizes = np.maximum(1, np.round(r.lognormal(math.log(p.mean_line_qty) - 0.5, 1.0, n)))
        else:
            sizes = np.maximum(1, np.round(r.lognormal(math.log(p.mean_line_qty) - 0.3, 0.8, n)))
        customers = [self.c.customers[int(i)] for i in r.integers(len(self.c.customers), size=n)]
        times = np.sort(r.uniform(6 * HOUR, 16 * HOUR, n))
        orders = sorted(zip(customers, sizes, times, strict=True), key=lambda o: o[0].tier)
        blocked = self.is_blocked(it, day)
        for cust, size, t in orders:
            self.order_line(node, day, cust, int(size) * MICRO, day_ts(day, t), blocked)

    def order_line(self, node: Node, day: int, cust: Customer, qty: int, t: int, blocked: bool) -> None:
        it = node.item
        r = self.rng
        drop = (not it.serial_tracked) and r.random() < 0.05
        so_id = self.rec.next_id("SO")
        alloc = 0 if drop or blocked else min(qty, node.stock.total)
        row = self.rec.doc("ecom", "sales_orders", {
            "so_id": so_id, "so_line": "1", "customer_id": cust.customer_id, "item_id": it.item_id,
            "site_id": node.site, "qty": qty, "uom": "EA",
            "unit_price": it.standard_cost * 16 // 10 // 100 * 100, "currency": CURRENCY,
            "ordered_at": t, "requested_at": t + int(r.integers(2, 6)) * DAY,
            "allocated_qty": alloc, "allocated_at": t + 60 if alloc else None,
            "backordered_qty": 0 if drop else qty - alloc, "drop_ship": drop,
            "status": "drop_ship" if drop else ("allocated" if alloc == qty else
                                                ("partially_allocated" if alloc else "backordered")),
            "channel": CHANNELS[int(r.random() * 20) % len(CHANNELS)],
            "priority_tier": cust.tier, "_export": t,
        })
        if drop:
            return
        if alloc:
            self.ship(node, day, so_id, alloc, t + int(r.integers(1 * HOUR, 6 * HOUR)))
        if qty > alloc:
            node.backorders.append(Backorder(row, qty - alloc, day))

    def ship(self, node: Node, day: int, so_id: str, qty: int, occ: int) -> None:
        user = self.user("warehouse", day)
        for lot, part in node.stock.take(qty):
            mv = self.emit(node, "shipment", -part, occ, "SO", so_id, user, lot=lot)
            if self.rng.random() < 0.025:
                self.customer_return(node, mv, day)

    def fill_backorders(self, node: Node, day: int) -> None:
        if not node.backorders or self.is_blocked(node.item, day):
            return
        while node.backorders:
            bo = node.backorders[0]
            row, rem = bo.row, bo.remaining
            ordered = int(row["qty"])  # type: ignore[call-overload]
            if day - bo.since > 45:
                node.backorders.popleft()
                self.so_version(row, day, ordered - rem, "cancelled")
                continue
            part = min(rem, node.stock.total)
            if part == 0:
                return
            occ = self.at(day, 10, 14)
            self.ship(node, day, str(row["so_id"]), part, occ)
            allocated = ordered - rem + part
            if part == rem:
                node.backorders.popleft()
                self.so_version(row, day, allocated, "fulfilled", occ)
            else:
                bo.remaining = rem - part
                self.so_version(row, day, allocated, "partially_allocated", occ)
                return

    def so_version(self, row: dict[str, object], day: int, allocated: int, status: str,
                   at: int | None = None) -> None:
        """A later version of a sales order line (allocation caught up, or cancelled)."""
        t = at or self.at(day, 9, 10)
        new = dict(row)
        new.update({"allocated_qty": allocated, "allocated_at": t if allocated else None,
                    "backordered_qty": 0 if status in ("fulfilled", "cancelled") else
                    int(row["qty"]) - allocated,  # type: ignore[call-overload]
                    "status": status, "_export": t})
        self.rec.doc("ecom", "sales_orders", new)

    def customer_return(self, node: Node, shipment: Mv, day: int) -> None:
        it = node.item
        back = day + int(self.rng.integers(5, 40))
        p = it.profile
        if p is not None and back >= p.end_day - 1:
            return
        qty = -shipment.qty_base
        if qty > MICRO and self.rng.random() < 0.5:
            qty = int(self.rng.integers(1, qty // MICRO + 1)) * MICRO
        web = self.rng.random() < 0.4
        self.referenced.add(shipment.movement_id)
        lot = shipment.serial_no or shipment.lot_id

        def arrive(d: int) -> None:
            if self.is_blocked(it, d):
                self.schedule(d + 1, arrive)
                return
            occ = self.at(d, 4.6, 6)
            rma = self.rec.next_id("RMA")
            user = "ECOM-API" if web else self.user("warehouse", d)
            self.emit(node, "customer_return", qty, occ, "RMA", rma, user,
                      source="ecom" if web else "wms", lot=lot, reason="CUSTOMER_RETURN",
                      return_of=shipment.movement_id)
            node.stock.add(lot, qty, d)

        self.schedule(back, arrive)

    # ------------------------------------------------------------------ DC replenishment
    def targets(self, node: Node, day: int) -> tuple[int, int]:
        """(reorder point, order-up-to level) in micro base units."""
        it = node.item
        p = it.profile
        assert p is not None
        rate = float(self.rates[(it.item_id, node.site)][min(day + 7, DAYS - 1)])
        daily = rate * p.mean_line_qty
        if p.starved:
            return self.units(it, daily * 0.5), self.units(it, daily * 4)
        from_plant = self.fam.make or node.site == DC2 or it.supplier is None
        lead = 4.0 if from_plant else it.supplier.lead_time_mean + 5  # type: ignore[union-attr]
        reorder = daily * lead * 1.5 + 2 * math.sqrt(daily * lead + 1) * max(1.0, p.mean_line_qty / 2)
        return self.units(it, reorder), self.units(it, reorder + daily * 14)

    def replenish_dc(self, node: Node, day: int) -> None:
        it = node.item
        p = it.profile
        assert p is not None
        if day >= p.end_day - (60 if not self.fam.make and node.site == DC1 else 10):
            if day == p.end_day - 1:
                self.clear_obsolete(node, day)
            return
        if day < p.launch_day - 7:
            return
        s, big_s = self.targets(node, day)
        position = node.stock.total + node.on_order - node.backordered
        if position > s:
            return
        qty = big_s - position
        if self.fam.make:
            self.transfer(self.nodes[(it.item_id, PLANT)], node, qty, day)
        elif node.site == DC2:
            src = self.nodes[(it.item_id, DC1)]
            spare = src.stock.total - src.backordered
            if spare > 0:
                self.transfer(src, node, min(qty, spare), day)
        else:
            self.purchase_order(node, qty, day)

    def transfer(self, src: Node, dst: Node, qty: int, day: int) -> None:
        if self.is_blocked(src.item, day):
            return
        parts = src.stock.take(qty)
        if not parts:
            return
        doc = self.rec.next_id("TO")
        occ = self.at(day, 10, 16)
        user = "SYS-ERP-BATCH" if src.source == "erp" else self.user("warehouse", day)
        shipped = []
        for n, (lot, part) in enumerate(parts, 1):
            self.emit(src, "transfer_out", -part, occ, "TO", doc, user, lot=lot, line=str(n))
            shipped.append((n, lot, part))
        total = sum(p for _, _, p in shipped)
        dst.on_order += total
        transit = int(self.rng.integers(1, 4))

        def arrive(d: int) -> None:
            if self.is_blocked(dst.item, d):
                self.schedule(d + 1, arrive)
                return
            occ_in = self.at(d, 4.6, 6)
            who = self.user("warehouse", d)
            for n, lot, part in shipped:
                self.emit(dst, "transfer_in", part, occ_in, "TO", doc, who, lot=lot, line=str(n))
                dst.stock.add(lot, part, d)
            dst.on_order -= total

        self.schedule(day + transit, arrive)

    def clear_obsolete(self, node: Node, day: int) -> None:
        """Write off what is left of an item the day before it goes obsolete."""
        for n in (node, self.nodes.get((node.item.item_id, PLANT))):
            if n is None or n.stock.total == 0:
                continue
            occ = day_ts(day, 22 * HOUR + int(self.rng.integers(0, 3000)))
            src = "mes" if n.site == PLANT else "wms"
            user = self.user("production" if src == "mes" else "warehouse", day)
            doc = self.rec.next_id("WO")
            for lot, part in n.stock.take(n.stock.total):
                self.emit(n, "scrap", -part, occ, "WRITE-OFF", doc, user, source=src, lot=lot,
                          reason="OBSOLETE")
        while node.backorders:
            bo = node.backorders.popleft()
            ordered = int(bo.row["qty"])  # type: ignore[call-overload]
            self.so_version(bo.row, day, ordered - bo.remaining, "cancelled")

    # ------------------------------------------------------------------ production
    def expected_usage(self, item_id: str) -> np.ndarray:
        """Expected daily use per day (base units): the next 30 days' demand of a
        finished good, or its parents' use times qty_per for a component."""
        if item_id in self.usage:
            return self.usage[item_id]
        it = next(i for i in self.fam.items if i.item_id == item_id)
        daily = np.zeros(DAYS)
        if it.profile is not None:
            ends = np.minimum(np.arange(DAYS) + 30, DAYS)
            for site in (DC1, DC2):
                c = np.concatenate(([0.0], np.cumsum(self.rates[(item_id, site)])))
                daily += (c[ends] - c[:DAYS]) / (ends - np.arange(DAYS)) * it.profile.mean_line_qty
        for parent, line in self.parents.get(item_id, []):
            daily += self.expected_usage(parent) * line.qty_per / MICRO
        self.usage[item_id] = daily
        return daily

    def production_targets(self, node: Node, day: int) -> tuple[int, int]:
        daily = float(self.expected_usage(node.item.item_id)[day])
        if daily <= 0:
            return 0, 0
        return self.units(node.item, daily * 10), self.units(node.item, daily * 24)

    def produce(self, node: Node, day: int) -> None:
        it = node.item
        if it.profile is not None and day >= it.profile.end_day - 10:
            return
        s, big_s = self.production_targets(node, day)
        position = node.stock.total + node.on_order
        if big_s == 0 or position > s:
            return
        qty = big_s - position
        if it.serial_tracked:
            qty = min(qty, 20 * MICRO)
        comps = [line for line in self.fam.bom[it.item_id] if line.role == "component"]
        for line in comps:
            cnode = self.nodes[(line.component, PLANT)]
            per = line.qty_per * (MICRO + line.scrap_factor) // MICRO
            avail = 0 if self.is_blocked(cnode.item, day) else cnode.stock.total
            qty = min(qty, avail * MICRO // max(per, 1) // MICRO * MICRO)
        if qty < min(big_s - position, 5 * MICRO) or qty <= 0:
            return
        mo = self.rec.next_id("MO")
        released = self.at(day, 7, 9)
        duration = int(self.rng.integers(1, 4))
        planner = self.user("planning", day)
        operator = self.user("production", day)
        for line in comps:
            cnode = self.nodes[(line.component, PLANT)]
            need = qty * line.qty_per // MICRO * (MICRO + line.scrap_factor) // MICRO
            need = self.units(cnode.item, need / MICRO)
            citem = cnode.item
            uom, factor = (citem.issue_uom, MICRO // 1000) if citem.issue_uom else (None, MICRO)
            occ = self.at(day, 10, 13)
            for lot, part in cnode.stock.take(need):
                self.emit(cnode, "production_issue", -part, occ, "MO", mo, operator, source="mes",
                          lot=lot, uom=uom, factor=factor)
        node.on_order += qty
        order = self.rec.doc("erp", "production_orders", {
            "production_order_id": mo, "item_id": it.item_id, "site_id": PLANT, "planned_qty": qty,
            "uom": it.base_uom, "released_at": released, "due_at": released + duration * DAY,
            "status": "released", "user_id": planner, "_export": released,
        })
        actual = duration + int(self.rng.random() < 0.2)

        def complete(d: int) -> None:
            if self.is_blocked(it, d):
                self.schedule(d + 1, complete)
                return
            yield_ = min(1.0, float(self.rng.normal(0.975, 0.015)))
            good = qty * int(yield_ * 1000) // 1000 // MICRO * MICRO if it.decimals == 0 else \
                self.units(it, qty * yield_ / MICRO)
            occ = self.at(d, 4.6, 6)
            self.confirm(mo, qty, good, released, occ, d)
            for lot, part in self.new_lot(it, good, "LP"):
                self.emit(node, "production_receipt", part, occ, "MO", mo, self.user("production", d),
                          source="mes", lot=lot, unit_cost=it.standard_cost)
                node.stock.add(lot, part, d)
            node.on_order -= qty
            for line in self.fam.bom[it.item_id]:
                if good and line.role in ("co_product", "by_product"):
                    onode = self.nodes[(line.component, PLANT)]
                    oqty = self.units(onode.item, good * line.qty_per / MICRO / MICRO)
                    for lot, part in self.new_lot(onode.item, oqty, "LP"):
                        self.emit(onode, "production_receipt", part, occ, "MO", mo,
                                  self.user("production", d), source="mes", lot=lot,
                                  reason=line.role.upper(), unit_cost=onode.item.standard_cost)
                        onode.stock.add(lot, part, d)
            order["status"] = "closed"

        self.schedule(day + actual, complete)

    def confirm(self, mo: str, planned: int, good: int, start: int, end: int, day: int) -> None:
        """Operation confirmations per stage; scrap of all stages = planned - good."""
        stages = ("10-PREP", "20-ASSEMBLY", "30-PACK")
        scrap_total = planned - good
        cuts = sorted(int(x) for x in self.rng.integers(0, scrap_total // MICRO + 1, size=2)) \
            if scrap_total >= MICRO else [0, 0]
        scraps = [cuts[0] * MICRO, (cuts[1] - cuts[0]) * MICRO, scrap_total - cuts[1] * MICRO]
        qty = planned
        for n, stage in enumerate(stages):
            qty -= scraps[n]
            occ = start + (end - start) * (n + 1) // 3
            self.rec.doc("mes", "operation_confirmations", {
                "confirmation_id": self.rec.next_id("OC"), "production_order_id": mo, "stage": stage,
                "good_qty": qty, "scrap_qty": scraps[n], "uom": "EA" if good % MICRO == 0 else "KG",
                "occurred_at": occ, "posted_at": self.post("mes", occ),
                "user_id": self.user("production", day), "_export": occ,
            })

    # ------------------------------------------------------------------ purchasing
    def purchase(self, node: Node, day: int) -> None:
        it = node.item
        if it.item_type == "mro":
            if self.rng.random() < 0.3 and node.stock.total and not self.is_blocked(it, day):
                qty = min(node.stock.total, int(self.rng.integers(1, 4)) * MICRO)
                occ = self.at(day, 8, 18)
                doc = self.rec.next_id("WO")
                for lot, part in node.stock.take(qty):
                    self.emit(node, "issue", -part, occ, "WORK-ORDER", doc, self.user("stores", day),
                              lot=lot, reason="MAINTENANCE")
            s, big_s = 4 * MICRO, 15 * MICRO
        else:
            daily = float(self.expected_usage(it.item_id)[day])
            lead = it.supplier.lead_time_mean if it.supplier else 10  # type: ignore[union-attr]
            s = self.units(it, daily * (lead + 10))
            big_s = self.units(it, daily * (lead + 35))
        if node.stock.total + node.on_order > s or self.is_blocked(it, day):
            return
        if it.item_type == "mro":
            signal = self.rec.doc("mes", "kanban_signals", {
                "signal_id": self.rec.next_id("KB"), "item_id": it.item_id, "location_id": node.loc,
                "qty": big_s - node.stock.total - node.on_order, "signaled_at": self.at(day, 7, 8),
                "fulfilled_at": None,
            })
            signal["_export"] = signal["signaled_at"]
            self.purchase_order(node, big_s - node.stock.total - node.on_order, day, signal)
        else:
            self.purchase_order(node, big_s - node.stock.total - node.on_order, day)

    def purchase_order(self, node: Node, qty: int, day: int,
                       signal: dict[str, object] | None = None) -> None:
        """Order from the supplier; deliveries come late/early/partial per its reliability."""
        it = node.item
        sup = it.supplier
        assert sup is not None
        r = self.rng
        step = it.order_multiple or it.purchase_factor
        qty = max(qty, it.moq)
        qty = -(-qty // step) * step
        pu_qty = qty * MICRO // it.purchase_factor  # micro purchase units
        price = it.standard_cost * it.purchase_factor // MICRO * int(r.integers(950, 1060)) // 1000
        price = price // 100 * 100
        ordered = self.at(day, 9, 17)
        lead = max(2, int(round(r.normal(sup.lead_time_mean, sup.lead_time_sd))))
        if r.random() < sup.on_time_prob:
            delay = int(np.clip(round(r.normal(-0.5, 1.0)), -3, 0))
        else:
            delay = 1 + int(r.exponential(sup.late_mean_days))
        arrive_day = day + lead + delay
        promised = ordered + int(sup.lead_time_mean) * DAY
        portal = it.vmi or it.consignment
        if portal:
            doc_type, doc_id = ("VMI" if it.vmi else "CONSIGNMENT"), self.rec.next_id("VMI")
        else:
            doc_type, doc_id = "PO", self.rec.next_id("PO")
        deliveries = [pu_qty]
        units = pu_qty // MICRO
        if r.random() < sup.partial_prob and units >= 2:
            first = max(1, int(units * r.uniform(0.4, 0.8)))
            deliveries = [first * MICRO, pu_qty - first * MICRO]
        po_row = None
        if not portal:
            po_row = self.rec.doc("erp", "purchase_orders", {
                "po_id": doc_id, "po_line": "1", "supplier_id": sup.supplier_id, "item_id": it.item_id,
                "site_id": node.site, "qty": pu_qty, "uom": it.purchase_uom or it.base_uom,
                "unit_price": price, "currency": CURRENCY, "ordered_at": ordered,
                "promised_at": promised, "status": "open", "user_id": self.user("purchasing", day),
                "_export": ordered,
            })
        node.on_order += qty
        state = {"received": 0, "receipts": []}

        def deliver(n: int, pu: int) -> Callable[[int], None]:
            def arrive(d: int) -> None:
                if self.is_blocked(it, d):
                    self.schedule(d + 1, arrive)
                    return
                p = it.profile
                if p is not None and d >= p.end_day - 1:
                    node.on_order -= pu * it.purchase_factor // MICRO
                    if po_row is not None:
                        po_row["status"] = "cancelled_remainder"
                    return
                self.receive(node, d, n, pu, price, doc_type, doc_id, po_row, state, signal, qty)
            return arrive

        for n, pu in enumerate(deliveries):
            when = arrive_day + n * int(r.integers(4, 16))
            self.schedule(max(when, day + 1), deliver(n, pu))

    def receive(self, node: Node, d: int, n: int, pu: int, price: int, doc_type: str, doc_id: str,
                po_row: dict[str, object] | None, state: dict[str, object],
                signal: dict[str, object] | None, ordered_qty: int) -> None:
        it = node.item
        sup = it.supplier
        assert sup is not None
        r = self.rng
        occ = self.at(d, 4.6, 6)
        base = pu * it.purchase_factor // MICRO
        node.on_order -= base
        lots = self.new_lot(it, base, "LS")
        uom = it.purchase_uom or it.base_uom
        if po_row is not None:
            shipped = occ - int(r.integers(1, 3)) * DAY - int(r.integers(0, 8 * HOUR))
            self.rec.doc("portal", "asn", {
                "asn_id": self.rec.next_id("ASN"), "asn_line": "1", "po_id": doc_id, "po_line": "1",
                "supplier_id": sup.supplier_id, "item_id": it.item_id, "qty": pu, "uom": uom,
                "shipped_at": shipped, "expected_at": occ + int(r.integers(-6, 6)) * HOUR,
                "lot_id": lots[0][0] if it.lot_tracked else None, "_export": shipped + 600,
            })
        if it.vmi or it.consignment:
            source, user, ownership = "portal", "PORTAL-API", ("vmi" if it.vmi else "consignment")
        elif node.site == PLANT:
            source, user, ownership = "erp", self.user("stores", d), None
        else:
            source, user, ownership = "wms", self.user("warehouse", d), None
        receipts = state["receipts"]
        assert isinstance(receipts, list)
        for lot, part in lots:
            mv = self.emit(node, "receipt", part, occ, doc_type, doc_id, user, source=source, lot=lot,
                           uom=uom, factor=it.purchase_factor, unit_cost=price, ownership=ownership)
            node.stock.add(lot, part, d)
            receipts.append(mv)
            if source == "erp":
                self.after_receipt(node, mv, d, lot)
        received = int(state["received"]) + pu  # type: ignore[call-overload]
        state["received"] = received
        if signal is not None and signal["fulfilled_at"] is None:
            signal["fulfilled_at"] = occ
        if po_row is None:
            return
        full = received * it.purchase_factor // MICRO >= ordered_qty
        po_row["status"] = "closed" if full else "partially_received"
        if full:
            self.invoice(it, po_row, received, price, d, receipts)

    def after_receipt(self, node: Node, mv: Mv, d: int, lot: str | None) -> None:
        """Landed costs arriving later, and the occasional return to the vendor."""
        r = self.rng
        if r.random() < 0.25:
            value = mv.qty * (mv.unit_cost or 0) // MICRO
            occ = mv.occurred + int(r.integers(2, 10)) * DAY
            self.referenced.add(mv.movement_id)
            self.rec.doc("erp", "landed_costs", {
                "charge_id": self.rec.next_id("LC"), "movement_id": mv.movement_id,
                "amount": max(10_000, value * int(r.integers(20, 80)) // 1000 // 10_000 * 10_000),
                "currency": CURRENCY, "charge_type": str(r.choice(np.array(["freight", "duty"]))),
                "occurred_at": occ, "posted_at": occ + int(r.integers(1, 6)) * DAY + 3 * HOUR,
                "_export": occ + int(r.integers(1, 6)) * DAY + 3 * HOUR,
            })
        if r.random() < 0.03 and lot is not None:
            back = d + int(r.integers(3, 10))
            it = node.item
            self.referenced.add(mv.movement_id)

            def give_back(day: int) -> None:
                if self.is_blocked(it, day):
                    return
                unit = it.purchase_factor if it.purchase_uom else 10 ** (6 - it.decimals)
                want = max(unit, mv.qty_base // 10 // unit * unit)
                got = node.stock.take_lot(lot, want)
                got = got // unit * unit
                if got == 0:
                    return
                self.emit(node, "vendor_return", -got, self.at(day, 9, 15), "RTV",
                          self.rec.next_id("RTV"), self.user("stores", day), lot=lot,
                          uom=mv.uom, factor=it.purchase_factor if it.purchase_uom else MICRO,
                          unit_cost=mv.unit_cost, reason="DEFECT", return_of=mv.movement_id)

            self.schedule(back, give_back)

    def invoice(self, it: Item, po_row: dict[str, object], received: int, price: int, d: int,
                receipts: list[Mv]) -> None:
        r = self.rng
        qty, inv_price = received, price
        mismatch = ""
        roll = r.random()
        if roll < 0.03:
            inv_price = price * int(r.integers(103, 112)) // 100 // 100 * 100
            mismatch = "price"
        elif roll < 0.05:
            qty = received + MICRO
            mismatch = "quantity"
        at = day_ts(d, 0) + int(r.integers(1, 8)) * DAY + int(r.integers(8 * HOUR, 17 * HOUR))
        inv_id = self.rec.next_id("INV")
        self.rec.doc("portal", "supplier_invoices", {
            "invoice_id": inv_id, "invoice_line": "1", "supplier_id": po_row["supplier_id"],
            "po_id": po_row["po_id"], "po_line": "1", "item_id": it.item_id, "qty": qty,
            "unit_price": inv_price, "amount": qty * inv_price // MICRO // 10_000 * 10_000,
            "currency": CURRENCY, "invoiced_at": at, "posted_at": at + int(r.integers(1, 48)) * HOUR,
            "paid_at": at + 30 * DAY if at + 30 * DAY < START_TS + DAYS * DAY else None, "_export": at,
        })
        if mismatch:
            self.rec.anomalies.append(Anomaly(
                "invoice_mismatch", "portal", "supplier_invoices", inv_id,
                related_ids=(str(po_row["po_id"]), *(m.movement_id for m in receipts)),
                item_id=it.item_id, occurred=at, qty=qty,
                detail=f"{mismatch} variance: invoiced {fmt_dec(qty, 3)} @ {fmt_dec(inv_price, 4)}"
                       f" vs PO/receipt {fmt_dec(received, 3)} @ {fmt_dec(price, 4)}",
            ))

    # ------------------------------------------------------------------ housekeeping
    def housekeeping(self, day: int) -> None:
        r = self.rng
        for node in self.nodes.values():
            it = node.item
            if self.is_blocked(it, day) or node.stock.total == 0:
                continue
            if node.site == PLANT:
                if it.item_id.startswith("BP") and day % 7 == 6:
                    self.scrap(node, day, node.stock.take(node.stock.total), "mes", "REGRIND-DISPOSAL")
                elif it.shelf_life_days and it.lot_tracked and day % 7 == 3:
                    self.scrap(node, day, node.stock.expired(day, it.shelf_life_days), "mes", "EXPIRED")
                if r.random() < 0.004:
                    self.adjust(node, day)
            else:
                if r.random() < 0.003:
                    self.scrap(node, day, node.stock.take(MICRO), "wms", "DAMAGED")
                elif r.random() < 0.001:
                    mv = self.emit(node, "adjustment", MICRO, self.at(day, 10, 20), "ADJ",
                                   self.rec.next_id("ADJ"), self.user("warehouse", day),
                                   reason="FOUND", lot=None if it.serial_tracked else
                                   (node.stock.lots[-1].lot_id if node.stock.lots else None))
                    if it.serial_tracked:
                        mv.serial_no = self.rec.next_id("SN")
                    node.stock.add(mv.serial_no or mv.lot_id, MICRO, day)

    def scrap(self, node: Node, day: int, parts: list[tuple[str | None, int]], source: str,
              reason: str) -> None:
        if not parts:
            return
        occ = self.at(day, 14, 20)
        doc = self.rec.next_id("SCR")
        user = self.user("production" if source == "mes" else "warehouse", day)
        for lot, part in parts:
            self.emit(node, "scrap", -part, occ, "SCRAP", doc, user, source=source, lot=lot,
                      reason=reason)

    def adjust(self, node: Node, day: int) -> None:
        """ERP stock adjustment at the plant, entered by stores and approved by finance."""
        it = node.item
        r = self.rng
        unit = 10 ** (6 - it.decimals) if it.decimals else MICRO
        size = max(unit, node.stock.total // 50 // unit * unit)
        user = self.user("stores", day)
        sod = r.random() < 0.06
        approver = user if sod else self.user("finance", day)
        occ = self.at(day, 9, 17)
        doc = self.rec.next_id("ADJ")
        if r.random() < 0.5 and not it.serial_tracked:
            lot = node.stock.lots[-1].lot_id if node.stock.lots else None
            mvs = [self.emit(node, "adjustment", size, occ, "ADJ", doc, user, lot=lot,
                             reason="FOUND")]
            node.stock.add(lot, size, day)
        else:
            mvs = [self.emit(node, "adjustment", -part, occ, "ADJ", doc, user, lot=lot,
                             reason="LOSS") for lot, part in node.stock.take(size)]
        for mv in mvs:
            mv.approved_by = approver
            if sod:
                self.rec.anomalies.append(Anomaly(
                    "sod_breach", "erp", "inventory_movements", mv.movement_id, item_id=it.item_id,
                    location_id=mv.location_id, site_id=PLANT, occurred=occ, qty=mv.qty,
                    detail=f"adjustment entered and approved by {user}",
                ))

    # ------------------------------------------------------------------ cycle counts
    def cycle_count(self, node: Node, day: int) -> None:
        """Count one DC bin (not while the item is blocked)."""
        if not self.blocked[node.item.item_id][day]:
            count_bin(self, node, day)


def simulate_family(company: Company, fam: Family) -> Recorder:
    """Run one family's year and return its rows."""
    return FamilySim(company, fam).run()
