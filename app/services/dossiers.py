"""Receiving a dossier (tiếp nhận hồ sơ): a code, a process instance, the first steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.codes import dossier_code
from app.domain.identifiers import validate_identifier
from app.domain.status import VN_TZ
from app.engine import ProcessRun, WorkflowFailed
from app.models import Agency, Dossier, DossierSequence, Fee, Procedure, ProcessInstance
from app.models.base import utcnow
from app.services import audit, calendars, runtime
from app.services.actors import Actor
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.storage.db import db

OWNER_TYPES = {"cccd": 1, "cmnd": 1, "passport": 1, "tax_code": 2}


@dataclass(frozen=True)
class ReceiveDossier:
    procedure_code: str
    owner_id_type: str
    owner_id: str
    owner_name: str
    phone: str | None = None
    email: str | None = None
    summary: str = ""
    channel: str = "counter"
    extra: dict[str, Any] = field(default_factory=dict)


def receive_dossier(cmd: ReceiveDossier, actor: Actor) -> str:
    """Register the dossier at the actor's counter and start its process; returns its code."""
    errors = _check(cmd)
    if errors:
        raise InvalidInput("Thông tin hồ sơ chưa hợp lệ / invalid dossier data", fields=errors)
    with db.transaction() as session:
        procedure = session.scalar(
            select(Procedure).where(Procedure.code == cmd.procedure_code, Procedure.active)
        )
        if procedure is None:
            raise NotFound(f"Không tìm thấy thủ tục {cmd.procedure_code}")
        if procedure.model_version is None:
            raise InvalidInput(f"Thủ tục {procedure.code} chưa được gắn quy trình đã triển khai")
        agency = session.get(Agency, procedure.agency_id)
        assert agency is not None
        online = cmd.channel == "online"
        if online and actor.id is not None:
            raise Forbidden("Hồ sơ trực tuyến chỉ đến từ Cổng DVCQG")
        if not online and not actor.can("reception", agency.id):
            # Path C2: any executing agency of the procedure receives, processes and returns
            # the dossier on the shared system, whatever the owner's place of residence.
            agency = next(
                (a for a in procedure.agencies if actor.can("reception", a.id) and a.active),
                None,
            )
            if agency is None:
                raise Forbidden("Bạn không có quyền tiếp nhận hồ sơ của thủ tục này")
        now = utcnow()
        identifier = validate_identifier(cmd.owner_id_type, cmd.owner_id)
        dossier = Dossier(
            code=dossier_code(
                agency.code,
                now.astimezone(VN_TZ).date(),
                next_sequence(session, agency.id, now.astimezone(VN_TZ).date()),
            ),
            procedure=procedure,
            agency=agency,
            channel=cmd.channel,
            status=0,
            owner_type=OWNER_TYPES[identifier.kind],
            owner_id_type=identifier.kind,
            owner_id=identifier.value,
            owner_name=" ".join(cmd.owner_name.split()),
            phone=cmd.phone,
            email=cmd.email,
            summary=cmd.summary,
            data=dict(cmd.extra),
            received_at=now,
            due_at=calendars.work_calendar(session).due(
                now,
                (procedure.duration_online_days if online else None) or procedure.duration_days,
                procedure.duration_unit,
            ),
            received_by_id=actor.id,
        )
        session.add(dossier)
        session.flush()
        audit.record(
            session,
            "dossier_received",
            actor,
            dossier_id=dossier.id,
            procedure=procedure.code,
            channel=cmd.channel,
        )
        try:
            run, changes = ProcessRun.start(
                runtime.definition_by_id(session, procedure.model_version_id),
                _start_data(dossier, _fee_amount(session, procedure)),
            )
        except WorkflowFailed as exc:
            raise InvalidInput(
                f"Quy trình báo lỗi khi bắt đầu / the process failed: {exc}"
            ) from exc
        # A placeholder row (version 0) so that the first save writes version 1.
        instance = ProcessInstance(
            dossier_id=dossier.id,
            model_version_id=procedure.model_version.id,
            state="",
            version=0,
            status="running",
        )
        session.add(instance)
        session.flush()
        ref = runtime.InstanceRef(instance.id, 0, "running", instance.model_version_id, "", None)
        loaded = runtime.Loaded(ref, runtime.dossier_ref(dossier), run)
        runtime.commit_run(session, loaded, changes, actor, completed_by=actor)
        return dossier.code


def next_sequence(session: Session, agency_id: int, day: date) -> int:
    """Atomically bump the agency's counter for the day (safe under concurrent receipt)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(DossierSequence)
        .values(agency_id=agency_id, day=day, last_value=1)
        .on_conflict_do_update(
            index_elements=["agency_id", "day"],
            set_={"last_value": DossierSequence.last_value + 1},
        )
        .returning(DossierSequence.last_value)
    )
    return int(session.execute(stmt).scalar_one())


def _check(cmd: ReceiveDossier) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        validate_identifier(cmd.owner_id_type, cmd.owner_id)
    except ValueError as exc:
        errors["owner_id"] = str(exc)
    name = " ".join((cmd.owner_name or "").split())
    if not 2 <= len(name) <= 255:
        errors["owner_name"] = "Họ tên phải có từ 2 đến 255 ký tự"
    if not cmd.procedure_code:
        errors["procedure_code"] = "Chọn thủ tục hành chính"
    if cmd.channel not in ("counter", "online"):
        errors["channel"] = "Kênh nộp không hợp lệ"
    return errors


def _fee_amount(session: Session, procedure: Procedure) -> int:
    codes = procedure.fee_codes or ([procedure.fee_code] if procedure.fee_code else [])
    if not codes:
        return 0
    return int(session.scalar(select(func.sum(Fee.amount)).where(Fee.code.in_(codes))) or 0)


def _start_data(dossier: Dossier, fee_amount: int = 0) -> dict[str, Any]:
    procedure = dossier.procedure
    return {
        # Online dossiers pay their fees on the portal once accepted (status 6); at the counter
        # the fee is collected at reception.
        "fee_amount": fee_amount,
        "fee_due": dossier.channel == "online" and fee_amount > 0,
        # set by the reception form when components must be classified and digitized (D)
        "needs_digitization": False,
        # no paper result when the procedure is e-only or the citizen asked for e-only
        "e_only": bool(procedure.result_e_only or dossier.data.get("e_only")),
        "dossier_code": dossier.code,
        "procedure_code": procedure.code,
        "channel": dossier.channel,
        "owner_id_type": dossier.owner_id_type,
        "owner_id": dossier.owner_id,
        "owner_name": dossier.owner_name,
        "result_type_code": procedure.result_type_code or "",
        "result_name": procedure.name,
        "supplement_wait": dossier.data.get("supplement_wait", "P30D"),
        "appraisal_escalation": dossier.data.get("appraisal_escalation", "P3D"),
        **{
            k: v
            for k, v in dossier.data.items()
            if k not in ("supplement_wait", "appraisal_escalation")
        },
    }
