"""Planning documents of a family: demand forecasts in versions by sales, operations and finance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .company import DC1, DC2, day_ts
from .fixed import micro
from .scales import MONTH_STARTS

if TYPE_CHECKING:
    from .simulate import FamilySim

# (source, bias, noise, months in which a version is created, day of month)
VERSIONS = (
    ("sales", 0.15, 0.20, tuple(range(12)), 0),
    ("operations", 0.0, 0.12, tuple(range(12)), 9),
    ("finance", -0.05, 0.10, (0, 3, 6, 9), 19),
)
HORIZON_MONTHS = 6


def forecasts(sim: FamilySim) -> None:
    """Monthly forecast versions per finished item x DC for the next six months."""
    for f in sim.fam.finished:
        p = f.profile
        assert p is not None
        for site in (DC1, DC2):
            rate = sim.rates[(f.item_id, site)]
            expected = [float(rate[MONTH_STARTS[m]:MONTH_STARTS[m + 1]].sum()) * p.mean_line_qty
                        for m in range(12)]
            for source, bias, noise, months, dom in VERSIONS:
                for m in months:
                    created = day_ts(MONTH_STARTS[m] + dom, 8 * 3600)
                    version = f"{source.upper()}-{_month_label(m)}"
                    for period in range(m + 1, min(12, m + 1 + HORIZON_MONTHS)):
                        qty = expected[period] * (1 + bias + float(sim.rng.normal(0, noise)))
                        sim.rec.doc("erp", "forecasts", {
                            "version_id": version, "source": source, "created_at": created,
                            "item_id": f.item_id, "site_id": site,
                            "period": day_ts(MONTH_STARTS[period]), "qty": micro(max(0.0, qty), 0),
                            "_export": created,
                        })


def _month_label(m: int) -> str:
    year, month = (2025, 11 + m) if m < 2 else (2026, m - 1)
    return f"{year}-{month:02d}"
