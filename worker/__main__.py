"""`python -m worker work [--burst] [--simple]` runs an RQ worker; `python -m worker scheduler` the
scheduler."""

from __future__ import annotations

import logging
import sys

from redis import Redis
from rq import SimpleWorker, Worker

from app import settings
from app.bootstrap import ensure_configured
from app.i18n import _
from app.installation import InsecureConfiguration
from worker.scheduler import run_forever


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        ensure_configured()
    except InsecureConfiguration as exc:
        print(exc, file=sys.stderr)
        return 1
    command = argv[0] if argv else "work"
    if command == "work":
        cfg = settings.current
        # --burst: stop once the queue is empty; --simple: run jobs in this process instead
        # of a forked one (tests and batch runs)
        kind = SimpleWorker if "--simple" in argv else Worker
        kind([cfg.RQ_QUEUE], connection=Redis.from_url(cfg.REDIS_URL)).work(burst="--burst" in argv)
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
