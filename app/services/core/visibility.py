"""Who may open a dossier: the competent agency's officers, the counter that received it for
that agency (path C1), and an agency that worked on it before it was transferred."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Dossier, HumanTask
from app.services.core.actors import Actor


def may_view(session: Session, dossier: Dossier, actor: Actor) -> bool:
    """Whether an actor may see a dossier (its agency, a role there, or supervision)."""
    if actor.sees_dossier(dossier.agency_id, dossier.receiving_agency_id):
        return True
    agencies = set(actor.visible) | {a for _, a in actor.roles}
    return bool(agencies) and (
        session.scalar(
            select(HumanTask.id)
            .where(HumanTask.dossier_id == dossier.id, HumanTask.agency_id.in_(agencies))
            .limit(1)
        )
        is not None
    )
