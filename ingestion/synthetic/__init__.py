"""Deterministic generator of a realistic sample company (Onhand's embedded default).

``generate(out, scale, seed)`` writes what the company's source systems would
drop into ``out/inbox/<source>/<entity>/`` over one simulated year
(2025-11-01 .. 2026-10-31 UTC), and the answer key — injected anomalies, item
and supplier profiles — into ``out/ground_truth/``. The same scale and seed
always give byte-identical files.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .chunks import Progress, run_chunks
from .company import build_company
from .groundtruth import write_ground_truth
from .master import master_rows
from .records import Anomaly
from .scales import SCALES, ScaleSpec
from .writer import InboxWriter

__all__ = ["SCALES", "GenerateReport", "ScaleSpec", "generate"]


@dataclass
class GenerateReport:
    """What :func:`generate` wrote."""

    scale: str
    seed: int
    files: int = 0
    rows_by_entity: dict[tuple[str, str], int] = field(default_factory=dict)
    movements: int = 0
    anomalies: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """Multi-line human-readable summary."""
        lines = [
            f"Sample company: scale={self.scale} seed={self.seed}",
            f"  {self.files} files, {self.movements:,} inventory movements, "
            f"{sum(self.rows_by_entity.values()):,} rows in {self.seconds:.1f} s",
            "  rows per source/entity:",
        ]
        lines += [f"    {s}/{e}: {n:,}" for (s, e), n in sorted(self.rows_by_entity.items())]
        lines.append(f"  injected anomalies ({sum(self.anomalies.values()):,}):")
        lines += [f"    {k}: {n:,}" for k, n in sorted(self.anomalies.items())]
        return "\n".join(lines)


def generate(out: Path, scale: str = "demo", seed: int = 42,
             progress: Progress | None = None) -> GenerateReport:
    """Generate the sample company into ``out`` (see the module docstring).

    Raises ``FileExistsError`` if ``out/inbox`` already holds files and
    ``ValueError`` for an unknown scale.
    """
    started = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    out = Path(out)
    inbox = out / "inbox"
    if inbox.exists() and any(p.is_file() for p in inbox.rglob("*")):
        raise FileExistsError(
            f"{inbox} already contains files; generate into an empty directory "
            "or remove the old inbox first")
    spec = SCALES[scale]
    report = _progress(progress)
    company = build_company(spec, seed)
    writer = InboxWriter(inbox)
    anomalies: list[Anomaly] = []
    for entity, rows in master_rows(company, anomalies).items():
        writer.write(writer.path("erp", entity, None, None), "erp", entity, rows)
    report("master data", 1, 1)
    rows: Counter[tuple[str, str]] = Counter(writer.rows)
    files = writer.files
    for result in run_chunks(company, inbox, report):
        files += result.files
        rows.update(result.rows)
        anomalies.extend(result.anomalies)
    counts = write_ground_truth(out / "ground_truth", company, anomalies)
    report("ground truth", 1, 1)
    return GenerateReport(
        scale=scale, seed=seed, files=files, rows_by_entity=dict(sorted(rows.items())),
        movements=sum(n for (_, e), n in rows.items() if e == "inventory_movements"),
        anomalies=counts, seconds=time.perf_counter() - started,
    )


def _progress(progress: Progress | None) -> Progress:
    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    return report
