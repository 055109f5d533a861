"""Where the machine's CPU went during a run of `bench/throughput.py`, by kind of process.

Reads /proc (Linux): every process under the bench's own, its user+system CPU and that of its
children already reaped, grouped by what the process is (the load drivers acting as officers,
the RQ workers, the scheduler, PostgreSQL, Redis, the simulators). A process that ended during
the run (a PostgreSQL backend, a replaced worker, a driver) is counted in its parent's reaped
children, which are the same kind as the parent except for the bench itself, whose only
children ending during the run are the drivers.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
KINDS = (
    ("drivers", "officers' steps (load drivers)"),
    ("workers", "RQ workers (service calls, outbox)"),
    ("scheduler", "scheduler"),
    ("postgres", "PostgreSQL"),
    ("redis", "Redis"),
    ("simulators", "simulators (portal, warehouse, …)"),
)


def _read(pid: str) -> tuple[int, int, float, float, str] | None:
    """(pid, ppid, own CPU s, reaped children's CPU s, command line) of a live process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    ppid = int(fields[1])
    own = (int(fields[11]) + int(fields[12])) / TICKS
    reaped = (int(fields[13]) + int(fields[14])) / TICKS
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    return int(pid), ppid, own, reaped, cmdline or comm


def _kind(cmdline: str) -> str | None:
    if "throughput_driver" in cmdline:
        return "drivers"
    if "-m worker work" in cmdline:
        return "workers"
    if "-m worker scheduler" in cmdline:
        return "scheduler"
    if "postgres" in cmdline.split(" ", 1)[0] or cmdline.startswith("postgres"):
        return "postgres"
    if "redis-server" in cmdline:
        return "redis"
    if "simulators" in cmdline:
        return "simulators"
    return None


def snapshot() -> dict[str, float]:
    """CPU seconds used so far by each kind of process under this one."""
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            read = _read(entry)
            if read is not None:
                procs[read[0]] = read
    children = defaultdict(list)
    for pid, (_, ppid, *_rest) in procs.items():
        children[ppid].append(pid)
    me = os.getpid()
    totals: dict[str, float] = defaultdict(float)
    totals["drivers"] += procs[me][3] if me in procs else 0.0

    def walk(pid: int, inherited: str | None) -> None:
        for child in children.get(pid, ()):
            _, _, own, reaped, cmdline = procs[child]
            kind = _kind(cmdline) or inherited
            if kind is not None:
                totals[kind] += own + reaped
            walk(child, kind)

    walk(me, None)
    return dict(totals)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / TICKS, total / TICKS


def report(
    before: dict[str, float], after: dict[str, float], n: int, busy: float, elapsed: float
) -> None:
    """Print CPU ms per completed dossier by kind, the total, and the machine's busy share."""
    print("\n== CPU per completed dossier, by process (ms; /proc, user + system)")
    total = 0.0
    for kind, label in KINDS:
        spent = after.get(kind, 0.0) - before.get(kind, 0.0)
        total += spent
        print(f"  {label:<38}{spent * 1000 / n:>9.1f}")
    print(f"  {'all of these':<38}{total * 1000 / n:>9.1f}")
    print(f"  {'the whole machine (busy, all processes)':<38}{busy * 1000 / n:>9.1f}")
    cores = os.cpu_count() or 1
    most = cores * n / total
    print(f"  at this CPU per dossier, {cores} cores give at most {most:.1f} dossiers/s")
    share = busy / max(cores * elapsed, 1e-9)
    print(f"  the machine was busy {share:.0%} of its {cores} cores' time during the run")
