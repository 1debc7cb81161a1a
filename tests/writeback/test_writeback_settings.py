"""The [writeback] settings: defaults, overrides, and clear refusals of bad values."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from dashboards.writeback import AdjustmentDraft, Settings, Writeback
from dashboards.writeback.errors import SettingsInvalid
from lakehouse.workspace import Workspace
from tests.writeback.helpers import LOCATION


def test_no_file_means_the_documented_defaults(ws: Workspace) -> None:
    settings = Settings.load(ws)
    assert settings == Settings()
    assert (settings.require_login_to_read, settings.controller_approval_above,
            settings.two_approvers_above) == (False, Decimal("1000.00"), Decimal("10000.00"))


def test_values_are_read_from_the_writeback_section(ws: Workspace) -> None:
    ws.settings_file.write_text('[app]\ntitle = "x"\n[writeback]\nrequire_login_to_read = true\n'
                                'controller_approval_above = "250.50"\ntwo_approvers_above = 5000\n'
                                'session_minutes = 30\n', encoding="utf-8")
    settings = Settings.load(ws)
    assert (settings.require_login_to_read, settings.controller_approval_above,
            settings.two_approvers_above, settings.session_minutes) == (
        True, Decimal("250.50"), Decimal("5000"), 30)


@pytest.mark.parametrize(("body", "message"), [
    ("[writeback\n", "not valid TOML"),
    ("[writeback]\nthreshold = 1\n", "unknown key"),
    ("[writeback]\nsession_minutes = '60'\n", "is not a int"),
    ("[writeback]\nrequire_login_to_read = 1\n", "is not a bool"),
    ("[writeback]\ncontroller_approval_above = '-5'\n", "is not a Decimal"),
    ("[writeback]\ncontroller_approval_above = 20000\n", "below controller_approval_above"),
    ("[writeback]\npassword_profile = 'md5'\n", "unknown"),
])
def test_bad_settings_name_the_file_and_the_fix(ws: Workspace, body: str, message: str) -> None:
    ws.settings_file.write_text(body, encoding="utf-8")
    with pytest.raises(SettingsInvalid, match=message) as raised:
        Settings.load(ws)
    assert str(ws.settings_file) in str(raised.value) and "Fix:" in str(raised.value)


def test_the_thresholds_of_the_settings_route_the_approval(wb_ws: Workspace) -> None:
    wb_ws.settings_file.write_text(wb_ws.settings_file.read_text() + 'controller_approval_above = "5"\n'
                                   'two_approvers_above = "9"\n', encoding="utf-8")
    wb = Writeback(wb_ws)
    wb.add_user(None, "root", "admin", "password one")
    wb.add_user(wb.login("root", "password one"), "c", "clerk", "password one")
    clerk = wb.login("c", "password one")
    draft = AdjustmentDraft("CHEAP", LOCATION, "-4", "LOSS", evidence_kind="audit_finding", evidence_id="A")  # 10.00
    assert wb.preview_adjustment(clerk, draft).approval_rule == "two different approvers, one of them a controller"
    draft = AdjustmentDraft("CHEAP", LOCATION, "-3", "LOSS", evidence_kind="audit_finding", evidence_id="A")  # 7.50
    assert wb.preview_adjustment(clerk, draft).approval_rule == "a controller"


def test_the_domain_package_does_not_import_streamlit() -> None:
    code = "import sys, dashboards.writeback; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "False"
