"""Running engine work in a forked child with operating-system limits (tách tiến trình).

Model tests from the editor run an analyst's bundle: besides each script's own limits, the
whole run gets a CPU limit (RLIMIT_CPU), an address-space limit (RLIMIT_AS) and a wall-clock
timeout, so nothing the bundle does can hold or grow the web worker that asked for it. The
result comes back pickled through a pipe; the child never touches the parent's database
connections (it only computes, and leaves with os._exit).
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.engine.errors import EngineError
from app.i18n import _l


@dataclass(frozen=True)
class Bounds:
    cpu_seconds: int
    memory_mb: int
    timeout: float


class IsolatedRunFailed(EngineError):
    """The child was stopped by a bound or died; the message says which, Vietnamese first."""


def _mapped_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(conn: Any, bounds: Bounds, fn: Callable, args: tuple) -> None:
    try:
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime + bounds.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu) + 1, int(cpu) + 2))
        limit = _mapped_bytes() + bounds.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        conn.send(("ok", fn(*args)))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # noqa: BLE001 - anything goes back to the parent as data
        conn.send(("error", f"{type(exc).__name__}: {str(exc)[:2000]}"))
    finally:
        conn.close()


def run_bounded(fn: Callable, args: tuple, bounds: Bounds) -> Any:
    """`fn(*args)` in a forked child under `bounds`; its return value (picklable), or
    IsolatedRunFailed when a bound stopped it or it raised."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, bounds, fn, args), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(bounds.timeout):
            raise IsolatedRunFailed(_l("Quá %(timeout)g giây, đã dừng", timeout=bounds.timeout))
        try:
            status, value = receiver.recv()
        except EOFError:
            status, value = "died", None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if status == "ok":
        return value
    if status == "memory":
        raise IsolatedRunFailed(
            _l("Vượt giới hạn bộ nhớ %(memory_mb)s MB", memory_mb=bounds.memory_mb)
        )
    if status == "died":
        raise IsolatedRunFailed(
            _l(
                "Tiến trình kiểm thử bị dừng (giới hạn CPU %(cpu_seconds)s giây?): %(exitcode)s",
                cpu_seconds=bounds.cpu_seconds,
                exitcode=child.exitcode,
            )
        )
    raise IsolatedRunFailed(_l("Lỗi khi chạy: %(error)s", error=value))
