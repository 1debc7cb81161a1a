"""`onhand mine`: process mining of posting delays (registered in onhand.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lakehouse.workspace import Workspace
from onhand.cli_support import HomeOption, console, handled


def _progress() -> Progress:
    return Progress(TextColumn("[bold]Mining"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[detail]}", style="dim"), TimeElapsedColumn(),
                    console=console, transient=True)


@handled
def mine(
    ocel: Annotated[Path | None, typer.Option("--ocel", help="Mine this external OCEL 2.0 log (.jsonocel, .xmlocel or .sqlite) instead of the warehouse's own, one case-centric view per object type.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="With --ocel: DuckDB file to write the mining.* results into (default: the workspace warehouse).", show_default=False)] = None,
    export_ocel: Annotated[Path | None, typer.Option("--export-ocel", help="Only export the warehouse's object-centric event log to this OCEL 2.0 file (format from the extension: .jsonocel, .xmlocel or .sqlite).", show_default=False)] = None,
    process: Annotated[list[str] | None, typer.Option("--process", metavar="PROCESS", help="With --export-ocel: export only this process (repeatable): procurement, production, fulfilment, transfer, consignment, stock_control.", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Mine where and why postings lag behind physical events, after a build.

    Computes over every case of the warehouse's event log the performance directly-follows
    graphs, variants, flow deviations and bottlenecks (DuckDB), discovers a model and checks
    conformance against the expected flow of each process (PM4Py, on the variants), renders
    the process maps, and publishes it all as mining.* tables in the warehouse.
    """
    from process_mining import mine as mining  # PM4Py and pandas: load on use

    ws = Workspace.resolve(home)
    if export_ocel is not None:
        counts = mining.export_ocel(ws, export_ocel.resolve(), process)
        console.print(f"Exported {counts.events:,} events, {counts.objects:,} objects and "
                      f"{counts.relations:,} event-to-object relations as OCEL 2.0 to {export_ocel}.")
        return
    with _progress() as bar:
        task = bar.add_task("Mining", total=None, detail="")

        def step(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, detail=label)

        if ocel is not None:
            report = mining.mine_ocel(ocel.resolve(), ws, out=out.resolve() if out else None,
                                      progress=step)
        else:
            report = mining.mine_warehouse(ws, progress=step)
    table = Table(title=f"Processes of {report.log}", title_justify="left")
    for name in ("process", "cases", "variants", "fit expected flow", "flow deviations"):
        table.add_column(name, justify="left" if name == "process" else "right")
    for row in report.processes:
        share = row.fitting_share
        table.add_row(row.process, f"{row.cases:,}", f"{row.variants:,}",
                      "n/a" if share is None else f"{share:.1%}", f"{row.deviations:,}")
    console.print(table)
    console.print(report.summary())
    console.print("Next: [bold]onhand sql \"select * from mining.bottlenecks\"[/] "
                  "(or mining.variants, mining.flow_deviations, mining.mart_cutoff_exposure)")
