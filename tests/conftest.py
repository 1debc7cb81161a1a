"""Shared fixtures: an isolated workspace per test."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse.workspace import HOME_ENV, Workspace


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A fresh workspace, also set as $ONHAND_HOME for code that reads it."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    yield Workspace.resolve(tmp_path / "home").ensure()


@pytest.fixture(scope="session")
def sample_company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo-scale sample company, generated, landed and built once per test session.

    Shared by every xdist worker (the first builds it under a lock, the others wait),
    so each test module reads the same warehouse. READ ONLY: a test that changes a
    workspace copies it first (``copy_workspace``). For a quick local loop,
    ``$ONHAND_TEST_SAMPLE_COMPANY`` names an already built workspace to use instead.
    """
    if os.environ.get("ONHAND_TEST_SAMPLE_COMPANY"):
        return Workspace.resolve(os.environ["ONHAND_TEST_SAMPLE_COMPANY"])
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this session
    home = root / "sample_company"
    with open(root / "sample_company.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        ws = Workspace.resolve(home)
        if not (home / "READY").exists():
            _make_sample_company(ws)
            (home / "READY").write_text("ok")
        fcntl.flock(handle, fcntl.LOCK_UN)
    return ws


def _make_sample_company(ws: Workspace) -> None:
    from ingestion.contract import lake_schema
    from ingestion.land import land_inbox
    from ingestion.synthetic import generate
    from lakehouse.build import build_warehouse
    from lakehouse.reconcile import reconcile
    from process_mining.mine import mine_warehouse

    shutil.rmtree(ws.root, ignore_errors=True)
    ws.ensure()
    generate(ws.root, "demo", 42)
    land_inbox(ws, None)
    build_warehouse(ws, lake_schema())
    mine_warehouse(ws)
    reconcile(ws)  # as `onhand demo` does: audit.reconciliation_alerts


def copy_workspace(ws: Workspace, to: Path) -> Workspace:
    """A private copy of a workspace a test may change."""
    shutil.copytree(ws.root, to, ignore=shutil.ignore_patterns("*.lock"))
    return Workspace.resolve(to)
