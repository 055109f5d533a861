"""The cost of taking a pooled PostgreSQL connection: the project's engine (a dropped connection
found by polling its socket) against pool_pre_ping (a round trip on every checkout).

Usage: .venv/bin/python bench/checkout.py [-n 3000]

Runs N short transactions (one primary-key read each, as the outbox's claims and the officers'
steps are) on each engine in turns, on a fresh PostgreSQL, and prints per transaction the CPU
of this process and of the server process serving it (/proc), and the wall time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from app.storage.db import Database, normalise_url  # noqa: E402
from tests.support.servers import start_postgres  # noqa: E402

ROUNDS = 5


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of the server process `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(database: Database, n: int) -> tuple[float, float, float]:
    """n transactions; (client CPU, server CPU, wall) seconds."""
    with database.transaction() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    cpu, server, wall = time.process_time(), server_cpu(pid), time.perf_counter()
    for i in range(n):
        with database.transaction() as session:
            session.execute(text("SELECT v FROM t WHERE id = :id"), {"id": i % 100}).first()
    return time.process_time() - cpu, server_cpu(pid) - server, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=3000, help="transactions per engine and round")
    args = parser.parse_args()
    server = start_postgres()
    try:
        url = normalise_url(server.url("postgres"))
        with create_engine(url).begin() as connection:
            connection.execute(text("CREATE TABLE t (id int PRIMARY KEY, v text)"))
            connection.execute(text("INSERT INTO t SELECT g, 'x' FROM generate_series(0, 99) g"))
        ours, pinged = Database(), Database()
        ours.configure(url)
        pinged.engine = create_engine(url, pool_size=10, pool_pre_ping=True)
        pinged._sessions = sessionmaker(pinged.engine, expire_on_commit=False)
        totals = {"the project's engine": [0.0, 0.0, 0.0], "pool_pre_ping": [0.0, 0.0, 0.0]}
        for _ in range(ROUNDS):  # in turns, so both see the same load on the machine
            for name, database in (("pool_pre_ping", pinged), ("the project's engine", ours)):
                for i, value in enumerate(run(database, args.n)):
                    totals[name][i] += value
        count = ROUNDS * args.n
        print(f"{count} transactions each, one indexed read; load average {os.getloadavg()[0]:.2f}")
        print(f"  {'':24} {'client CPU µs':>14} {'server CPU µs':>14} {'wall µs':>10}")
        for name, (client, srv, wall) in totals.items():
            print(
                f"  {name:24} {client / count * 1e6:14.0f} {srv / count * 1e6:14.0f} "
                f"{wall / count * 1e6:10.0f}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
