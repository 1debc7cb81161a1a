"""Scale presets and the fixed simulated calendar of the sample company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# The simulated year: 2025-11-01 00:00 UTC up to (excluding) 2026-11-01 00:00 UTC.
START = datetime(2025, 11, 1, tzinfo=UTC)
DAYS = 365
START_TS = int(START.timestamp())
END_TS = START_TS + DAYS * 86_400
DAY = 86_400


@dataclass(frozen=True)
class ScaleSpec:
    """How big a generated company is.

    The company is built from product *families* (finished goods with their
    sub-assembly, raw materials and MRO parts). Families are simulated
    independently, each with its own random stream, and written in chunks of
    ``families_per_chunk`` so memory stays bounded at any scale.
    """

    name: str
    families: int
    families_per_chunk: int
    target_movements: int
    snapshot_every_days: int
    """1 = the ERP and WMS report stock every day; 7 = weekly."""

    @property
    def chunks(self) -> int:
        return -(-self.families // self.families_per_chunk)


SCALES: dict[str, ScaleSpec] = {
    "demo": ScaleSpec("demo", families=50, families_per_chunk=50, target_movements=200_000,
                      snapshot_every_days=1),
    "medium": ScaleSpec("medium", families=500, families_per_chunk=125,
                        target_movements=2_000_000, snapshot_every_days=7),
    "large": ScaleSpec("large", families=5000, families_per_chunk=125,
                       target_movements=20_000_000, snapshot_every_days=7),
}


def _month_starts() -> tuple[int, ...]:
    starts = []
    year, month = START.year, START.month
    for _ in range(13):
        starts.append((datetime(year, month, 1, tzinfo=UTC) - START).days)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(starts)


MONTH_STARTS: tuple[int, ...] = _month_starts()
"""Day index of the first day of each simulated month (13 entries, the last = DAYS)."""
