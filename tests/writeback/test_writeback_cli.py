"""`onhand users`, `onhand writeback` and `onhand audit` end to end, as a person would type them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lakehouse.workspace import Workspace
from onhand.cli import app
from onhand.cli_writeback import audit_app, users_app, writeback_app
from tests.writeback.helpers import LOCATION

runner = CliRunner()
ADMIN_PW, PW = "admin password 1", "user password 1"


def onhand(ws: Workspace, *args: str, stdin: str = "") -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--home", str(ws.root)], input=stdin)
    return result.exit_code, result.output


@pytest.fixture
def people(wb_ws: Workspace) -> Workspace:
    """A store set up from the command line: an admin, then one account per role."""
    code, out = onhand(wb_ws, "users", "add", "root", "--role", "admin", "--password-stdin",
                       stdin=ADMIN_PW + "\n")
    assert code == 0 and "Created root (admin)" in out, out
    for user, role in [("cleo", "clerk"), ("abe", "approver"), ("cora", "controller"), ("aud", "auditor")]:
        code, out = onhand(wb_ws, "users", "add", user, "--role", role, "--user", "root",
                           "--password-stdin", stdin=f"{ADMIN_PW}\n{PW}\n")
        assert code == 0, out
    return wb_ws


def request(ws: Workspace, *args: str) -> str:
    code, out = onhand(ws, "writeback", "request", "--user", "cleo", "--password-stdin", *args,
                       stdin=PW + "\n")
    assert code == 0, out
    return out.strip().splitlines()[-1]


@pytest.mark.parametrize("group", [users_app, writeback_app, audit_app])
def test_every_subcommand_has_help_with_home(group) -> None:
    for command in group.registered_commands:
        result = runner.invoke(app, [group.info.name, command.name, "--help"])
        assert result.exit_code == 0 and "--home" in result.output, result.output


def test_request_approve_list_and_verify(people: Workspace) -> None:
    request_id = request(people, "--item", "CHEAP", "--location", LOCATION, "--qty", "-4",
                         "--reason", "LOSS", "--finding", "AF-12")
    assert request_id == "WB-000001"
    code, out = onhand(people, "writeback", "approve", request_id, "--user", "abe", "--password-stdin",
                       stdin=PW + "\n")
    assert code == 0 and "approved by abe and posted" in out, out
    assert (people.inbox / "writeback" / "inventory_movements" / "WB-000001.csv").is_file()
    code, out = onhand(people, "writeback", "list", "--user", "aud", "--password-stdin", stdin=PW + "\n")
    assert code == 0 and "WB-000001" in out and "posted" in out and "-10.00" in out
    code, out = onhand(people, "audit", "verify")
    assert code == 0 and "The audit trail verifies" in out


def test_the_preview_shows_value_and_rule_and_dry_run_requests_nothing(people: Workspace) -> None:
    code, out = onhand(people, "writeback", "request", "--user", "cleo", "--password-stdin", "--item",
                       "MID", "--location", LOCATION, "--qty", "-10", "--reason", "LOSS", "--finding",
                       "AF-1", "--dry-run", stdin=PW + "\n")
    assert code == 0 and "-3000.00" in out and "a controller" in out
    code, out = onhand(people, "writeback", "list", "--user", "aud", "--password-stdin", stdin=PW + "\n")
    assert "WB-0" not in out


def test_reject_with_reason_and_refusals_exit_1_with_the_reason(people: Workspace) -> None:
    request_id = request(people, "--item", "CHEAP", "--location", LOCATION, "--qty", "2",
                         "--reason", "FOUND", "--finding", "AF-3")
    code, out = onhand(people, "writeback", "approve", request_id, "--user", "cleo", "--password-stdin",
                       stdin=PW + "\n")
    assert code == 1 and "may not approve" in out
    code, out = onhand(people, "writeback", "approve", request_id, "--user", "abe", "--password-stdin",
                       stdin="wrong\n")
    assert code == 1 and "login failed" in out
    code, out = onhand(people, "writeback", "reject", request_id, "--reason", "found in the wrong bin",
                       "--user", "cora", "--password-stdin", stdin=PW + "\n")
    assert code == 0 and "rejected: found in the wrong bin" in out
    code, out = onhand(people, "writeback", "approve", request_id, "--user", "abe", "--password-stdin",
                       stdin=PW + "\n")
    assert code == 1 and "rejected already" in out and "Traceback" not in out


def test_a_status_change_from_the_command_line(people: Workspace) -> None:
    request_id = request(people, "--item", "CHEAP", "--to-status", "blocked", "--reason", "RECALL")
    code, out = onhand(people, "writeback", "approve", request_id, "--user", "abe", "--password-stdin",
                       stdin=PW + "\n")
    assert code == 0 and "item_status_changes/WB-000001.csv" in out


def test_users_grant_revoke_deactivate_review(people: Workspace) -> None:
    admin = ("--user", "root", "--password-stdin")
    assert onhand(people, "users", "grant", "cleo", "--role", "approver", *admin, stdin=ADMIN_PW)[0] == 0
    assert onhand(people, "users", "revoke", "cleo", "--role", "approver", *admin, stdin=ADMIN_PW)[0] == 0
    code, out = onhand(people, "users", "grant", "aud", "--role", "clerk", *admin, stdin=ADMIN_PW)
    assert code == 1 and "segregation of duties" in out
    assert onhand(people, "users", "deactivate", "abe", *admin, stdin=ADMIN_PW)[0] == 0
    code, out = onhand(people, "users", "review", "--user", "aud", "--password-stdin", stdin=PW)
    assert code == 0 and "abe" in out and "No activity after leaving." in out
    code, out = onhand(people, "users", "list", "--user", "cleo", "--password-stdin", stdin=PW)
    assert code == 1 and "may not list users" in out
    code, out = onhand(people, "audit", "log", "--user", "aud", "--password-stdin", "--action",
                       "role_revoked", stdin=PW)
    assert code == 0 and "cleo" in out and "abe" in out and "approver" in out


def test_backup_and_restore_from_the_command_line(people: Workspace, tmp_path: Path) -> None:
    admin = ("--user", "root", "--password-stdin")
    target = tmp_path / "wb-backup.sqlite"
    code, out = onhand(people, "writeback", "backup", str(target), *admin, stdin=ADMIN_PW)
    assert code == 0 and "audit head" in out and target.is_file()
    request(people, "--item", "CHEAP", "--location", LOCATION, "--qty", "1", "--reason", "FOUND",
            "--finding", "AF-1")
    code, out = onhand(people, "writeback", "restore", str(target), *admin, stdin=ADMIN_PW)
    assert code == 0 and "Restored" in out
    code, out = onhand(people, "writeback", "list", "--user", "aud", "--password-stdin", stdin=PW)
    assert "WB-000001" not in out


def test_a_missing_password_line_is_a_clear_error(people: Workspace) -> None:
    code, out = onhand(people, "users", "add", "x", "--role", "clerk", "--user", "root",
                       "--password-stdin", stdin=ADMIN_PW + "\n")
    assert code == 1 and "2 needed" in out


def test_simultaneous_approvals_from_separate_commands_post_once(people: Workspace) -> None:
    for user, role in [("abe2", "approver"), ("cora2", "controller")]:
        onhand(people, "users", "add", user, "--role", role, "--user", "root", "--password-stdin",
               stdin=f"{ADMIN_PW}\n{PW}\n")
    request_id = request(people, "--item", "CHEAP", "--location", LOCATION, "--qty", "-1",
                         "--reason", "LOSS", "--finding", "AF-1")
    command = [sys.executable, "-c", "from onhand.cli import app; app()", "writeback", "approve",
               request_id, "--password-stdin", "--home", str(people.root), "--user"]
    runs = [subprocess.Popen([*command, user], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, cwd=Path(__file__).parents[2])
            for user in ("abe", "abe2", "cora", "cora2")]
    outcomes = [run.communicate(PW + "\n", timeout=300) for run in runs]
    codes = sorted(run.returncode for run in runs)
    assert codes == [0, 1, 1, 1], outcomes
    assert sum("already" in out for out, _ in outcomes) == 3
    files = list((people.inbox / "writeback").rglob("*.csv"))
    assert [f.name for f in files] == ["WB-000001.csv"]
