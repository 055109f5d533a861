"""The current officer as a service-layer actor."""

from __future__ import annotations

from flask_login import current_user

from app.services.core.actors import Actor


def current_actor() -> Actor:
    return Actor.of(current_user)
