"""The CLI: help on every command, clear failures with exit 1, and what each command says it did."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lakehouse.lake import Lake
from lakehouse.workspace import Workspace
from onhand.cli import app
from tests.inbox import drop, movement

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]


def test_every_command_has_help() -> None:
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "--home" in result.output


def test_ingest_prints_a_table_and_the_totals(ws: Workspace) -> None:
    drop(ws, [movement(1), movement(1), movement(2, qty="x")])
    result = runner.invoke(app, ["ingest", "--home", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "erp" in result.output and "inventory_movements" in result.output
    assert "Landed 1 rows from 1 new file(s)" in result.output
    assert "1 rejected, 1 duplicates" in result.output


def test_ingest_of_a_bad_file_names_it_and_exits_1_after_landing_the_rest(ws: Workspace) -> None:
    drop(ws, [movement(1)], name="good")
    drop(ws, [{"movement_id": "M1", "quantity": "3"}], name="bad")
    result = runner.invoke(app, ["ingest", "--home", str(ws.root)])
    assert result.exit_code == 1
    assert "not landed:" in result.output and "bad.csv" in result.output
    assert "Landed 1 rows" in result.output


def test_ingest_while_another_writer_runs_is_a_message_not_a_traceback(ws: Workspace) -> None:
    with Lake(ws).write_lock():
        result = runner.invoke(app, ["ingest", "--home", str(ws.root)])
    assert result.exit_code == 1
    assert "error:" in result.output and "another process" in result.output
    assert "Traceback" not in result.output


def test_ingest_of_a_missing_folder_says_what_to_do(ws: Workspace) -> None:
    result = runner.invoke(app, ["ingest", str(ws.root / "nope"), "--home", str(ws.root)])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "onhand generate" in result.output


@pytest.mark.slow
def test_demo_twice_reuses_the_workspace(ws: Workspace) -> None:
    first = runner.invoke(app, ["demo", "--no-serve", "--home", str(ws.root)])
    assert first.exit_code == 0, first.output
    assert "Generating the demo sample company" in first.output
    batches = len(Lake(ws).manifests())
    assert batches > 10
    assert "Mined" in first.output and "mining.*" in first.output
    assert "reconciliation gaps" in first.output
    assert "Demo accounts" in first.output and "demo-approver" in first.output
    second = runner.invoke(app, ["demo", "--no-serve", "--home", str(ws.root)])
    assert second.exit_code == 0, second.output
    assert "Reusing the sample company" in second.output
    assert "Landed 0 rows from 0 new file(s)" in second.output
    assert len(Lake(ws).manifests()) == batches


def test_serve_without_a_warehouse_says_to_build_first(ws: Workspace) -> None:
    result = runner.invoke(app, ["serve", "--home", str(ws.root)])
    assert result.exit_code == 1
    assert "onhand build" in result.output and "Traceback" not in result.output


def test_sql_prints_csv_and_refuses_files(sample_company: Workspace) -> None:
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM marts.dim_location", "--format", "csv",
                                 "--home", str(sample_company.root)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "n" and int(result.output.splitlines()[1]) > 0
    refused = runner.invoke(app, ["sql", "COPY marts.dim_location TO '/tmp/x.csv'", "--home",
                                  str(sample_company.root)])
    assert refused.exit_code == 1 and "file system operations are disabled" in refused.output
