"""Physical stock of one item at one location, kept as FIFO lots."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(slots=True)
class Lot:
    lot_id: str | None
    qty: int
    """Micro base units."""
    day: int
    """Simulated day it was received (for shelf life)."""


@dataclass
class Stock:
    """Lots in arrival order. Untracked items keep one lot with id None;
    serial-tracked items keep one entry per serial number (qty = one unit)."""

    lots: deque[Lot] = field(default_factory=deque)
    total: int = 0

    def add(self, lot: str | None, qty: int, day: int) -> None:
        if qty <= 0:
            return
        if lot is None and self.lots and self.lots[-1].lot_id is None:
            self.lots[-1].qty += qty
        else:
            self.lots.append(Lot(lot, qty, day))
        self.total += qty

    def take(self, qty: int) -> list[tuple[str | None, int]]:
        """Remove up to ``qty`` first-in-first-out; returns (lot, qty) parts."""
        parts: list[tuple[str | None, int]] = []
        need = min(qty, self.total)
        while need > 0 and self.lots:
            head = self.lots[0]
            part = min(head.qty, need)
            parts.append((head.lot_id, part))
            need -= part
            self.total -= part
            head.qty -= part
            if head.qty == 0:
                self.lots.popleft()
        return parts

    def take_lot(self, lot: str, qty: int) -> int:
        """Remove up to ``qty`` from one lot; returns what was removed."""
        for entry in self.lots:
            if entry.lot_id == lot:
                part = min(entry.qty, qty)
                entry.qty -= part
                self.total -= part
                if entry.qty == 0:
                    self.lots.remove(entry)
                return part
        return 0

    def expired(self, day: int, shelf_life: int) -> list[tuple[str | None, int]]:
        """Remove and return lots received more than ``shelf_life`` days before ``day``."""
        gone: list[tuple[str | None, int]] = []
        while self.lots and day - self.lots[0].day > shelf_life:
            head = self.lots.popleft()
            self.total -= head.qty
            gone.append((head.lot_id, head.qty))
        return gone
