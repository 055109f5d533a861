"""Officers' work on human tasks: claim, unclaim, complete (optimistic concurrency)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.domain.form_fields import undeclared
from app.domain.process_variables import is_system_variable
from app.domain.roles import DATA_VISIBLE_TO, parse_role_list
from app.engine import TaskNotReady, WorkflowFailed
from app.i18n import _, _l
from app.models import HumanTask, User
from app.models.base import utcnow
from app.services.core import audit, fees, runtime
from app.services.core.actors import Actor
from app.services.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    listed,
)
from app.services.documents import e_authentication, result_drafts
from app.services.documents.e_authenticated_copies import route_of, with_counted
from app.services.dossiers import dossier_fees, national_data, workbench
from app.storage.db import db

ALREADY_DONE = _l("Công việc đã được hoàn thành hoặc huỷ")
NOT_IN_FORM = _l("không thuộc biểu mẫu của bước này")
SYSTEM_OWNED = _l("là biến do hệ thống quản lý, biểu mẫu không được ghi")


def _open_task(session: Any, task_id: str, actor: Actor) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_l("Không tìm thấy công việc"))
    _check_open(task.role, task.agency_id, task.state, actor)
    return task


def _check_open(role: str, agency_id: int, state: str, actor: Actor) -> None:
    if not actor.sees(agency_id):
        # another agency's task does not exist for the actor (as its dossier does not)
        raise NotFound(_l("Không tìm thấy công việc"))
    if not actor.can(role, agency_id):
        raise Forbidden(_l("Bạn không có vai trò xử lý công việc này"))
    if state != "open":
        raise Conflict(ALREADY_DONE)


# Takes the step only while it is open and nobody holds it: of two officers claiming at
# once, one updates the row and the other finds it held (no lost claim). It returns what the
# claim checks (the actor's role in the step's agency), so that a claim that may stand costs
# one statement, not a read and then an update; a claim refused on those checks is rolled back.
_TASKS = HumanTask.__table__
_CLAIM = (
    update(_TASKS)
    .where(
        _TASKS.c.id == bindparam("task_id"),
        _TASKS.c.state == "open",
        _TASKS.c.assignee_id.is_(None),
    )
    .values(assignee_id=bindparam("b_actor"), claimed_at=bindparam("b_now"))
    .returning(
        _TASKS.c.role,
        _TASKS.c.agency_id,
        _TASKS.c.dossier_id,
        _TASKS.c.instance_id,
        _TASKS.c.title,
    )
)
# Why a claim took nothing (read only then): no such step, closed, or held already.
_CLAIM_READ = select(
    HumanTask.role, HumanTask.agency_id, HumanTask.state, HumanTask.assignee_id
).where(HumanTask.id == bindparam("task_id"))


def claim_task(task_id: str, actor: Actor) -> None:
    """An officer takes an open step from their group's pool."""
    with db.transaction() as session:
        connection = session.connection()
        params = {"task_id": task_id, "b_actor": actor.id, "b_now": utcnow()}
        taken = connection.execute(_CLAIM, params).one_or_none()
        if taken is None:
            task = connection.execute(_CLAIM_READ, {"task_id": task_id}).one_or_none()
            if task is None:
                raise NotFound(_l("Không tìm thấy công việc"))
            _check_open(task.role, task.agency_id, task.state, actor)
            if task.assignee_id == actor.id:  # theirs already, or the same claim sent twice
                return
            raise _held_by(session, task.assignee_id)
        # raising here rolls the claim back: the step stays in the pool
        _check_open(taken.role, taken.agency_id, "open", actor)
        audit.record(
            session,
            "task_claimed",
            actor,
            dossier_id=taken.dossier_id,
            instance_id=taken.instance_id,
            task_id=task_id,
            title=taken.title,
        )


def _held_by(session: Any, holder_id: int | None) -> Conflict:
    """The refusal of a claim on an open step that someone else holds (read after the claim's
    UPDATE took nothing: the state and the holder are those of that moment)."""
    holder = session.get(User, holder_id) if holder_id is not None else None
    return Conflict(
        _l(
            "Công việc đã được %(name)s nhận; chỉ người đó trả lại hoặc người giám sát "
            "giao lại được",
            name=holder.full_name if holder else "?",
        )
    )


def unclaim_task(task_id: str, actor: Actor) -> None:
    """An officer gives a claimed step back to the pool."""
    with db.transaction() as session:
        task = _open_task(session, task_id, actor)
        if task.assignee_id != actor.id:
            raise Conflict(_l("Bạn chưa nhận công việc này"))
        task.assignee_id, task.claimed_at = None, None
        audit.record(
            session,
            "task_unclaimed",
            actor,
            dossier_id=task.dossier_id,
            instance_id=task.instance_id,
            task_id=task.id,
            title=task.title,
        )


def validate_form(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, str]:
    """Field name → message for every way `data` breaks the task's JSON schema, and for every
    field the form does not declare or the system owns (only the form reaches the process)."""
    return _form_errors(foreign_fields(schema, data), schema, data)


def _form_errors(
    foreign: dict[str, str], schema: dict[str, Any] | None, data: dict[str, Any]
) -> dict[str, str]:
    errors = dict(foreign)
    if not schema:
        return errors
    for error in _validator(json.dumps(schema, sort_keys=True)).iter_errors(data):
        if error.validator == "additionalProperties":
            continue  # each undeclared field is already named by foreign_fields
        field = _field_of(error)
        errors.setdefault(field, _message(error, schema))
    return errors


def foreign_fields(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, str]:
    """The submitted fields that must not reach the process: system variables (even when an
    older deployed form declares them) and whatever the form does not declare."""
    errors = {
        name: f"«{name}» {SYSTEM_OWNED}" for name in map(str, data) if is_system_variable(name)
    }
    for path in undeclared(schema, data):
        errors.setdefault(path, f"«{path}» {NOT_IN_FORM}")
    return errors


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json))


def complete_task(
    task_id: str,
    actor: Actor,
    data: dict[str, Any],
    fee_entries: Mapping[str, dossier_fees.FeeEntry] | None = None,
    reasons: Mapping[str, str] | None = None,
    national: national_data.Filled | None = None,
    seen_result_version: int | None = None,
) -> None:
    """Submit the task's form. A stale or concurrent completion raises Conflict (409). A step
    that records the dossier's fees (`x-fees`) takes `fee_entries` (003 §II.1.b) and tells the
    process what is left to pay online. Fields filled from the national databases keep their
    value unless `reasons` gives why (001 §II.2.b Bước 4); `national` is what they said (asked
    here when not given), and each change is recorded in the dossier's history. An approval
    names the result draft version its reader saw (`seen_result_version`): a later one is
    refused (409, 001 §II.2.b Bước 5)."""
    args = (task_id, actor, data, fee_entries, reasons or {}, seen_result_version)
    if national is None:
        with db.transaction() as session:
            wanted = national_data.wanted_by(session, task_id, actor)
            if wanted is None:  # no register to ask: the step completes in this transaction
                return _complete(session, national_data.Filled(), *args)
        national = national_data.ask(wanted)  # the registers answer outside any transaction
    with db.transaction() as session:
        return _complete(session, national, *args)


def _complete(  # noqa: PLR0913 - complete_task's arguments, in one transaction
    session: Session,
    national: national_data.Filled,
    task_id: str,
    actor: Actor,
    data: dict[str, Any],
    fee_entries: Mapping[str, dossier_fees.FeeEntry] | None,
    reasons: Mapping[str, str],
    seen_result_version: int | None,
) -> None:
    loaded = runtime.load_task(session, task_id, actor)
    task = loaded.task
    _check_open(task.role, task.agency_id, task.state, actor)
    if task.assignee_id not in (None, actor.id):
        raise Conflict(_l("Công việc đang do người khác xử lý"))
    data, changed = national_data.checked(national, task.form, data, reasons)
    foreign = foreign_fields(task.form, data)
    errors = _form_errors(foreign, task.form, data)
    if errors:
        raise InvalidInput(_form_error(list(foreign)), fields=errors)
    route = route_of(task.form)  # 001 §II.2.c Bước 1, §III.1 case 2
    if route and (problem := e_authentication.completion_problem(session, task.dossier_id, route)):
        raise InvalidInput(problem)
    # the result to sign: drafted when proposed, the version read checked when approved
    result_drafts.draft_on_accept(session, task, data, actor)
    if workbench.shows_result_preview(task.element_id, task.form):
        result_drafts.check_approval(session, task, data, seen_result_version, actor)
    to_process = data
    if dossier_fees.records_fees(task.form):
        if fee_entries is not None:
            dossier_fees.record(session, task.dossier_id, fee_entries, actor)
        due = fees.online_amount(session, task.dossier_id)
        # set by the system, never by the form: what the citizen still pays on the portal
        to_process = {**data, "fee_amount": due, "fee_due": due > 0}
    to_process = with_counted(session, task.dossier_id, task.form, to_process)
    try:
        changes = loaded.run.complete_user_task(task_id, to_process)
    except TaskNotReady as exc:
        raise Conflict(ALREADY_DONE) from exc
    except WorkflowFailed as exc:
        raise InvalidInput(_l("Quy trình báo lỗi: %(exc)s", exc=exc)) from exc
    audit.record(
        session,
        "task_completed",
        actor,
        dossier_id=task.dossier_id,
        instance_id=task.instance_id,
        task_id=task_id,
        title=task.title,
        element=task.element_id,
        form=data,
        **_visibility(changes, task_id),
    )
    if changed:  # 001 §II.2.b Bước 4: national data changed by hand, and why
        audit.record(
            session,
            "national_data_changed",
            actor,
            dossier_id=task.dossier_id,
            instance_id=task.instance_id,
            task_id=task_id,
            title=task.title,
            changes=changed,
        )
    runtime.commit_run(session, loaded, changes, actor, completed_by=actor)


def _form_error(foreign: list[str]) -> str:
    if foreign:
        names = listed(foreign)
        return _("Biểu mẫu có trường không được phép: %(names)s", names=names)
    return _("Biểu mẫu chưa hợp lệ")


def _visibility(changes: Any, task_id: str) -> dict[str, Any]:
    """The roles allowed to see this step's data, when the model restricts them."""
    for element in changes.completed:
        if element.task_id == task_id and DATA_VISIBLE_TO in element.properties:
            return {"visible_to": parse_role_list(element.properties[DATA_VISIBLE_TO])}
    return {}


def _field_of(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return str(error.message).split("'")[1]
    return ".".join(str(p) for p in error.absolute_path) or "_form"


def _message(error: jsonschema.ValidationError, schema: dict[str, Any]) -> str:
    field = _field_of(error)
    title = schema.get("properties", {}).get(field, {}).get("title", field)
    messages = {
        "required": _("«%(title)s» là bắt buộc", title=title),
        "const": _("«%(title)s» phải được xác nhận", title=title),
        "minLength": _("«%(title)s» không được để trống", title=title),
        "maxLength": _("«%(title)s» quá dài", title=title),
        "minimum": _("«%(title)s» quá nhỏ", title=title),
        "maximum": _("«%(title)s» quá lớn", title=title),
        "type": _("«%(title)s» sai kiểu dữ liệu", title=title),
        "oneOf": _("«%(title)s»: chọn một giá trị trong danh sách", title=title),
        "enum": _("«%(title)s»: chọn một giá trị trong danh sách", title=title),
    }
    return messages.get(str(error.validator), f"«{title}»: {error.message}")
