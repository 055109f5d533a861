"""The dossier record sent to the portal on every status change (fields of DOMAIN.md §6)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.domain.status import DossierStatus, portal_time
from app.models.base import utcnow
from app.services.core import outbox
from app.services.core.fees import portal_fees

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.services.core.runtime import DossierRef


def status_record(dossier: DossierRef, fees: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The status record the portal (Cổng DVCQG) receives for a dossier, with its fees in full
    (003 §II.1.b; `app.services.core.fees.portal_fees`)."""
    status = DossierStatus(dossier.status)
    return {
        "dossier_code": dossier.code,
        "status": int(status),
        "status_label": status.label_vi,
        "procedure_code": dossier.procedure_code,
        "procedure_name": dossier.procedure_name,
        "agency_code": dossier.agency_code,
        "channel": dossier.channel,
        "owner_type": dossier.owner_type,
        "owner_id": dossier.owner_id,
        "owner_name": dossier.owner_name,
        "received_at": portal_time(dossier.received_at),
        "due_at": portal_time(dossier.due_at),
        "changed_at": portal_time(utcnow()),
        "returned_at": portal_time(utcnow()) if status == DossierStatus.RETURNED else None,
        "fees": fees or [],
    }


def resync_status(session: Session, dossier: DossierRef) -> None:
    """Send the dossier's record again with its status unchanged (a payment arrived, 003
    §II.1.b), in the dossier's order with its other changes."""
    outbox.add(
        session,
        "portal.sync_status",
        status_record(dossier, portal_fees(session, dossier.id)),
        dossier_id=dossier.id,
        ordering_key=f"dossier:{dossier.id}",
    )


def tell_progress(
    session: Session,
    *,
    dossier_id: int,
    code: str,
    status: int,
    title: str,
    officer: str,
    department: str,
    content: str,
    finished_at: datetime | None = None,
    **extra: Any,
) -> None:
    """Queue a progress entry of the dossier for the portal (who, what, when, which unit), in
    the dossier's order with its statuses."""
    outbox.add(
        session,
        "portal.sync_progress",
        {
            "dossier_code": code,
            "title": title,
            "officer": officer,
            "department": department,
            "content": content,
            "status": status,
            **extra,
            "finished_at": portal_time(finished_at or utcnow()),
        },
        dossier_id=dossier_id,
        ordering_key=f"dossier:{dossier_id}",
    )
