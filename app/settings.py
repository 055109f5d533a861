"""The configuration in force for this process, set once by `app.bootstrap.configure`."""

from __future__ import annotations

from config import Config

current: type[Config] = Config
