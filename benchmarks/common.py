"""Shared benchmark plumbing: sample companies cached per scale, child-process timing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent
WORK = Path(os.environ.get("ONHAND_BENCH_WORK", "/tmp/onhand-bench"))
RESULTS = ROOT / "results"


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    output: str


def company(scale: str, seed: int = 42) -> Path:
    """The generated sample company for ``scale`` (generated once, then reused)."""
    out = WORK / f"company-{scale}-{seed}"
    if not (out / "ground_truth").exists():
        run([sys.executable, "-m", "onhand", "generate", "--scale", scale, "--seed", str(seed),
             "--out", str(out)])
    return out


def run(argv: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run a child process; its wall time and peak resident memory (children included)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})}, text=True)
    watched = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = watched.memory_info().rss + sum(
                c.memory_info().rss for c in watched.children(recursive=True))
            peak = max(peak, rss)
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    output = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{output}")
    return Measured(time.perf_counter() - started, peak / 2**20, output)


def write_result(name: str, markdown: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    path.write_text(markdown, encoding="utf-8")
    return path
