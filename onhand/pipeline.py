"""The pipeline: each stage with its progress display and its account of what it did.

`demo` chains the stages that exist: generate (unless the workspace already
holds a sample company), ingest, and the later stages as they are built.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingestion.contract import lake_schema
from ingestion.land import IngestReport, land_inbox
from lakehouse.build import BuildReport, build_warehouse, docs_site
from lakehouse.workspace import Workspace

if TYPE_CHECKING:
    from ingestion.synthetic import GenerateReport


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}", style="dim"), TimeElapsedColumn(),
        console=console, transient=True,
    )


def generate(out: Path, *, scale: str, seed: int, console: Console) -> GenerateReport:
    """Write the sample company into ``out``/inbox and ``out``/ground_truth."""
    from ingestion.synthetic import generate as generate_company  # numpy-heavy: load on use

    with _progress(console) as bar:
        task = bar.add_task("Generating", total=None, detail="")

        def step(label: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, detail=label)

        return generate_company(out, scale=scale, seed=seed, progress=step)


def ingest(ws: Workspace, inbox: Path | None, *, console: Console) -> IngestReport:
    """Land the inbox and print a table per source and entity, and every failure."""
    with _progress(console) as bar:
        task = bar.add_task("Landing", total=None, detail="")

        def step(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, detail=label)

        report = land_inbox(ws, inbox, progress=step)
    for batch in report.recovered:
        console.print(f"Completed batch {batch}, left ready by an interrupted run.")
    if report.discarded:
        console.print(f"Discarded {len(report.discarded)} unfinished batch(es) of an interrupted run; "
                      "their files landed again below.")
    console.print(ingest_table(report))
    for failure in report.failed:
        console.print(f"[bold red]not landed:[/] {failure.message}", highlight=False)
    unchanged = sum(1 for o in report.outcomes if o.status == "unchanged")
    console.print(
        f"Landed {report.totals('landed'):,} rows from {len(report.landed_files)} new file(s) "
        f"in {report.seconds:.1f} s; {report.totals('rejected'):,} rejected, "
        f"{report.totals('duplicates'):,} duplicates, {unchanged} file(s) unchanged, "
        f"{len(report.failed)} failed. Lake: {ws.lake}"
    )
    if report.totals("rejected"):
        console.print(f"Rejected rows and their reasons: {ws.rejects}")
    return report


def ingest_table(report: IngestReport) -> Table:
    table = Table(title=f"Ingested from {report.inbox}", title_justify="left")
    table.add_column("source")
    table.add_column("entity", no_wrap=True, min_width=len("operation_confirmations"))
    for name in ("files", "rows in", "landed", "rejected", "duplicates"):
        table.add_column(name, justify="right")
    for source, entity, files, rows_in, landed, rejected, dups in report.by_entity():
        table.add_row(source, entity, f"{files:,}", f"{rows_in:,}", f"{landed:,}",
                      f"{rejected:,}", f"{dups:,}")
    if not report.by_entity():
        table.add_row("—", "no new files", "0", "0", "0", "0", "0")
    return table


def demo(ws: Workspace, *, scale: str, seed: int, console: Console) -> IngestReport:
    """Generate (or reuse) the sample company in ``ws``, land it and build the warehouse."""
    ws.ensure()
    if any(ws.inbox.rglob("*.*")):
        console.print(f"Reusing the sample company already in {ws.inbox}.")
    else:
        console.print(f"Generating the {scale} sample company (seed {seed}) into {ws.root} …")
        console.print(generate(ws.root, scale=scale, seed=seed, console=console).summary())
    report = ingest(ws, None, console=console)
    if report.landed_files or not ws.warehouse.exists():
        build(ws, as_of=None, out=None, console=console)
    else:
        console.print(f"Nothing new landed; the warehouse {ws.warehouse} is current.")
    return report


def serve(ws: Workspace, *, port: int, address: str, console: Console) -> None:
    """Run the dashboard (Streamlit) on the workspace's warehouse until Ctrl+C."""
    import os
    import subprocess

    from dashboards.server import command
    from lakehouse.warehouse import version

    version(ws.warehouse)  # a clear error now rather than an empty app
    console.print(f"Dashboard on {ws.warehouse}: [bold]http://{address}:{port}/[/]  (Ctrl+C to stop)")
    try:
        subprocess.run(command(port, address), env={**os.environ, "ONHAND_HOME": str(ws.root)}, check=False)
    except KeyboardInterrupt:
        console.print("Stopped.")


def serve_docs(ws: Workspace, *, port: int, console: Console) -> None:
    """Serve the analysts' documentation site (models, columns, tests, lineage) until Ctrl+C."""
    import functools
    import http.server

    site = docs_site(ws)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        console.print(f"Documentation for {ws.warehouse}: http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            console.print("Stopped.")


def build(ws: Workspace, *, as_of: datetime | None, out: Path | None, console: Console) -> BuildReport:
    """Build the warehouse from the lake with dbt and swap it in; say what was built."""
    with _progress(console) as bar:
        task = bar.add_task("Building", total=None, detail="parsing the dbt project")

        def step(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, detail=label)

        report = build_warehouse(ws, lake_schema(), as_of=as_of, out=out, progress=step)
    console.print(
        f"Built {report.path} in {report.seconds:.1f} s from {report.batches:,} lake batches"
        + (f" landed by {report.as_of.isoformat()}" if report.as_of else "")
        + f": {report.count('model')} models, {report.count('seed')} seeds, "
        f"{report.count('snapshot')} snapshots, {report.count('test', 'pass')} tests and "
        f"{report.count('unit_test', 'pass')} unit tests passed (build {report.build_id})."
    )
    return report


def sql(ws: Workspace, text: str, *, output: str, max_rows: int, console: Console) -> None:
    """Run a read-only query (the workbench's sandbox) and print it as a table, CSV or JSON."""
    import sys

    from dashboards.sqlbox import QueryRejected, run

    if output not in ("table", "csv", "json"):
        raise QueryRejected(f"unknown format {output!r}", where="--format", fix="use table, csv or json")
    result = run(ws.warehouse, text, max_rows=max_rows)
    frame = result.frame
    if output == "csv":
        sys.stdout.write(frame.write_csv())
    elif output == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        table = Table(show_lines=False)
        for name in frame.columns:
            table.add_column(name, justify="right" if frame.schema[name].is_numeric() else "left")
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else f"{v:,}" if isinstance(v, int) else str(v) for v in row))
        console.print(table)
        console.print(f"{frame.height:,} row(s) in {result.seconds * 1000:,.0f} ms"
                      + (f"; cut at {max_rows:,} rows" if result.truncated else "") + ".")
