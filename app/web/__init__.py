"""The web layer: blueprints that parse input, check permission, call one service, render."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    pass
