"""The slips of a dossier (Circular 03/2025/TT-VPCP, Appendix I) from what the system recorded.

01 from the dossier, its digitized components and the contact details entered at any step;
02 and 03 from the appraisal decisions in the audit log (or the supplement deadline passing;
03 signed by the leader who approved the refusal); 04 from the recorded apology; 05 when
processing was stopped or withdrawn; 06 from the task projection (one row per hand-over, each
step early / on time / late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.documents.slip_data import TITLES, ComponentLine, ControlRow, FeeSlipLine, SlipData
from app.documents.slips import render
from app.domain.messages import N_
from app.domain.status import DossierStatus
from app.i18n import _l
from app.models import (
    Agency,
    AuditEvent,
    CitizenAccount,
    Document,
    Dossier,
    DossierFee,
    HumanTask,
    User,
)
from app.models.base import utcnow
from app.services.core import visibility
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, NotFound
from app.storage.db import db

# The leader's answer on a proposed refusal (the demo model's step "refusal_approval").
REFUSAL_APPROVED = "refusal_decision"
UNITS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}


@dataclass(frozen=True)
class SlipChoice:
    number: str
    title: str
    available: bool
    why_not: str = ""


def _amount(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _decision(
    events: list[AuditEvent], decision: str, field: str = "decision"
) -> AuditEvent | None:
    for event in reversed(events):
        form = (event.data or {}).get("form") or {}
        if event.kind == "task_completed" and form.get(field) == decision:
            return event
    return None


def _last(events: list[AuditEvent], *kinds: str) -> AuditEvent | None:
    return next((e for e in reversed(events) if e.kind in kinds), None)


def _load(session: Session, code: str, actor: Actor) -> tuple[Dossier, list[AuditEvent]]:
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not visibility.may_view(session, dossier, actor):
        raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=code))
    events = list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.dossier_id == dossier.id).order_by(AuditEvent.id)
        )
    )
    return dossier, events


def _why_not(number: str, dossier: Dossier, events: list[AuditEvent]) -> str:
    if number == "02" and _decision(events, "supplement") is None:
        return N_("Hồ sơ chưa có yêu cầu bổ sung")
    if number == "03" and dossier.status != DossierStatus.NOT_RECEIVED:
        return N_("Hồ sơ không bị từ chối")
    if number == "04" and _last(events, "apology_recorded") is None:
        return N_("Chưa ghi nhận xin lỗi, hẹn lại")
    if number == "05" and dossier.status not in (
        DossierStatus.WITHDRAWN,
        DossierStatus.STOPPED,
    ):
        return N_("Hồ sơ không bị dừng giải quyết")
    return ""


def choices(code: str, actor: Actor) -> list[SlipChoice]:
    """List the slips an officer can print for a dossier, and why others cannot be."""
    with db.transaction() as session:
        dossier, events = _load(session, code, actor)
        return [
            SlipChoice(n, title, not (why := _why_not(n, dossier, events)), why)
            for n, title in TITLES.items()
        ]


def _components(session: Session, dossier_id: int) -> list[ComponentLine]:
    lines: dict[tuple[str, str], dict[str, int]] = {}
    for doc in session.scalars(
        select(Document)
        .where(
            Document.dossier_id == dossier_id,
            Document.state == "stored",
            Document.source == "scan",
        )
        .order_by(Document.id)
    ):
        counts = lines.setdefault((doc.type_code, doc.name or doc.type_code), {})
        counts[doc.paper_form] = counts.get(doc.paper_form, 0) + doc.paper_count
    return [
        ComponentLine(
            name,
            counts.get("original", 0),
            counts.get("certified_copy", 0),
            counts.get("photocopy", 0),
        )
        for (_, name), counts in lines.items()
    ]


def _fees(session: Session, dossier_id: int) -> list[FeeSlipLine]:
    """The dossier's fees as slip 01 lists them (letter 4725 §II.1.b)."""
    return [
        FeeSlipLine(
            r.fee_code, r.name, r.amount, r.state, r.receipt_no or "", r.exemption_reason or ""
        )
        for r in session.scalars(
            select(DossierFee).where(DossierFee.dossier_id == dossier_id).order_by(DossierFee.id)
        )
    ]


def _control_rows(session: Session, dossier: Dossier) -> list[ControlRow]:
    names = dict(session.execute(select(User.id, User.full_name)).all())
    agencies = dict(session.execute(select(Agency.id, Agency.name)).all())
    rows: list[ControlRow] = []
    giver = dossier.owner_name
    tasks = session.scalars(
        select(HumanTask)
        .where(HumanTask.dossier_id == dossier.id, HumanTask.state != "cancelled")
        .order_by(HumanTask.created_at, HumanTask.id)
    )
    for task in tasks:
        receiver = names.get(task.completed_by_id or task.assignee_id, "") or "(chưa nhận)"
        note = "Đang xử lý" if task.state == "open" else ""
        if task.state == "open" and task.deadline_state == "overdue":
            note = "Đang xử lý, đã quá hạn"
        rows.append(
            ControlRow(
                task.title,
                agencies.get(task.agency_id, ""),
                task.created_at,
                giver,
                receiver,
                task.due_at,
                task.completed_at,
                task.outcome,
                note,
            )
        )
        giver = receiver
    return rows


# Form fields where a step records how to reach the applicant (the account step's
# create_account form, the reception form), by what they hold.
CONTACT_FIELDS = {"phone": ("phone", "applicant_phone"), "email": ("email", "applicant_email")}


def _contacts(session: Session, dossier: Dossier, events: list[AuditEvent]) -> dict[str, str]:
    """The applicant's phone and e-mail: the latest entered in any step's form, else the
    dossier's own, else the linked citizen account's."""
    account = (
        session.get(CitizenAccount, dossier.citizen_account_id)
        if dossier.citizen_account_id
        else None
    )
    found = {
        "phone": dossier.phone or (account.phone if account else "") or "",
        "email": dossier.email or (account.email if account else "") or "",
    }
    for event in events:
        form = (event.data or {}).get("form") or {} if event.kind == "task_completed" else {}
        for what, names in CONTACT_FIELDS.items():
            for name in names:
                value = form.get(name)
                if isinstance(value, str) and value.strip():
                    found[what] = value.strip()
    return found


def _signer(session: Session, event: AuditEvent | None, fallback: str) -> str:
    return event.actor_name if event is not None else fallback


def slip_pdf(code: str, number: str, actor: Actor) -> tuple[bytes, str]:
    """The slip as PDF bytes and a download name; Conflict when it does not apply yet."""
    if number not in TITLES:
        raise NotFound(_l("Không có mẫu phiếu số %(number)s", number=number))
    with db.transaction() as session:
        dossier, events = _load(session, code, actor)
        why = _why_not(number, dossier, events)
        if why:
            raise Conflict(why)
        agency = dossier.agency
        parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
        procedure = dossier.procedure
        receiver = session.get(User, dossier.received_by_id) if dossier.received_by_id else None
        data: dict[str, Any] = {
            "agency_name": agency.name,
            "parent_agency_name": parent.name if parent else "",
            "dossier_code": dossier.code,
            "procedure_code": procedure.code,
            "procedure_name": procedure.name,
            "owner_name": dossier.owner_name,
            "owner_id": dossier.owner_id,
            **_contacts(session, dossier, events),
            "received_at": dossier.received_at,
            "due_at": dossier.due_at,
            "officer_name": receiver.full_name if receiver else actor.name,
            "issued_at": utcnow(),
            "duration_text": f"{_amount(procedure.duration_days)} "
            f"{UNITS.get(procedure.duration_unit, procedure.duration_unit)}",
            "result_place": f"{settings.current.RESULT_PLACE}, {agency.name}",
            "e_only": bool(procedure.result_e_only or dossier.data.get("e_only")),
        }
        if number == "01":
            data["components"] = _components(session, dossier.id)
            data["fees"] = _fees(session, dossier.id)
        elif number == "02":
            event = _decision(events, "supplement")
            form = event.data.get("form") or {}
            data.update(
                items=form.get("supplement_request", ""),
                reason=form.get("appraisal_note", ""),
                officer_name=event.actor_name,
                issued_at=event.at,
            )
        elif number == "03":
            event = _decision(events, "refuse")
            if event is not None:
                reason = (event.data.get("form") or {}).get("appraisal_note", "")
                # the leader who approved the proposed refusal signs it (models without that
                # step leave the officer who refused as the signer)
                event = _decision(events, "approve", REFUSAL_APPROVED) or event
            else:
                event = _last(events, "timer_fired", "status_changed")
                reason = "Quá thời hạn bổ sung, hoàn thiện hồ sơ mà Ông/Bà chưa bổ sung"
            data.update(
                reason=reason,
                officer_name=_signer(session, event, actor.name),
                issued_at=event.at if event else utcnow(),
                signer_title="NGƯỜI KÝ",
            )
        elif number == "04":
            event = _last(events, "apology_recorded")
            previous = event.data.get("previous_due")
            data.update(
                reason=event.data.get("reason", ""),
                due_at=datetime.fromisoformat(previous) if previous else dossier.due_at,
                new_due_at=datetime.fromisoformat(event.data["due"]),
                officer_name=event.actor_name,
                issued_at=event.at,
            )
        elif number == "05":
            event = _last(events, "processing_stopped", "dossier_withdrawn")
            data.update(
                reason=(event.data.get("reason") if event else "") or "",
                officer_name=_signer(session, event, actor.name),
            )
        elif number == "06":
            data["control_rows"] = _control_rows(session, dossier)
        pdf = render(number, SlipData(**data))
    return pdf, f"mau-{number}-{code}.pdf"
