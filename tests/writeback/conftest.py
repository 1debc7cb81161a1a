"""Write-back fixtures: a workspace with a small hand-made warehouse, its accounts and sessions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboards.writeback import Session, Writeback
from dashboards.writeback.store import opened
from dashboards.writeback.users import create
from lakehouse.workspace import Workspace
from tests.writeback.helpers import ACCOUNTS, PASSWORD, SETTINGS, make_warehouse


@pytest.fixture(scope="session")
def warehouse_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made warehouse, made once per session; each test gets a copy."""
    template = Workspace.resolve(tmp_path_factory.mktemp("writeback_template"))
    make_warehouse(template)
    return template.warehouse


@pytest.fixture
def wb_ws(ws: Workspace, warehouse_template: Path) -> Workspace:
    ws.settings_file.write_text(SETTINGS, encoding="utf-8")
    shutil.copyfile(warehouse_template, ws.warehouse)
    return ws


@pytest.fixture
def wb(wb_ws: Workspace) -> Writeback:
    """The store with one account per name in ACCOUNTS (password PASSWORD)."""
    service = Writeback(wb_ws)
    with opened(wb_ws.writeback_db) as con:
        con.execute("BEGIN IMMEDIATE")
        for user_id, role in ACCOUNTS.items():
            create(con, service.settings, "test-setup", user_id, user_id.title(), role, PASSWORD)
        con.execute("COMMIT")
    return service


@pytest.fixture
def login(wb: Writeback):
    """Log in by user id; sessions are cached per test."""
    sessions: dict[str, Session] = {}

    def get(user_id: str) -> Session:
        if user_id not in sessions:
            sessions[user_id] = wb.login(user_id, PASSWORD)
        return sessions[user_id]

    return get
