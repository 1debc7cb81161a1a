"""The `onhand` command line: thin commands over the pipeline's stages.

Each command parses its options, calls one domain function and prints what it
did. Errors a person can act on (:class:`lakehouse.errors.OnhandError`) become
one message on stderr and exit code 1, here and nowhere else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from lakehouse.workspace import Workspace
from onhand import pipeline
from onhand.cli_support import HomeOption, console, handled

app = typer.Typer(
    name="onhand",
    help="Onhand: one trusted inventory ledger from your ERP, WMS, MES, web shop and supplier portal.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
ScaleOption = Annotated[
    str, typer.Option("--scale", help="Sample company size: demo (~200k movements), medium (~2M), large (~20M).")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same files.")]


@app.command()
@handled
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after the data stages; do not start the dashboard.")] = False,
    scale: ScaleOption = "demo",
    seed: SeedOption = 42,
    home: HomeOption = None,
) -> None:
    """Generate the sample company, ingest, build, mine, reconcile, and serve the dashboard.

    On a workspace that already holds a sample company, the company is reused
    and only new inbox files are landed.
    """
    from dashboards.writeback import ensure_demo_accounts, login_help

    ws = Workspace.resolve(home)
    result = pipeline.demo(ws, scale=scale, seed=seed, console=console)
    if result.failed:
        raise typer.Exit(1)
    cli_mining.mine(home=ws.root)
    cli_reconcile.reconcile(home=ws.root)
    console.print(login_help(ensure_demo_accounts(ws)))
    if not no_serve:
        pipeline.serve(ws, port=8501, address="127.0.0.1", console=console)


@app.command()
@handled
def generate(
    scale: ScaleOption = "demo",
    seed: SeedOption = 42,
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write inbox/ and ground_truth/ into (default: the workspace).", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Write a realistic sample company's source-system files into an inbox.

    Writes OUT/inbox/<source>/<entity>/ in CSV, JSONL and Parquet as the
    source systems would, and OUT/ground_truth/ with every injected anomaly
    (the pipeline never reads it).
    """
    target = out.resolve() if out else Workspace.resolve(home).root
    report = pipeline.generate(target, scale=scale, seed=seed, console=console)
    console.print(report.summary())
    console.print(f"Next: [bold]onhand ingest {target / 'inbox'}[/]")


@app.command()
@handled
def ingest(
    inbox: Annotated[Path | None, typer.Argument(help="Drop folder with <source>/<entity>/ files (default: $ONHAND_HOME/inbox).", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Land new inbox files into the lake: validate, type, de-duplicate, stamp a batch.

    Files already landed are skipped. Rejected rows are kept in lake/rejects
    with their reason; a file that cannot be read at all is reported and the
    rest still lands. Exits 1 if any file failed.
    """
    report = pipeline.ingest(Workspace.resolve(home), inbox, console=console)
    if report.failed:
        raise typer.Exit(1)


@app.command()
@handled
def build(
    as_of: Annotated[datetime | None, typer.Option("--as-of", help="Point-in-time rebuild: only batches landed by this UTC moment (ISO 8601), into a separate file.", formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"], show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Warehouse file to write (default: $ONHAND_HOME/warehouse.duckdb, or warehouse_asof_<T>.duckdb with --as-of).", show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Build the warehouse from the lake (dbt build: models and tests) and swap it in atomically.

    The build writes a new file and replaces the old one only when every model
    and test passed; a failed build names the failing node and leaves the
    previous warehouse in place.
    """
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    pipeline.build(Workspace.resolve(home), as_of=as_of, out=out, console=console)


@app.command()
@handled
def serve(
    port: Annotated[int, typer.Option("--port", help="Port for the dashboard.")] = 8501,
    address: Annotated[str, typer.Option("--address", help="Address to listen on (0.0.0.0 to share on the network; then require logins, see docs/writeback.md).")] = "127.0.0.1",
    home: HomeOption = None,
) -> None:
    """Serve the dashboard on the warehouse (read-only; keeps working while a build swaps the file)."""
    pipeline.serve(Workspace.resolve(home), port=port, address=address, console=console)


@app.command()
@handled
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query on the warehouse.")],
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    max_rows: Annotated[int, typer.Option("--max-rows", help="Stop after this many rows.")] = 10_000,
    home: HomeOption = None,
) -> None:
    """Run a read-only query on the warehouse: no files, no settings, no writes (as the app's workbench)."""
    pipeline.sql(Workspace.resolve(home), query, output=format, max_rows=max_rows, console=console)


@app.command()
@handled
def docs(
    port: Annotated[int, typer.Option("--port", help="Port to serve the site on (localhost).")] = 8081,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only print where the site is.")] = False,
    home: HomeOption = None,
) -> None:
    """Serve the warehouse documentation for analysts: every mart, its grain, columns, tests, lineage.

    The site is generated by each `onhand build` from the warehouse it documents.
    """
    ws = Workspace.resolve(home)
    if no_serve:
        console.print(f"Documentation site: {pipeline.docs_site(ws) / 'index.html'}")
        return
    pipeline.serve_docs(ws, port=port, console=console)


# The write-back's command groups (users, writeback, audit) live in their own module.
from onhand.cli_writeback import register  # noqa: E402

register(app)


from onhand import cli_mining  # noqa: E402  (command modules register after the core commands)

app.command(name="mine")(cli_mining.mine)

from onhand import cli_reconcile  # noqa: E402

app.command(name="reconcile")(cli_reconcile.reconcile)
