"""Benchmark: the scaling curve of bench/throughput.py, W workers + W load drivers for each W.

For each W of `--curve` it runs bench/throughput.py on a fresh stack (PostgreSQL, Redis, the
simulators, run.sh's worker line with W warm worker processes) with W driver processes and
max(-m, 4 W) dossiers in flight, and prints one table: completed dossiers/s, the speed-up over
the first W, the dossier p50/p95, the load average after the run, and whether the run was
correct. Every run's own output goes to `--keep`/curve-W<w>.log (or a temporary folder).
Usage: .venv/bin/python bench/throughput_curve.py [--curve 1,2,4,8,16] [-n 1000] [-m 8]
       [--path counter|online|c1] [--fast] [--bare 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THROUGHPUT = ROOT / "bench" / "throughput.py"
RATE = re.compile(r"completed dossiers/s\s+([\d.]+)\s+\((\d+) in ([\d.]+) s")
DOSSIER = re.compile(r"dossier: receive → last step done\s+(\d+)\s+([\d.]+)\s+([\d.]+)")
LOAD = re.compile(r"load average \(1/5/15 min\) before ([\d./]+), after ([\d./]+)")


@dataclass
class Point:
    workers: int
    in_flight: int
    rate: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    load_after: str = "?"
    correct: bool = False


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--curve", default="1,2,4,8,16", help="worker counts (default 1,2,4,8,16)")
    parser.add_argument("-n", type=int, default=1000, help="dossiers per point (default 1000)")
    parser.add_argument("-m", type=int, default=8, help="least dossiers in flight (default 8)")
    parser.add_argument("--path", choices=("counter", "online", "c1"), default="counter")
    parser.add_argument("--fast", action="store_true", help="PostgreSQL without fsync")
    parser.add_argument("--bare", type=int, default=20, help="bare engine runs per point")
    parser.add_argument("--keep", help="keep each run's output in this folder")
    args = parser.parse_args()
    try:
        args.counts = [int(w) for w in args.curve.split(",") if w.strip()]
    except ValueError:
        parser.error("--curve takes worker counts separated by commas, e.g. 1,2,4")
    if not args.counts or min(args.counts) < 1:
        parser.error("--curve takes worker counts of at least 1")
    return args


def run_point(args: argparse.Namespace, workers: int, folder: Path) -> Point:
    point = Point(workers, max(args.m, 4 * workers))
    argv = [sys.executable, str(THROUGHPUT), "-n", str(args.n), "-m", str(point.in_flight)]
    argv += ["--path", args.path, "--workers", str(workers), "--drivers", str(workers)]
    argv += ["--bare", str(args.bare), "--fast" if args.fast else "--durable"]
    log = folder / f"curve-W{workers}.log"
    with log.open("w") as out:
        done = subprocess.run(  # nosec B603 # this Python, the bench's own script
            argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    text = log.read_text()
    point.correct = done.returncode == 0 and "\ncorrect:" in text
    if found := RATE.search(text):
        point.rate = float(found.group(1))
    if found := DOSSIER.search(text):
        point.p50, point.p95 = float(found.group(2)), float(found.group(3))
    if found := LOAD.search(text):
        point.load_after = found.group(2)
    return point


def main() -> None:
    args = arguments()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-curve-"))
    folder.mkdir(parents=True, exist_ok=True)
    points = []
    for workers in args.counts:
        print(f"W = {workers}: running ({folder / f'curve-W{workers}.log'})", flush=True)
        points.append(run_point(args, workers, folder))
    first = points[0].rate or float("nan")
    print(f"\n== scaling curve, {args.path} path, {args.n} dossiers per point")
    print(
        f"  {'W':>3}{'in flight':>11}{'dossiers/s':>12}{'speed-up':>10}"
        f"{'p50 ms':>10}{'p95 ms':>10}  {'load after':<19}correct"
    )
    for p in points:
        print(
            f"  {p.workers:>3}{p.in_flight:>11}{p.rate:>12.2f}{p.rate / first:>9.2f}×"
            f"{p.p50:>10.0f}{p.p95:>10.0f}  {p.load_after:<19}{'yes' if p.correct else 'NO'}"
        )
    print(f"\nruns' output: {folder}")
    if not all(p.correct for p in points):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
