"""What RQ itself costs per job, as the workers run jobs: no-op jobs through the worker class
`make run` starts (`worker.measured.MeasuredWorker`, a SimpleWorker) with the workers' logging
(`app.logs.setup`, JSON lines to stderr, here to /dev/null).

Usage: .venv/bin/python bench/rq_jobs.py [-n 1000] [--rounds 3] [--rq-log-level LEVEL]
                                         [--result-ttl SECONDS]

Starts a throwaway Redis, enqueues N jobs as the hand-off does (its result_ttl, or
`--result-ttl`), runs them in this process (burst), and prints per job: the worker's CPU
(process time), the Redis server's CPU (/proc) and the Redis commands it served.
`--rq-log-level INFO` puts back RQ's four lines per job to compare with what the workers log
(WARNING); `--result-ttl 0` is how the hand-off enqueued jobs before 3 December.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from rq import Queue  # noqa: E402

from app import logs  # noqa: E402
from app.services.core.queue import RESULT_TTL  # noqa: E402
from bench.checkout import server_cpu  # noqa: E402
from tests.support.servers import start_redis  # noqa: E402
from worker.measured import MeasuredWorker  # noqa: E402


def _commands(connection: Redis) -> int:
    return sum(v["calls"] for v in connection.info("commandstats").values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000, help="jobs per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rq-log-level", default=None, help="rq.worker's level (default: as set up)"
    )
    parser.add_argument(
        "--result-ttl", type=int, default=RESULT_TTL, help=f"default {RESULT_TTL}, as the hand-off"
    )
    args = parser.parse_args()
    server = start_redis()
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the log lines are written, then dropped
    try:
        logs.setup("json", "INFO")
        if args.rq_log_level:
            logging.getLogger("rq.worker").setLevel(args.rq_log_level.upper())
        connection = Redis.from_url(server.url)
        queue = Queue("bench-rq-jobs", connection=connection)
        worker_ms, redis_ms, commands = [], [], []
        for _ in range(args.rounds):
            for value in range(args.n):
                # a no-op job
                queue.enqueue("builtins.abs", value, result_ttl=args.result_ttl, failure_ttl=3600)
            worker = MeasuredWorker([queue], connection=connection)
            redis_before, commands_before = server_cpu(server.process.pid), _commands(connection)
            started = time.process_time()
            worker.work(burst=True)
            worker_ms.append((time.process_time() - started) / args.n * 1000)
            redis_ms.append((server_cpu(server.process.pid) - redis_before) / args.n * 1000)
            commands.append((_commands(connection) - commands_before) / args.n)
    finally:
        sys.stderr = sys.__stderr__
        server.stop()
    level = logging.getLevelName(logging.getLogger("rq.worker").getEffectiveLevel())
    print(
        f"{args.rounds} rounds of {args.n} no-op jobs, rq.worker logging at {level}, "
        f"result_ttl {args.result_ttl}"
    )
    print(f"  worker CPU per job   {', '.join(f'{ms:.2f}' for ms in worker_ms)} ms", end="")
    print(f" (median {statistics.median(worker_ms):.2f})")
    print(f"  Redis CPU per job    {', '.join(f'{ms:.2f}' for ms in redis_ms)} ms")
    print(f"  Redis commands / job {statistics.median(commands):.1f}")


if __name__ == "__main__":
    main()
