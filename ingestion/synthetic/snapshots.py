"""The ERP's (plant) and the WMS's (DCs) own end-of-day stock reports.

Each system reports the stock its ledger implies per item x location (by
occurred_at, in the item's base unit), so snapshots agree with the landed
movements except where a ``snapshot_discrepancy`` is injected.
"""

from __future__ import annotations

import numpy as np

from .company import CURRENCY, PLANT, Family, Item
from .fixed import MICRO, iso_date
from .records import Anomaly, Recorder
from .scales import DAY, DAYS, START_TS

DISCREPANCY_RATE = 1.5e-4


def stock_snapshots(rec: Recorder, fam: Family, every: int, rng: np.random.Generator) -> None:
    """Append ERP and WMS ``stock_snapshots`` rows for one family."""
    items = {it.item_id: it for it in fam.items}
    site_of = {loc: site for (_, site), loc in fam.bins.items()}
    site_of.update({loc: site for (_, site), loc in fam.spare_bins.items()})
    keys: dict[tuple[str, str], int] = {}
    idx, days, qty = [], [], []
    for mv in rec.movements:
        if mv.dropped:
            continue
        k = keys.setdefault((mv.item_id, mv.location_id), len(keys))
        idx.append(k)
        days.append(min(DAYS - 1, (mv.occurred - START_TS) // DAY))
        qty.append(mv.qty_base)
    if not keys:
        return
    grid = np.zeros((len(keys), DAYS), dtype=np.int64)
    np.add.at(grid, (np.array(idx), np.array(days)), np.array(qty, dtype=np.int64))
    levels = grid.cumsum(axis=1)
    report_days = np.arange(every - 1, DAYS, every)
    rate = DISCREPANCY_RATE * every
    for (item_id, loc), k in sorted(keys.items(), key=lambda kv: kv[1]):
        it = items[item_id]
        site = site_of[loc]
        source = "erp" if site == PLANT else "wms"
        for d in report_days:
            q = int(levels[k, d])
            if q == 0:
                continue
            at = START_TS + (int(d) + 1) * DAY - 1
            if rng.random() < rate:
                q = _discrepancy(rec, rng, it, loc, site, source, at, q)
            row: dict[str, object] = {
                "snapshot_at": at, "item_id": item_id, "location_id": loc, "lot_id": None,
                "qty": q, "uom": it.base_uom, "_export": at,
            }
            if source == "erp":
                row["value"] = q * it.standard_cost // MICRO // 10_000 * 10_000
                row["currency"] = CURRENCY
            rec.doc(source, "stock_snapshots", row)


def _discrepancy(rec: Recorder, rng: np.random.Generator, it: Item, loc: str, site: str,
                 source: str, at: int, q: int) -> int:
    unit = 10 ** (6 - it.decimals)
    delta = max(unit, int(abs(q) * rng.uniform(0.05, 0.2)) // unit * unit)
    if rng.random() < 0.5:
        delta = -min(delta, q)
    rec.anomalies.append(Anomaly(
        "snapshot_discrepancy", source, "stock_snapshots", f"{iso_date(at)}|{it.item_id}|{loc}",
        item_id=it.item_id, location_id=loc, site_id=site, occurred=at, qty=delta,
        detail="reported stock differs from the ledger by qty (record_id = snapshot date|item|location)",
    ))
    return q + delta
