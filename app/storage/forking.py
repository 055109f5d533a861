"""Work shared by forked processes (a model migration, a reorganisation's parts), each on its
own database connections.

The processes are forks of whatever process asks: a web worker under gunicorn, the command
line, a test. That process may have its own SIGTERM handler (gunicorn's worker sets one that
only marks the worker for exit), and a fork inherits it. `multiprocessing.Pool` ends its
processes with SIGTERM when it leaves a `with` block: a child that inherited such a handler
did not stop, and the pool waited for it for ever (a model migration from the web page could
hang its request). So the children take the default handlers back, and the pool is closed and
joined once the work is done; it is terminated only when the work failed.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool

from app.storage.db import db


@contextmanager
def forked_pool(processes: int) -> Iterator[Pool]:
    """A pool of `processes` forks of this process, each opening its own connections."""
    db.engine.dispose()  # the parent's pooled connections are not shared with the children
    pool = multiprocessing.get_context("fork").Pool(processes, initializer=_in_child)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _in_child() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    db.engine.dispose(close=False)  # drop the parent's pool without closing its sockets
