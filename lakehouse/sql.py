"""Quoting for the few names and constants that go into SQL text (never row values)."""

from __future__ import annotations


def ident(name: str) -> str:
    """A quoted SQL identifier: a column or table name, whatever it contains."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A quoted SQL string constant (file paths, messages, enumerations of our own)."""
    return "'" + text.replace("'", "''") + "'"
