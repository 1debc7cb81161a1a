"""The answer key in ``out/ground_truth/`` (the pipeline never reads it)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from .company import Company
from .fixed import fmt_dec, iso_utc
from .records import Anomaly
from .scales import DAY, START_TS

ANOMALY_COLUMNS = ("anomaly_id", "kind", "source", "entity", "record_id", "related_ids", "item_id",
                   "location_id", "site_id", "occurred_at", "qty", "detail")


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_ground_truth(out: Path, company: Company, anomalies: list[Anomaly]) -> dict[str, int]:
    """Write anomalies, item and supplier profiles and the manifest; returns counts per kind."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [
        (f"A{n:07d}", a.kind, a.source, a.entity, a.record_id, ";".join(a.related_ids), a.item_id,
         a.location_id, a.site_id, iso_utc(a.occurred) if a.occurred is not None else "",
         fmt_dec(a.qty, 3) if a.qty is not None else "", a.detail)
        for n, a in enumerate(anomalies, 1)
    ]
    _write_csv(out / "anomalies.csv", ANOMALY_COLUMNS, rows)
    items = []
    for fam in company.families:
        for it in fam.items:
            p = it.profile
            items.append((
                it.item_id, fam.fid, it.item_type, "make" if fam.make else "trade",
                p.demand_class if p else "", p.lines_per_day if p else "",
                p.mean_line_qty if p else "", p.trend if p else "", p.season_amp if p else "",
                (10 + p.season_peak_month) % 12 + 1 if p else "",
                str(p.starved).lower() if p else "false",
                iso_utc(START_TS + p.launch_day * DAY) if p and p.launch_day else "",
                iso_utc(START_TS + p.end_day * DAY) if p and p.end_day < 365 else "",
                ";".join(f"{e.to_status}@{iso_utc(START_TS + e.day * DAY)}" for e in it.status_events),
            ))
    _write_csv(out / "item_profiles.csv", (
        "item_id", "family", "item_type", "family_kind", "demand_class", "lines_per_day_dc_central",
        "mean_line_qty", "trend_per_year", "seasonality_amplitude", "seasonality_peak_month",
        "starved", "launched_at", "obsolete_at", "status_events"), items)
    _write_csv(out / "supplier_profiles.csv", (
        "supplier_id", "lead_time_mean_days", "lead_time_sd_days", "on_time_probability",
        "partial_delivery_probability", "mean_delay_when_late_days"),
        [(s.supplier_id, s.lead_time_mean, s.lead_time_sd, s.on_time_prob, s.partial_prob,
          s.late_mean_days) for s in company.suppliers])
    counts = dict(sorted(Counter(a.kind for a in anomalies).items()))
    manifest = {
        "scale": company.scale.name, "seed": company.seed,
        "calendar": {"start": iso_utc(START_TS), "days": 365},
        "families": len(company.families),
        "items": sum(len(f.items) for f in company.families),
        "anomalies": counts,
        "notes": "seasonality_peak_month is a calendar month (1-12); demand lines per day at "
                 "DC-REGIONAL are 0.6 x DC-CENTRAL. Quantities are in the item's base unit.",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts
