"""Ingestion throughput and peak memory, side by side with a plain DuckDB baseline.

Onhand: `onhand ingest` into an empty workspace (read, validate, type,
de-duplicate, write batches with manifests). Baseline: DuckDB converting the
same inbox files to Parquet with no validation at all (CSV via read_csv, JSONL
via read_json, Parquet copied through). Both run as child processes on the
same files: the sample company's CSV files alone (the comparison the
foundation issue names), then all its files in all three formats. The target
is at least half the baseline's rows per second.

    .venv/bin/python -m benchmarks.ingest --scale demo --scale medium
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from benchmarks.common import WORK, company, run, write_result

BASELINE = r"""
import sys, duckdb
from pathlib import Path
inbox, out = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect()
rows = 0
for i, f in enumerate(sorted(p for p in inbox.rglob("*.*"))):
    reader = {".csv": "read_csv", ".jsonl": "read_json", ".parquet": "read_parquet"}[f.suffix]
    target = out / f"{i}.parquet"
    con.execute(f"COPY (SELECT * FROM {reader}('{f}')) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    rows += con.execute(f"SELECT count(*) FROM '{target}'").fetchone()[0]
print(rows)
"""


def csv_only(scale: str) -> Path:
    """The sample company's CSV files alone (the ERP's and the MES's), as an inbox of their own."""
    inbox = WORK / f"csv-{scale}" / "inbox"
    if not inbox.exists():
        for path in (company(scale) / "inbox").rglob("*.csv"):
            target = inbox / path.relative_to(company(scale) / "inbox")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return inbox


def bench(scale: str, inbox: Path) -> tuple[str, int, float, float, float, float]:
    home = WORK / f"ingest-{scale}"
    shutil.rmtree(home, ignore_errors=True)
    ours = run([sys.executable, "-m", "onhand", "ingest", str(inbox), "--home", str(home)],
               env={"COLUMNS": "200"})
    base_out = WORK / f"baseline-{scale}"
    shutil.rmtree(base_out, ignore_errors=True)
    base_out.mkdir(parents=True)
    base = run([sys.executable, "-c", BASELINE, str(inbox), str(base_out)])
    rows = int(base.output.strip().splitlines()[-1])
    return scale, rows, ours.seconds, ours.peak_rss_mb, base.seconds, base.peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", action="append", choices=["demo", "medium", "large"])
    scales = parser.parse_args().scale or ["demo", "medium"]
    lines = [
        "| scale | files | rows in inbox | onhand ingest s | rows/s | peak MB | DuckDB baseline s | rows/s "
        "| peak MB | onhand / baseline throughput |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale in scales:
        for label, inbox in (("CSV only", csv_only(scale)), ("all formats", company(scale) / "inbox")):
            name, rows, s, mem, bs, bmem = bench(scale, inbox)
            lines.append(f"| {name} | {label} | {rows:,} | {s:.1f} | {rows / s:,.0f} | {mem:,.0f} | {bs:.1f} "
                         f"| {rows / bs:,.0f} | {bmem:,.0f} | {bs / s:.2f} |")
            print(lines[-1], flush=True)
    path = write_result("ingest", "\n".join(lines) + "\n")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
