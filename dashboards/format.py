"""Numbers for people: money with its currency and thousands separators, quantities
with their unit, rates as percentages, and a dash for what is not known."""

from __future__ import annotations

from decimal import Decimal

DASH = "–"


def money(value: Decimal | float | int | None, currency: str = "EUR", *, cents: bool = False) -> str:
    if value is None:
        return DASH
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency + " ")
    sign = "-" if value < 0 else ""
    amount = abs(Decimal(str(value)))
    if cents:
        return f"{sign}{symbol}{amount:,.2f}"
    if amount >= 1_000_000:
        return f"{sign}{symbol}{amount / 1_000_000:,.2f} M"
    return f"{sign}{symbol}{amount:,.0f}"


def quantity(value: Decimal | float | int | None, unit: str | None = None) -> str:
    if value is None:
        return DASH
    number = Decimal(str(value))
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.3f}".rstrip("0")
    return f"{text} {unit}" if unit else text


def number(value: Decimal | float | int | None, decimals: int = 1, unit: str = "") -> str:
    if value is None:
        return DASH
    return f"{Decimal(str(value)):,.{decimals}f}{unit}"


def percent(value: Decimal | float | int | None, decimals: int = 1) -> str:
    """A ratio (0.25) as a percentage (25.0 %)."""
    if value is None:
        return DASH
    return f"{Decimal(str(value)) * 100:,.{decimals}f} %"


def delta(current: Decimal | float | None, previous: Decimal | float | None) -> float | None:
    """Relative change from ``previous`` to ``current`` (for trend arrows), or None."""
    if current is None or previous is None or previous == 0:
        return None
    return float((Decimal(str(current)) - Decimal(str(previous))) / abs(Decimal(str(previous))))
