"""A local SMTP sink for `make run`: a real SMTP server on loopback (aiosmtpd) that keeps
every message it receives as an .eml file, so the e-mails citizens and officers would get can
be read. `python -m app.integrations.simulators.smtp_sink --port 2525 --dir var/mail`."""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class Maildir:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        with self.lock:
            self.count += 1
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:05d}.eml"
        (self.directory / name).write_bytes(envelope.content)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description="A local SMTP sink writing .eml files.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default="var/mail")
    args = parser.parse_args()
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(Maildir(directory), hostname=args.host, port=args.port)
    controller.start()
    try:
        threading.Event().wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
