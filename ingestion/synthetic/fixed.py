"""Exact fixed-point numbers and timestamps used inside the generator.

Every quantity and amount is an ``int`` in micro-units (1e-6), matching the
lake's DECIMAL(18,6); every timestamp is an ``int`` of seconds since the Unix
epoch, UTC. Nothing in the generator's output goes through a float.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

MICRO = 1_000_000


def micro(value: float, places: int = 3) -> int:
    """Convert a simulated float to micro-units, rounded to ``places`` decimals."""
    step = 10 ** (6 - places)
    return int(round(value * MICRO / step)) * step


@lru_cache(maxsize=65_536)
def fmt_dec(value: int, places: int) -> str:
    """Format micro-units with exactly ``places`` decimals (rounded half away from zero)."""
    step = 10 ** (6 - places)
    neg = value < 0
    a = -value if neg else value
    a = (a + step // 2) // step if step > 1 else a
    if places == 0:
        body = str(a)
    else:
        unit = 10**places
        body = f"{a // unit}.{a % unit:0{places}d}"
    return f"-{body}" if neg and a else body


@lru_cache(maxsize=4096)
def _date_text(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def _clock(ts: int) -> str:
    day, sec = divmod(ts, 86_400)
    return f"{_date_text(day)}T{sec // 3600:02d}:{sec % 3600 // 60:02d}:{sec % 60:02d}"


def iso_utc(ts: int) -> str:
    """ISO 8601 with a ``Z`` suffix."""
    return _clock(ts) + "Z"


@lru_cache(maxsize=64)
def _summer_time(year: int) -> tuple[int, int]:
    return _last_sunday(year, 3), _last_sunday(year, 10)


def _berlin_offset_hours(ts: int) -> int:
    """Central European offset: +02:00 between the last Sundays of March and October."""
    start, end = _summer_time(int(_date_text(ts // 86_400)[:4]))
    return 2 if start <= ts < end else 1


def _last_sunday(year: int, month: int) -> int:
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, 1, tzinfo=UTC)
    last = nxt - timedelta(days=1)
    last -= timedelta(days=(last.weekday() + 1) % 7)
    return int(last.timestamp())


def iso_local(ts: int) -> str:
    """ISO 8601 in Central European local time with its offset (same UTC instant)."""
    hours = _berlin_offset_hours(ts)
    return _clock(ts + hours * 3600) + f"+{hours:02d}:00"


def iso_date(ts: int) -> str:
    return _date_text(ts // 86_400)


def month_key(ts: int) -> str:
    """``YYYY-MM`` of a timestamp (UTC)."""
    return _date_text(ts // 86_400)[:7]
