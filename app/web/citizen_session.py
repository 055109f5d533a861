"""Who the signed-in citizen is: their id in the cookie, checked against their server-side
session. Kept apart from the citizen blueprint so that the access check can ask it too."""

from __future__ import annotations

from flask import g, session

from app.services.accounts import sessions
from app.services.citizens import portal_sign_in
from app.web import server_session

SESSION_KEY = "citizen_id"


def current_citizen() -> portal_sign_in.Citizen | None:
    """The signed-in citizen, only while their server-side session lives; looked up once per
    request (the access rule and the view ask the same question)."""
    if "citizen" not in g:
        g.citizen = _signed_in_citizen()
    return g.citizen


def _signed_in_citizen() -> portal_sign_in.Citizen | None:
    citizen_id = session.get(SESSION_KEY)
    if not isinstance(citizen_id, int):
        return None
    if not sessions.is_citizens(server_session.token(server_session.CITIZEN), citizen_id):
        return None
    return portal_sign_in.get(citizen_id)
