"""Errors of the mining stage a person can act on."""

from __future__ import annotations

from lakehouse.errors import OnhandError


class MiningError(OnhandError):
    """The event log cannot be mined: missing models, an unreadable OCEL file, an empty log."""
