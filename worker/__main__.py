"""`python -m worker work` runs the RQ workers (`WORKER_PROCESSES` warm processes under a
supervisor, see worker/pool.py); `work --simple [--burst]` one worker in this process (tests,
batch runs); `python -m worker scheduler` the scheduler."""

from __future__ import annotations

import sys

from redis import Redis

from app import logs, settings
from app.bootstrap import ensure_configured
from app.i18n import _
from app.installation import InsecureConfiguration
from app.services.core import queue
from worker.measured import MeasuredWorker
from worker.pool import Supervisor, warm_up
from worker.scheduler import run_forever


def main(argv: list[str]) -> int:
    # JSON lines until the configuration says otherwise (ensure_configured sets LOG_FORMAT's)
    logs.setup()
    try:
        ensure_configured()
    except InsecureConfiguration as exc:
        print(exc, file=sys.stderr)
        return 1
    command = argv[0] if argv else "work"
    if command == "work":
        cfg = settings.current
        if "--simple" in argv:  # --burst: stop once the queue is empty
            # ready before it says it listens: its first jobs do not wait for the imports and
            # the models' parsing (seconds, several workers starting on two cores)
            warm_up()
            queues = list(queue.all_names())
            MeasuredWorker(queues, connection=Redis.from_url(cfg.REDIS_URL)).work(
                burst="--burst" in argv
            )
            return 0
        Supervisor(cfg.WORKER_PROCESSES).run()
        return 0
    if command == "scheduler":
        run_forever()
        return 0
    print(
        _("Cách dùng: python -m worker [work|scheduler], không phải %(command)r", command=command),
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
