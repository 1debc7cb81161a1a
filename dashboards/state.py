"""A view's state: the global filters and the drill path, both kept in the URL.

Every page reads its state from the query parameters and writes changes back, so a
link pasted into the meeting minutes opens exactly the same view. Plain Python: the
pages translate widgets and clicks into these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date

# URL parameter of each field: short, stable, readable in a pasted link.
_FILTER_PARAMS = {"site": "site", "category": "cat", "abc": "abc", "month_from": "from",
                  "month_to": "to", "as_of": "asof"}
_DRILL_PARAMS = {"item": "item", "location": "loc", "lot": "lot", "movement": "mv"}


@dataclass(frozen=True)
class Filters:
    """The global filters in the sidebar: they narrow every page."""

    site: str | None = None
    category: str | None = None
    abc: str | None = None
    month_from: str | None = None  # 'YYYY-MM', inclusive
    month_to: str | None = None  # 'YYYY-MM', inclusive
    as_of: date | None = None  # stock and value as at the end of this day; None = latest

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Filters:
        values: dict[str, object] = {}
        for name, key in _FILTER_PARAMS.items():
            raw = params.get(key) or None
            if raw is None:
                continue
            if name == "as_of":
                try:
                    values[name] = date.fromisoformat(raw)
                except ValueError:
                    continue  # a mangled link falls back to the latest day
            elif name.startswith("month_"):
                if len(raw) == 7 and raw[4] == "-" and raw.replace("-", "").isdigit():
                    values[name] = raw
            else:
                values[name] = raw
        return cls(**values)  # type: ignore[arg-type]

    def to_params(self) -> dict[str, str]:
        out = {}
        for name, key in _FILTER_PARAMS.items():
            value = getattr(self, name)
            if value is not None:
                out[key] = value.isoformat() if isinstance(value, date) else str(value)
        return out

    def describe(self) -> str:
        """One line for captions and the meeting pack: what the numbers are limited to."""
        parts = [f"site {self.site}" if self.site else "all sites"]
        if self.category:
            parts.append(f"category {self.category}")
        if self.abc:
            parts.append(f"ABC class {self.abc}")
        if self.month_from or self.month_to:
            parts.append(f"months {self.month_from or '…'} to {self.month_to or '…'}")
        if self.as_of:
            parts.append(f"as of {self.as_of.isoformat()}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Drill:
    """Where the user has drilled to below the site: item -> location/lot -> movement."""

    item: str | None = None
    location: str | None = None
    lot: str | None = None
    movement: str | None = None  # fct_inventory_ledger.movement_key

    LEVELS = ("item", "location", "lot", "movement")

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Drill:
        return cls(**{name: params.get(key) or None for name, key in _DRILL_PARAMS.items()})

    def to_params(self) -> dict[str, str]:
        return {key: getattr(self, name) for name, key in _DRILL_PARAMS.items()
                if getattr(self, name) is not None}

    def down(self, level: str, value: str) -> Drill:
        """Drill into ``value`` at ``level``; anything deeper is cleared."""
        cleared = {name: None for name in self.LEVELS[self.LEVELS.index(level) + 1:]}
        return replace(self, **{level: value, **cleared})

    def up_to(self, level: str | None) -> Drill:
        """Back up so that ``level`` is the deepest one kept (None: the top)."""
        keep = self.LEVELS[: self.LEVELS.index(level) + 1] if level else ()
        return Drill(**{f.name: getattr(self, f.name) for f in fields(self) if f.name in keep})


def breadcrumbs(filters: Filters, drill: Drill) -> list[tuple[str, Filters, Drill]]:
    """The path from the company down to where the user is: (label, filters, drill) per step."""
    crumbs = [("Company", replace(filters, site=None), Drill())]
    if filters.site:
        crumbs.append((f"Site {filters.site}", filters, Drill()))
    for level, label in (("item", "Item"), ("location", "Location"), ("lot", "Lot"),
                         ("movement", "Movement")):
        value = getattr(drill, level)
        if value is not None:
            crumbs.append((f"{label} {value}", filters, drill.up_to(level)))
    return crumbs


def view_params(filters: Filters, drill: Drill) -> dict[str, str]:
    """All the URL parameters of a view."""
    return {**filters.to_params(), **drill.to_params()}
