"""The dossier record sent to the portal on every status change (fields of DOMAIN.md §6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.domain.status import DossierStatus, portal_time
from app.models.base import utcnow

if TYPE_CHECKING:
    from app.services.runtime import DossierRef


def status_record(dossier: DossierRef) -> dict[str, Any]:
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
    }
