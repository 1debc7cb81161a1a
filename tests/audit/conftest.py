"""The hand-made audit company (tests/audit/audit_company.py), landed and built once per session."""

from __future__ import annotations

import pytest

from ingestion.contract import lake_schema
from ingestion.land import land_inbox
from lakehouse.build import build_warehouse
from lakehouse.workspace import Workspace
from tests.audit.audit_company import write_company


@pytest.fixture(scope="session")
def audit_company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """READ ONLY: a test that changes it copies it first (tests.conftest.copy_workspace)."""
    ws = Workspace.resolve(tmp_path_factory.mktemp("audit_company")).ensure()
    write_company(ws)
    land_inbox(ws, None)
    build_warehouse(ws, lake_schema())
    return ws
