"""`onhand reconcile`: cross-system reconciliation alerts after a build (registered in onhand.cli)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from lakehouse.reconcile import ReconcileReport, state_file
from lakehouse.reconcile import reconcile as run_reconcile
from lakehouse.workspace import Workspace
from onhand.cli_support import HomeOption, console, handled

NEW_GAPS_EXIT_CODE = 3
"""Exit code of `--fail-on-new` when there are new gaps (1 stays "the command failed")."""
SHOWN = 50


def _table(report: ReconcileReport) -> Table:
    table = Table(title="New reconciliation gaps", title_justify="left")
    for name in ("gap", "site", "item", "location", "system vs authority", "gap qty", "gap value",
                 "first seen", "age (days)", "open"):
        table.add_column(name, justify="right" if name in ("gap qty", "gap value", "age (days)") else "left")
    for a in report.new[:SHOWN]:
        table.add_row(a.gap_id[:12], a.site_id, a.item_id, a.location_id,
                      f"{a.compared_source} vs {a.authority_source}", f"{a.gap_qty.normalize():f}",
                      f"{a.gap_value:,.2f}", a.first_seen_on.isoformat(), str(a.age_days),
                      "yes" if a.is_open else "no")
    return table


@handled
def reconcile(
    fail_on_new: Annotated[bool, typer.Option("--fail-on-new", help=f"Exit with code {NEW_GAPS_EXIT_CODE} when this build has gaps never alerted before (for schedulers).")] = False,
    hook: Annotated[str | None, typer.Option("--hook", help="Shell command to run when there are new gaps; it gets them as JSON on standard input and in $ONHAND_ALERTS_FILE (default: the hook of section reconcile in $ONHAND_HOME/onhand.toml).", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Alert on cross-system reconciliation gaps that are new since the last run.

    Reads audit.audit_reconciliation_gaps of the current warehouse, compares them with the
    gaps already alerted (remembered in $ONHAND_HOME/reconcile/known_gaps.json across
    builds), publishes audit.reconciliation_alerts into the warehouse, and runs the hook
    when there are new gaps. Running it again on the same build reports the same new gaps.
    """
    ws = Workspace.resolve(home)
    report = run_reconcile(ws, hook=hook)
    if report.new:
        console.print(_table(report))
        if len(report.new) > SHOWN:
            console.print(f"… and {len(report.new) - SHOWN:,} more: SELECT * FROM "
                          "audit.reconciliation_alerts WHERE is_new")
    console.print(f"Build {report.build_id}: {len(report.alerts):,} reconciliation gaps "
                  f"({report.open_gaps:,} still open), {len(report.new):,} new. "
                  f"Known gaps: {state_file(ws)}")
    if report.hook is not None:
        console.print(f"Hook `{report.hook.command}` ran (exit {report.hook.exit_code}).")
    if fail_on_new and report.new:
        raise typer.Exit(NEW_GAPS_EXIT_CODE)
