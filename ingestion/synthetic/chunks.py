"""Simulate and write the families chunk by chunk, in worker processes at larger scales.

A chunk is a fixed group of families: their rows are gathered, written into the
chunk's own files (``..._partNNN``) and dropped, so memory stays bounded by the
chunk size. With several chunks, up to ``MAX_WORKERS`` processes work on chunks
at once; results are gathered in chunk order, so the output does not depend on
which worker finished first. Workers are spawned (not forked: Polars is not
fork-safe), so a script that calls ``generate`` at a multi-chunk scale needs the
usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .anomalies import inject_integration_faults, inject_resends
from .company import Company, Family, build_company, global_rng
from .plans import forecasts
from .records import Anomaly, Recorder
from .rejects import plant_rejects
from .scales import ScaleSpec
from .simulate import FamilySim
from .snapshots import stock_snapshots
from .writer import InboxWriter, Row, movement_row

Progress = Callable[[str, int, int], None]
MAX_WORKERS = 2
"""Each worker holds one chunk (about 1.3 GB at 125 families): two keep the peak under 4 GB."""
SINGLE_FILE = ("items", "uom_conversions", "locations", "suppliers", "customers", "users",
               "user_roles", "boms", "item_status_changes", "engineering_changes")


@dataclass
class ChunkResult:
    files: int
    rows: dict[tuple[str, str], int]
    anomalies: list[Anomaly]


def simulate_family(company: Company, fam: Family) -> Recorder:
    """One family's year: flows, forecasts, integration faults, snapshots, re-sends."""
    sim = FamilySim(company, fam)
    rec = sim.run()
    forecasts(sim)
    inject_integration_faults(rec, company, sim.rng)
    stock_snapshots(rec, fam, company.scale.snapshot_every_days, sim.rng)
    inject_resends(rec, sim.rng)
    return rec


def run_chunk(company: Company, chunk: int, inbox: Path,
              on_family: Callable[[], None] | None = None) -> ChunkResult:
    """Simulate one chunk's families and write its files."""
    spec = company.scale
    rec = Recorder(-1)  # gathers the chunk's families; issues no ids itself
    for fam in company.families[chunk * spec.families_per_chunk:
                                (chunk + 1) * spec.families_per_chunk]:
        rec.extend(simulate_family(company, fam))
        if on_family is not None:
            on_family()
    writer = InboxWriter(inbox)
    part = chunk if spec.chunks > 1 else None
    planted = _write_chunk(writer, rec, part, global_rng(company.seed, 2 + chunk))
    return ChunkResult(writer.files, dict(writer.rows), rec.anomalies + planted)


def run_chunks(company: Company, inbox: Path, report: Progress) -> Iterator[ChunkResult]:
    """Every chunk's result, in chunk order."""
    spec = company.scale
    if spec.chunks == 1:
        done = [0]

        def on_family() -> None:
            done[0] += 1
            report("simulating", done[0], spec.families)

        yield run_chunk(company, 0, inbox, on_family)
        return
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1, spec.chunks))
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        futures = [pool.submit(_worker, spec, company.seed, chunk, inbox)
                   for chunk in range(spec.chunks)]
        for n, future in enumerate(futures, 1):
            yield future.result()
            report("simulating", n, spec.chunks)


@lru_cache(maxsize=1)
def _company(spec: ScaleSpec, seed: int) -> Company:
    return build_company(spec, seed)


def _worker(spec: ScaleSpec, seed: int, chunk: int, inbox: Path) -> ChunkResult:
    return run_chunk(_company(spec, seed), chunk, inbox)


def _write_chunk(writer: InboxWriter, rec: Recorder, part: int | None,
                 rng: np.random.Generator) -> list[Anomaly]:
    """Write one chunk's movements (with planted rejects) and documents."""
    by_source: dict[str, list[Row]] = {}
    for mv in rec.movements:
        if not mv.dropped:
            by_source.setdefault(mv.source, []).append(movement_row(mv))
    files = {
        source: writer.split_by_month(source, "inventory_movements", rows, part)
        for source, rows in sorted(by_source.items())
    }
    for source in files:
        for rows in files[source].values():
            rows.sort(key=lambda r: (r["_export"], r["movement_id"]))  # type: ignore[arg-type, return-value]
    planted = plant_rejects(writer, files, rng)
    for source, paths in files.items():
        for path, rows in sorted(paths.items()):
            writer.write(path, source, "inventory_movements", rows)
    for (source, entity), rows in sorted(rec.docs.items()):
        if entity in SINGLE_FILE:
            writer.write(writer.path(source, entity, None, part), source, entity, rows)
            continue
        for path, month_rows in sorted(writer.split_by_month(source, entity, rows, part).items()):
            writer.write(path, source, entity, month_rows)
    return planted
