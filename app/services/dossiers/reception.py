"""Receiving a dossier (tiếp nhận hồ sơ): a code, a process instance, the first steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import metrics
from app.domain.codes import dossier_code
from app.domain.document_metadata import (
    OWNER_DETAILS,
    WITHOUT_CCCD,
    SixFieldsError,
    check_owner_details,
    local_today,
)
from app.domain.identifiers import PERSONAL_KINDS, validate_identifier
from app.domain.status import VN_TZ
from app.engine import ProcessRun, WorkflowFailed
from app.i18n import _, _l
from app.models import Agency, Dossier, Procedure
from app.models.base import utcnow
from app.services.core import audit, calendars, runtime
from app.services.core.actors import Actor
from app.services.core.agencies import province_of
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.services.dossiers import dossier_fees, local_operators, performers, sequences
from app.storage.db import after_commit, db

# 1 a person, 2 an enterprise or organisation, 3 a state agency (001 §II.1 Bước 2)
OWNER_TYPES = {"cccd": 1, "cmnd": 1, "passport": 1, "tax_code": 2, "agency_code": 3}


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
    # Submitted under a power of attorney: the grantee who came to the counter
    # ({"id_type", "id", "name"}); the owner fields above are the grantor's, and so is the
    # account checked on the portal (001 §II.2.a).
    proxy: dict[str, str] | None = None
    # Online: the performing agency the applicant chose (002 §4.a/§5.a Bước 1); may be empty
    # only when a single agency performs the procedure.
    agency_code: str = ""


def receive_dossier(
    cmd: ReceiveDossier,
    actor: Actor,
    attach: Callable[[Session, Dossier], None] | None = None,
) -> str:
    """Register the dossier at the actor's counter and start its process; returns its code.
    `attach` adds what came with it (an online submission's components) in the same
    transaction, before the process starts."""
    errors = _check(cmd)
    if errors:
        raise InvalidInput(_l("Thông tin hồ sơ chưa hợp lệ"), fields=errors)
    taken = sequences.Taken()
    try:
        with db.transaction() as session:
            procedure = _procedure_to_receive(session, cmd.procedure_code)
            agency, receiving = _where_received(session, procedure, cmd, actor)
            dossier, fees_due = _register(session, cmd, procedure, agency, receiving, actor, taken)
            if attach is not None:
                attach(session, dossier)
            _start_process(session, dossier, fees_due, actor)
            after_commit(session, metrics.DOSSIERS_RECEIVED.labels(cmd.channel).inc)
            return dossier.code
    except Exception as exc:
        if taken.value:
            sequences.record_voided(taken, actor, exc)
        raise


def _procedure_to_receive(session: Session, code: str) -> Procedure:
    """The active procedure `code`, refused while it has no deployed model to run."""
    procedure = session.scalar(select(Procedure).where(Procedure.code == code, Procedure.active))
    if procedure is None:
        raise NotFound(_l("Không tìm thấy thủ tục %(code)s", code=code))
    if procedure.model_version_id is None:
        raise InvalidInput(
            _l("Thủ tục %(code)s chưa được gắn quy trình đã triển khai", code=procedure.code)
        )
    return procedure


def _where_received(
    session: Session, procedure: Procedure, cmd: ReceiveDossier, actor: Actor
) -> tuple[Agency, Agency | None]:
    """The agency the dossier belongs to, and the counter receiving it for that agency when
    it is another one (path C1); refused when the actor may receive it nowhere. Online, the
    performing agency the applicant chose (002 §5.a Bước 1)."""
    agency = session.get(Agency, procedure.agency_id)
    assert agency is not None  # nosec B101 # type narrowing: procedures.agency_id is a foreign key
    if cmd.channel == "online":
        if actor.id is not None:
            raise Forbidden(_l("Hồ sơ trực tuyến chỉ đến từ Cổng DVCQG"))
        return performers.chosen(procedure, cmd.agency_code), None
    if actor.can("reception", agency.id):
        return agency, None
    # Path C2: any executing agency of the procedure receives, processes and returns the
    # dossier on the shared system, whatever the owner's place of residence.
    executing = next(
        (a for a in procedure.agencies if actor.can("reception", a.id) and a.active), None
    )
    if executing is not None:
        return executing, None
    # Path C1: a counter of the same province receives it for the competent agency.
    receiving = _receiving_counter(session, procedure, agency, actor)
    if receiving is None:
        raise Forbidden(_l("Bạn không có quyền tiếp nhận hồ sơ của thủ tục này"))
    return agency, receiving


def _register(
    session: Session,
    cmd: ReceiveDossier,
    procedure: Procedure,
    agency: Agency,
    receiving: Agency | None,
    actor: Actor,
    taken: sequences.Taken,
) -> tuple[Dossier, int]:
    """The dossier row with its code and due time, and the audit event of its receipt; with
    the total of the fees opened for it (VND)."""
    now = utcnow()
    today = now.astimezone(VN_TZ).date()
    identifier = validate_identifier(cmd.owner_id_type, cmd.owner_id)
    online = cmd.channel == "online"
    code = dossier_code(
        agency.code, today, sequences.next_sequence(session, agency.id, today, taken)
    )
    taken.code = code if taken.value else ""
    dossier = Dossier(
        code=code,
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
        data={**cmd.extra, **_proxy(cmd), **_owner_details(cmd)[0]},
        received_at=now,
        due_at=calendars.work_calendar(session).due(
            now,
            (procedure.duration_online_days if online else None) or procedure.duration_days,
            procedure.duration_unit,
        ),
        received_by_id=actor.id,
        receiving_agency=receiving,
    )
    session.add(dossier)
    session.flush()
    fees_due = dossier_fees.open_fees(session, dossier, procedure)
    audit.record(
        session,
        "dossier_received",
        actor,
        dossier_id=dossier.id,
        procedure=procedure.code,
        channel=cmd.channel,
        **({"received_for": agency.name} if receiving is not None else {}),
        **({"proxy": cmd.proxy["name"]} if cmd.proxy else {}),
    )
    return dossier, fees_due


def _proxy(cmd: ReceiveDossier) -> dict[str, Any]:
    """The grantee under a power of attorney, as stored with the dossier (nothing without)."""
    if not cmd.proxy:
        return {}
    grantee = validate_identifier(cmd.proxy["id_type"], cmd.proxy["id"])
    name = " ".join(cmd.proxy["name"].split())
    return {"proxy": {"id_type": grantee.kind, "id": grantee.value, "name": name}}


def _start_process(session: Session, dossier: Dossier, fees_due: int, actor: Actor) -> None:
    """Start the procedure's model for the dossier (`fees_due`: its fees in VND) and save its
    first state and steps."""
    procedure = dossier.procedure
    try:
        run, changes = ProcessRun.start(
            runtime.definition_by_id(session, procedure.model_version_id),
            _start_data(dossier, fees_due),
            local_operators.bind(session, runtime.dossier_ref(dossier), actor),
            runtime.calendar_of(session),
        )
    except WorkflowFailed as exc:
        raise InvalidInput(_l("Quy trình báo lỗi khi bắt đầu: %(exc)s", exc=exc)) from exc
    runtime.commit_new(
        session, runtime.dossier_ref(dossier), procedure.model_version_id, run, changes, actor
    )


def _check(cmd: ReceiveDossier) -> dict[str, str]:
    errors: dict[str, str] = {}
    try:
        validate_identifier(cmd.owner_id_type, cmd.owner_id)
    except ValueError as exc:
        errors["owner_id"] = str(exc)
    name = " ".join((cmd.owner_name or "").split())
    if not 2 <= len(name) <= 255:
        errors["owner_name"] = _("Họ tên phải có từ 2 đến 255 ký tự")
    if not cmd.procedure_code:
        errors["procedure_code"] = _("Chọn thủ tục hành chính")
    if cmd.channel not in ("counter", "online"):
        errors["channel"] = _("Kênh nộp không hợp lệ")
    errors |= _owner_details(cmd)[1]
    if cmd.proxy is not None:
        if (cmd.proxy.get("id_type") or "") not in PERSONAL_KINDS:
            errors["proxy_id"] = _("Người được ủy quyền là cá nhân: CCCD, CMND hoặc hộ chiếu")
            return errors
        try:
            grantee = validate_identifier(cmd.proxy.get("id_type") or "", cmd.proxy.get("id") or "")
        except ValueError as exc:
            errors["proxy_id"] = str(exc)
        else:
            if grantee.value == (cmd.owner_id or "").strip().upper():
                errors["proxy_id"] = _("Người được ủy quyền phải khác người ủy quyền")
        if not 2 <= len(" ".join((cmd.proxy.get("name") or "").split())) <= 255:
            errors["proxy_name"] = _("Họ tên người được ủy quyền phải có từ 2 đến 255 ký tự")
    return errors


def _owner_details(cmd: ReceiveDossier) -> tuple[dict[str, Any], dict[str, str]]:
    """An owner without a CCCD may be received with the birth year, issue date and issuer of
    the identity paper (001 §II.2.c (2)), kept for the documents issued to them: all three
    or none, each checked. The values as kept, and the errors."""
    given = [k for k in OWNER_DETAILS if str(cmd.extra.get(k) or "").strip()]
    if not given:
        return {}, {}
    if cmd.owner_id_type not in WITHOUT_CCCD:
        return {}, {k: _("Chỉ ghi khi chủ hồ sơ không có CCCD") for k in given}
    try:
        return check_owner_details(cmd.extra, local_today()), {}
    except SixFieldsError as exc:
        return {}, exc.errors


def _receiving_counter(
    session: Session, procedure: Procedure, competent: Agency, actor: Actor
) -> Agency | None:
    """The actor's counter that may receive this procedure for `competent` (path C1): the
    procedure is received regardless of administrative boundaries and the counter belongs to
    the same province."""
    if not procedure.receive_anywhere:
        return None
    province = province_of(session, competent.id)
    for agency_id in sorted(actor.agencies_for("reception")):
        counter = session.get(Agency, agency_id)
        if counter is not None and counter.active and province_of(session, agency_id) == province:
            return counter
    return None


def _start_data(dossier: Dossier, fee_amount: int = 0) -> dict[str, Any]:
    procedure = dossier.procedure
    # what came with the dossier first, so that none of it can stand in for a value the
    # system sets below (its agency, code, fee...)
    return {
        **dossier.data,
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
        # the competent agency, and the counter that received the dossier (C1: another one)
        "agency_code": dossier.agency.code,
        "reception_agency_code": (dossier.receiving_agency or dossier.agency).code,
        "phone": dossier.phone or "",
        "email": dossier.email or "",
        "proxy": dossier.data.get("proxy"),
        "owner_id_type": dossier.owner_id_type,
        "owner_id": dossier.owner_id,
        "owner_name": dossier.owner_name,
        "result_type_code": procedure.result_type_code or "",
        "result_name": procedure.name,
        "supplement_wait": dossier.data.get("supplement_wait", "P30D"),
        # the appraisal escalates once its own deadline passes, in working days (a number)
        # or, for short demos and tests, an ISO 8601 duration
        "appraisal_escalation": dossier.data.get("appraisal_escalation")
        or (procedure.step_durations or {}).get("appraisal")
        or 3,
        # how long an online dossier waits for the fee before processing stops (status 8)
        "payment_wait": dossier.data.get("payment_wait", "P15D"),
    }
