"""Shared fixtures: an isolated workspace per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse.workspace import HOME_ENV, Workspace


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A fresh workspace, also set as $ONHAND_HOME for code that reads it."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    yield Workspace.resolve(tmp_path / "home").ensure()
