"""The base of every error Onhand raises on purpose.

Each stage subclasses :class:`OnhandError`; the CLI turns any of them into one
clear message (what, where, how to fix it) and a non-zero exit.
"""

from __future__ import annotations


class OnhandError(Exception):
    """A failure a person can act on: what went wrong, where, and the fix."""

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text}. Fix: {self.fix}" if self.fix else text


class LakeBusy(OnhandError):
    """Another process holds the lake's write lock."""
