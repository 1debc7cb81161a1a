"""Build time of the KPI marts (models/marts/kpi) per scale.

For each scale: take the warehouse `benchmarks.build` built for it (building it first if
missing), copy it, and time `dbt build --select path:models/marts/kpi` (the KPI seeds, models,
unit tests and data tests) on the copy as a child process; then read dbt's run results for the
models' own execution time and the slowest model. The rest of the build is untouched, so the
figure is what the KPI marts add to every `onhand build`.

    .venv/bin/python -m benchmarks.marts --scale demo --scale medium
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import duckdb

from benchmarks.build import landed_home
from benchmarks.common import WORK, run, write_result
from lakehouse.build import BUILD_PATH_ENV, DBT_PROJECT

KPI_SELECTION = ["path:models/marts/kpi", "path:seeds/kpi_settings.csv", "path:seeds/kpi_storage_rates.csv",
                 "path:seeds/kpi_service_levels.csv"]


def built_warehouse(scale: str) -> Path:
    home = Path(landed_home(scale))
    if not (home / "warehouse.duckdb").exists():
        run([sys.executable, "-m", "onhand", "build", "--home", str(home)], env={"COLUMNS": "200"})
    return home / "warehouse.duckdb"


def bench_marts(scale: str) -> str:
    work = WORK / f"marts-{scale}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    copy = work / "warehouse.duckdb"
    shutil.copyfile(built_warehouse(scale), copy)
    dbt = str(Path(sys.executable).with_name("dbt"))
    measured = run([dbt, "build", "--select", *KPI_SELECTION, "--project-dir", str(DBT_PROJECT),
                    "--profiles-dir", str(DBT_PROJECT), "--target-path", str(work / "target"),
                    "--log-path", str(work / "logs"), "--quiet"], env={BUILD_PATH_ENV: str(copy)})
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    models = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results
              if r["unique_id"].startswith("model.")]
    tests = sum(r["execution_time"] for r in results if r["unique_id"].startswith(("test.", "unit_test.")))
    slowest, slowest_s = max(models, key=lambda m: m[1])
    with duckdb.connect(str(copy), read_only=True) as con:
        movements = con.execute("SELECT count(*) FROM marts.fct_inventory_ledger").fetchone()[0]
        areas = con.execute("SELECT count(*) FROM marts.mart_abc_xyz").fetchone()[0]
    return (f"| {scale} | {movements:,} | {areas:,} | {measured.seconds:.1f} | "
            f"{sum(s for _, s in models):.1f} | {tests:.1f} | {slowest} {slowest_s:.1f} | "
            f"{measured.peak_rss_mb:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", action="append", choices=["demo", "medium", "large"])
    args = parser.parse_args()
    lines = ["| scale | ledger movements | item x site areas | dbt build of the KPI marts s (wall) "
             "| models s | tests s | slowest model s | peak MB |",
             "|---|---:|---:|---:|---:|---:|---|---:|"]
    for scale in args.scale or ["demo"]:
        lines.append(bench_marts(scale))
        print(lines[-1], flush=True)
    print(f"written to {write_result('marts', chr(10).join(lines) + chr(10))}")


if __name__ == "__main__":
    main()
