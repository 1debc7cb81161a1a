"""Cycle counts at the DC bins, with the injected causes of count discrepancies.

Before a count the WMS book and the physical stock agree (every other anomaly
that would make them differ is kept away from DC bins). A count anomaly first
creates its cause — a movement that is never posted, posted twice or late, goods
put in the wrong bin, a lot mix-up, theft — then the count sees the difference,
and (except for late postings and unit errors, which resolve themselves or get
recounted) a count adjustment brings the book back to the physical stock.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from .fixed import MICRO
from .records import Anomaly, Mv

if TYPE_CHECKING:
    from .simulate import FamilySim, Node

HOUR = 3600
CAUSES = (
    "count_unposted_receipt", "count_unposted_shipment", "count_wrong_bin", "count_uom_error",
    "count_duplicate_posting", "count_late_posting", "count_shrinkage",
)
ANOMALY_RATE = 0.1
LOT_MIXUP_SHARE = 0.4
INBOUND = ("transfer_in", "receipt")


def count_bin(sim: FamilySim, node: Node, day: int) -> None:
    """Count one bin on ``day`` (04:00-04:30, before the day's activity)."""
    r = sim.rng
    at = sim.at(day, 4, 4.5)
    if r.random() >= ANOMALY_RATE:
        _record(sim, node, node.loc, None, node.stock.total, node.stock.total, at, day, [])
        return
    lots = [lot for lot in node.stock.lots if lot.lot_id is not None]
    if node.item.lot_tracked and len(lots) >= 2 and lots[1].qty >= MICRO and \
            r.random() < LOT_MIXUP_SHARE:
        _lot_mixup(sim, node, day, at)
        return
    cause = CAUSES[int(r.integers(len(CAUSES)))]
    if not _CAUSE_FUNCS[cause](sim, node, day, at):
        _record(sim, node, node.loc, None, node.stock.total, node.stock.total, at, day, [])


def _record(sim: FamilySim, node: Node, loc: str, lot: str | None, system: int, counted: int,
            at: int, day: int, adjust: list[tuple[str | None, int]]) -> str:
    """Write the count row and, if given, its count adjustment lines."""
    count_id = sim.rec.next_id("CC")
    user = sim.user("warehouse", day)
    sim.rec.doc("wms", "cycle_counts", {
        "count_id": count_id, "item_id": node.item.item_id, "location_id": loc, "lot_id": lot,
        "system_qty": system, "counted_qty": counted, "uom": node.item.base_uom, "counted_at": at,
        "user_id": user, "posted_at": at + int(sim.rng.integers(60, 900)), "_export": at,
    })
    occ = at + int(sim.rng.integers(20, 40)) * 60
    for part_lot, qty in adjust:
        sim.emit(node, "count_adjustment", qty, occ, "COUNT", count_id, user, lot=part_lot,
                 reason="CYCLE_COUNT", loc=None if loc == node.loc else loc)
    return count_id


def _anomaly(sim: FamilySim, node: Node, kind: str, count_id: str, at: int, diff: int,
             related: tuple[str, ...], detail: str) -> None:
    sim.rec.anomalies.append(Anomaly(
        kind, "wms", "cycle_counts", count_id, related_ids=related, item_id=node.item.item_id,
        location_id=node.loc, site_id=node.site, occurred=at, qty=diff, detail=detail,
    ))


def _recent(sim: FamilySim, node: Node, at: int, types: tuple[str, ...], days: int = 3) -> Mv | None:
    """A recent WMS movement at the bin that nothing else refers to."""
    for mv in reversed(node.recent):
        if mv.movement_type in types and at - days * 86_400 <= mv.occurred < at and \
                mv.source == "wms" and not mv.dropped and mv.posted < at and \
                mv.movement_id not in sim.referenced and mv.location_id == node.loc:
            return mv
    return None


def _lot(mv: Mv) -> str | None:
    return mv.serial_no or mv.lot_id


def _shrinkage(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    units = node.stock.total // MICRO
    if units < 1:
        return False
    q = int(sim.rng.integers(1, max(2, units // 10 + 1))) * MICRO
    physical = node.stock.total
    parts = node.stock.take(q)
    cid = _record(sim, node, node.loc, None, physical, physical - q, at, day,
                  [(lot, -p) for lot, p in parts])
    _anomaly(sim, node, "count_shrinkage", cid, at, -q, (), "unexplained loss")
    return True


def _unposted(sim: FamilySim, node: Node, day: int, at: int, kind: str) -> bool:
    types = ("shipment",) if kind == "count_unposted_shipment" else INBOUND
    mv = _recent(sim, node, at, types, days=3 if types == ("shipment",) else 10)
    if mv is None:
        return False
    mv.dropped = True
    physical = node.stock.total
    system = physical - mv.qty_base
    cid = _record(sim, node, node.loc, None, system, physical, at, day, [(_lot(mv), mv.qty_base)])
    _anomaly(sim, node, kind, cid, at, physical - system, (mv.document_id,),
             f"{mv.movement_type} of document {mv.document_id} happened but was never posted")
    return True


def _unposted_receipt(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    return _unposted(sim, node, day, at, "count_unposted_receipt")


def _unposted_shipment(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    return _unposted(sim, node, day, at, "count_unposted_shipment")


def _duplicate(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    mv = _recent(sim, node, at, ("shipment", *INBOUND), days=7)
    if mv is None:
        return False
    dup = dataclasses.replace(mv, movement_id=sim.rec.movement_id("wms"),
                              posted=mv.posted + int(sim.rng.integers(120, 1800)))
    if dup.posted >= at:
        return False
    sim.rec.movements.append(dup)
    sim.referenced.add(mv.movement_id)
    physical = node.stock.total
    system = physical + dup.qty_base
    cid = _record(sim, node, node.loc, None, system, physical, at, day, [(_lot(mv), -dup.qty_base)])
    _anomaly(sim, node, "count_duplicate_posting", cid, at, physical - system,
             (mv.movement_id, dup.movement_id), f"{mv.movement_type} posted twice")
    return True


def _late(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    mv = _recent(sim, node, at, INBOUND, days=10)
    if mv is None:
        return False
    mv.posted = at + int(sim.rng.integers(1 * HOUR, 30 * HOUR))
    sim.referenced.add(mv.movement_id)
    physical = node.stock.total
    system = physical - mv.qty_base
    cid = _record(sim, node, node.loc, None, system, physical, at, day, [])
    _anomaly(sim, node, "count_late_posting", cid, at, physical - system, (mv.movement_id,),
             f"{mv.movement_type} occurred before the count but was posted after it")
    return True


def _uom_error(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    physical = node.stock.total
    if node.item.base_uom != "EA" or physical < 20 * MICRO:
        return False
    counted = physical // 10 // MICRO * MICRO
    cid = _record(sim, node, node.loc, None, physical, counted, at, day, [])
    _anomaly(sim, node, "count_uom_error", cid, at, counted - physical, (),
             "counted in BOX, entered as EA (BOX->EA factor 10); recounted, not adjusted")
    return True


def _wrong_bin(sim: FamilySim, node: Node, day: int, at: int) -> bool:
    units = node.stock.total // MICRO
    spare = sim.fam.spare_bins.get((node.item.item_id, node.site))
    if units < 2 or spare is None:
        return False
    q = int(sim.rng.integers(1, units // 4 + 2)) * MICRO
    q = min(q, units * MICRO)
    physical = node.stock.total
    parts = node.stock.take(q)
    cid = _record(sim, node, node.loc, None, physical, physical - q, at, day,
                  [(lot, -p) for lot, p in parts])
    other = _record(sim, node, spare, None, 0, q, at + 120, day, list(parts))
    _anomaly(sim, node, "count_wrong_bin", cid, at, -q, (other,),
             f"goods put away in neighbouring bin {spare}")
    return True


def _lot_mixup(sim: FamilySim, node: Node, day: int, at: int) -> None:
    lots = [lot for lot in node.stock.lots if lot.lot_id is not None]
    a, b = lots[0], lots[1]
    q = max(MICRO, b.qty // 3 // MICRO * MICRO)
    a_book, b_book = a.qty, b.qty
    a.qty += q
    b.qty -= q
    if b.qty == 0:
        node.stock.lots.remove(b)
    cid = _record(sim, node, node.loc, a.lot_id, a_book, a_book + q, at, day, [(a.lot_id, q)])
    other = _record(sim, node, node.loc, b.lot_id, b_book, b_book - q, at + 60, day, [(b.lot_id, -q)])
    _anomaly(sim, node, "count_lot_mixup", cid, at, q, (other,),
             f"lot {b.lot_id} picked but booked against lot {a.lot_id}")


_CAUSE_FUNCS = {
    "count_unposted_receipt": _unposted_receipt,
    "count_unposted_shipment": _unposted_shipment,
    "count_wrong_bin": _wrong_bin,
    "count_uom_error": _uom_error,
    "count_duplicate_posting": _duplicate,
    "count_late_posting": _late,
    "count_shrinkage": _shrinkage,
}
