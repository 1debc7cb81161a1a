"""Master-data rows (ERP exports): items with their versions, units, locations,
partners, users and roles, BOMs, item status changes and engineering changes."""

from __future__ import annotations

import numpy as np

from .company import (
    CURRENCY,
    GLOBAL_CONVERSIONS,
    ITEM_EPOCH,
    Company,
    Item,
    User,
    day_ts,
    global_rng,
)
from .fixed import MICRO, iso_utc
from .records import Anomaly
from .scales import DAY, DAYS

Rows = list[dict[str, object]]
SOD_STATUS_RATE = 0.25

ROLES = {
    "warehouse": ("wms_operator",), "stores": ("inventory_clerk", "inventory_adjust"),
    "production": ("mes_operator",), "purchasing": ("buyer",), "sales": ("sales_rep",),
    "finance": ("controller", "inventory_approve"), "planning": ("planner",),
    "quality": ("quality_inspector", "status_approve"), "it": ("integration",),
}


def _item_row(it: Item, status: str, valid_from: str) -> dict[str, object]:
    p = it.profile
    daily = (p.lines_per_day * 1.6 * p.mean_line_qty) if p else 10.0
    unit = 10 ** (6 - it.decimals)
    return {
        "item_id": it.item_id, "description": it.description, "base_uom": it.base_uom,
        "item_type": it.item_type, "status": status, "valuation_method": it.valuation_method,
        "standard_cost": it.standard_cost, "lot_tracked": it.lot_tracked,
        "serial_tracked": it.serial_tracked, "vmi": it.vmi, "shelf_life_days": it.shelf_life_days,
        "primary_supplier_id": it.supplier.supplier_id if it.supplier else None,
        "lead_time_days": int(it.supplier.lead_time_mean) if it.supplier else 3,
        "min_qty": int(daily * 5) * MICRO // unit * unit,
        "max_qty": int(daily * 20 + 1) * MICRO // unit * unit,
        "valid_from": valid_from, "category": it.category, "consignment": it.consignment,
        "regulated": it.regulated, "moq": it.moq or None, "order_multiple": it.order_multiple or None,
        "currency": CURRENCY,
    }


def master_rows(company: Company, anomalies: list[Anomaly]) -> dict[str, Rows]:
    """Every master-data entity of the company, keyed by entity name."""
    rng = global_rng(company.seed, 1)
    out: dict[str, Rows] = {k: [] for k in (
        "items", "uom_conversions", "locations", "suppliers", "customers", "users", "user_roles",
        "boms", "item_status_changes", "engineering_changes")}
    quality = [u for u in company.users if u.department == "quality"]
    finance = [u for u in company.users if u.department == "finance"]
    out["uom_conversions"] = [{"item_id": None, "from_uom": a, "to_uom": b, "factor": f * MICRO}
                              for a, b, f in GLOBAL_CONVERSIONS]
    for fam in company.families:
        for it in fam.items:
            first = iso_utc(day_ts(it.valid_from_day)) if it.valid_from_day is not None else ITEM_EPOCH
            out["items"].append(_item_row(it, "active", first))
            if it.purchase_uom == "CS":
                out["uom_conversions"].append({"item_id": it.item_id, "from_uom": "CS",
                                               "to_uom": it.base_uom, "factor": it.purchase_factor})
            for ev in it.status_events:
                _status_change(out, it, ev.day, "active", ev.to_status, quality, finance, rng,
                               anomalies)
                if ev.until_day is not None and ev.until_day < DAYS:
                    _status_change(out, it, ev.until_day, ev.to_status, "active", quality, finance,
                                   rng, anomalies)
            if it.replaces is not None:
                out["engineering_changes"].append({
                    "eco_id": f"ECO-{fam.fid:05d}-R", "item_id": it.replaces, "change_type": "replace",
                    "effective_at": day_ts(it.profile.launch_day if it.profile else 0),
                    "replaced_by_item_id": it.item_id,
                    "description": f"{it.replaces} superseded by {it.item_id}",
                    "approved_by": quality[0].user_id,
                })
            elif it.item_type == "finished" and rng.random() < 0.1:
                out["engineering_changes"].append({
                    "eco_id": f"ECO-{fam.fid:05d}-{it.item_id[-1]}", "item_id": it.item_id,
                    "change_type": "revision", "effective_at": day_ts(int(rng.integers(0, DAYS))),
                    "replaced_by_item_id": None, "description": "packaging revision",
                    "approved_by": quality[1].user_id,
                })
        obsolete_at = {it.item_id: it.status_events[0].day for it in fam.finished
                       if it.status_events and it.status_events[0].to_status == "obsolete"}
        for parent, lines in fam.bom.items():
            for line in lines:
                end = obsolete_at.get(parent)
                out["boms"].append({
                    "parent_item_id": parent, "component_item_id": line.component,
                    "qty_per": line.qty_per, "uom": _uom_of(company, line.component),
                    "scrap_factor": line.scrap_factor, "role": line.role, "valid_from": ITEM_EPOCH,
                    "valid_to": day_ts(end) if end is not None else None,
                })
    out["locations"] = [loc.row() for loc in company.locations]
    out["suppliers"] = [{"supplier_id": s.supplier_id, "name": s.name, "country": s.country,
                         "currency": CURRENCY, "payment_terms_days": 30} for s in company.suppliers]
    out["customers"] = [{"customer_id": c.customer_id, "name": f"Customer {c.customer_id}",
                         "priority_tier": c.tier, "region": c.region} for c in company.customers]
    out["users"] = [_user_row(u) for u in company.users]
    out["user_roles"] = _roles(company.users)
    return out


def _uom_of(company: Company, item_id: str) -> str:
    fam = company.families[int(item_id[2:7])]
    return next(i.base_uom for i in fam.items if i.item_id == item_id)


def _status_change(out: dict[str, Rows], it: Item, day: int, old: str, new: str,
                   quality: list[User], finance: list[User], rng: np.random.Generator,
                   anomalies: list[Anomaly]) -> None:
    at = day_ts(day, 8 * 3600 + int(rng.integers(0, 3600)))
    user = quality[int(rng.integers(len(quality)))].user_id
    sod = rng.random() < SOD_STATUS_RATE
    approver = user if sod else finance[int(rng.integers(len(finance)))].user_id
    change_id = f"ISC-{it.item_id}-{day:03d}"
    out["item_status_changes"].append({
        "change_id": change_id, "item_id": it.item_id, "from_status": old, "to_status": new,
        "changed_at": at, "user_id": user, "approved_by": approver,
        "reason": {"quarantine": "quality hold", "blocked": "supplier recall",
                   "obsolete": "end of life", "active": "released"}[new],
    })
    out["items"].append(_item_row(it, new, iso_utc(at)))
    if sod:
        anomalies.append(Anomaly("sod_breach", "erp", "item_status_changes", change_id,
                                 item_id=it.item_id, occurred=at,
                                 detail=f"status change entered and approved by {user}"))


def _user_row(u: User) -> dict[str, object]:
    return {"user_id": u.user_id, "name": u.name, "department": u.department,
            "active": u.left_day is None,
            "left_on": day_ts(u.left_day) if u.left_day is not None else None}


def _roles(users: list[User]) -> Rows:
    rows: Rows = []
    for n, u in enumerate(users):
        for role in ROLES[u.department]:
            revoked = day_ts(u.left_day) + DAY if u.left_day is not None and n % 2 == 0 else None
            rows.append({"user_id": u.user_id, "role": role, "granted_at": ITEM_EPOCH,
                         "revoked_at": revoked})
        if u.department == "stores" and n % 3 == 0:
            rows.append({"user_id": u.user_id, "role": "inventory_approve",
                         "granted_at": "2025-06-01T00:00:00Z", "revoked_at": None})
    return rows
