"""Anomalies injected into a family's movements after its year is simulated.

Count-discrepancy causes, blocked-item movements, invoice mismatches and some
segregation-of-duties breaches are created during the simulation where they
happen; this module adds the integration faults: re-sent rows (same id),
near-duplicates (new id), late postings, and postings by users who have left.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .company import Company, User
from .fixed import month_key
from .records import Anomaly, Mv, Recorder
from .scales import DAY, START_TS

PLANT_SOURCES = ("erp", "mes", "portal")
SAME_ID_RATE = 1e-4
NEW_ID_RATE = 8e-4
LATE_RATE = 1e-3
DEPARTED_RATE = 3e-4
DEPARTMENT_OF_SOURCE = {"erp": "stores", "mes": "production"}


def _pick(rng: np.random.Generator, rows: list[Mv], rate: float) -> list[Mv]:
    if not rows:
        return []
    n = int(rng.binomial(len(rows), rate))
    idx = rng.choice(len(rows), size=min(n, len(rows)), replace=False)
    return [rows[int(i)] for i in sorted(idx)]


def _anomaly(kind: str, mv: Mv, detail: str, related: tuple[str, ...] = ()) -> Anomaly:
    return Anomaly(kind, mv.source, "inventory_movements", mv.movement_id, related_ids=related,
                   item_id=mv.item_id, location_id=mv.location_id, occurred=mv.occurred, qty=mv.qty,
                   detail=detail)


def inject_integration_faults(rec: Recorder, company: Company, rng: np.random.Generator) -> None:
    """Near-duplicates, late postings and departed-user postings (plant systems only,
    so the DC bins' counts stay explainable)."""
    plant = [m for m in rec.movements if m.source in PLANT_SOURCES and not m.dropped]
    for mv in _pick(rng, plant, NEW_ID_RATE):
        dup = dataclasses.replace(mv, movement_id=rec.movement_id(mv.source),
                                  posted=mv.posted + int(rng.integers(60, 900)))
        rec.movements.append(dup)
        rec.anomalies.append(_anomaly("retry_duplicate_new_id", dup,
                                      "integration retry re-sent the line under a new id",
                                      (mv.movement_id,)))
    month_end = [m for m in plant if (m.occurred - START_TS) // DAY % 30 >= 27]
    late = _pick(rng, plant, LATE_RATE) + _pick(rng, month_end, LATE_RATE * 4)
    seen: set[str] = set()
    for mv in late:
        if mv.movement_id in seen:
            continue
        seen.add(mv.movement_id)
        mv.posted = mv.occurred + int(rng.integers(2, 10)) * DAY + int(rng.integers(0, DAY))
        crossed = month_key(mv.occurred) != month_key(mv.posted)
        rec.anomalies.append(_anomaly(
            "late_posting", mv,
            "posted days after it occurred" + (" (across month end)" if crossed else "")))
    departed = [u for u in company.users if u.left_day is not None]
    staff = [m for m in plant if m.source in DEPARTMENT_OF_SOURCE]
    for mv in _pick(rng, staff, DEPARTED_RATE):
        gone = _gone_by(departed, DEPARTMENT_OF_SOURCE[mv.source], mv.occurred)
        if gone is None:
            continue
        mv.user_id = gone.user_id
        rec.anomalies.append(_anomaly("sod_breach", mv,
                                      f"posted by {gone.user_id} after leaving"))


def _gone_by(departed: list[User], department: str, ts: int) -> User | None:
    day = (ts - START_TS) // DAY
    gone = [u for u in departed
            if u.department == department and u.left_day is not None and u.left_day < day]
    return gone[0] if gone else None


def inject_resends(rec: Recorder, rng: np.random.Generator) -> None:
    """Rows the source re-sends with the same movement_id, possibly in a later file."""
    rows = [m for m in rec.movements if not m.dropped]
    for mv in _pick(rng, rows, SAME_ID_RATE):
        copy = dataclasses.replace(mv, export=mv.posted + int(rng.integers(0, 6 * DAY)))
        rec.movements.append(copy)
        rec.anomalies.append(_anomaly("retry_duplicate_same_id", mv,
                                      "the same row was sent again (same movement_id)"))
