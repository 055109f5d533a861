"""Transferring a dossier to another agency (chuyển hồ sơ): its open steps move with it, in
their roles, and its clock keeps running — the due times of the dossier and of every open step
stay what they were."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.roles import ROLE_LABELS_VI
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, ProcessInstance, User, UserRole
from app.services.core import audit, notifications, portal_sync, runtime
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.storage.db import db

# Whoever takes the dossier over must be able to approve its result too.
ALWAYS_NEEDED = ("leader",)


def transfer_dossier(code: str, to_agency_code: str, reason: str, actor: Actor) -> int:
    """Move the dossier and its open steps to `to_agency_code`; returns how many steps moved."""
    reason = " ".join((reason or "").split())
    if not 5 <= len(reason) <= 1000:
        raise InvalidInput(
            _l("Lý do chuyển: từ 5 đến 1000 ký tự"), fields={"reason": _l("Nêu lý do chuyển hồ sơ")}
        )
    with db.transaction() as session:
        dossier = _transferable(session, code, actor)
        target = _target(session, dossier, to_agency_code)
        source = dossier.agency
        moving = _moving_steps(session, dossier)
        _check_staffed(session, target, moving)
        instance = _hand_over_process(session, dossier, source, target, actor)
        due_before = dossier.due_at
        dossier.agency_id = target.id
        if moving:
            session.execute(
                update(HumanTask)
                .where(HumanTask.id.in_([t.id for t in moving]))
                .values(agency_id=target.id, assignee_id=None, claimed_at=None)
            )
        audit.record(
            session,
            "dossier_transferred",
            actor,
            dossier_id=dossier.id,
            instance_id=instance,
            source=source.name,
            target=target.name,
            reason=reason,
            steps=len(moving),
            due_at=due_before.isoformat() if due_before else None,
        )
        _tell(session, dossier, moving, source, target, reason, actor)
        return len(moving)


def _transferable(session: Session, code: str, actor: Actor) -> Dossier:
    """The dossier `code`, if the actor leads or supervises its agency and it is not finished."""
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None or not actor.sees(dossier.agency_id):
        raise NotFound(f"Không tìm thấy hồ sơ {code}")
    if not (actor.can("leader", dossier.agency_id) or actor.can("supervisor", dossier.agency_id)):
        raise Forbidden(_l("Chỉ lãnh đạo hoặc giám sát viên của cơ quan được chuyển hồ sơ"))
    if dossier.finished_at is not None:
        raise Conflict(_l("Hồ sơ đã kết thúc, không chuyển được"))
    return dossier


def _target(session: Session, dossier: Dossier, to_agency_code: str) -> Agency:
    """The active agency receiving the dossier, another than its own."""
    target = session.scalar(
        select(Agency).where(Agency.code == (to_agency_code or "").strip(), Agency.active)
    )
    if target is None:
        raise InvalidInput(
            _l(
                "Không có cơ quan đang hoạt động mã %(to_agency_code)r",
                to_agency_code=to_agency_code,
            ),
            fields={"to_agency": _l("Chọn cơ quan nhận")},
        )
    if target.id == dossier.agency_id:
        raise InvalidInput(
            _l("Hồ sơ đã thuộc cơ quan này"), fields={"to_agency": _l("Chọn cơ quan khác")}
        )
    return target


def _moving_steps(session: Session, dossier: Dossier) -> list[HumanTask]:
    """The open steps of the agency and of its departments; a C1 counter's or a consulted
    agency's steps stay where they are."""
    units = [
        dossier.agency_id,
        *session.scalars(select(Agency.id).where(Agency.parent_id == dossier.agency_id)),
    ]
    return list(
        session.scalars(
            select(HumanTask).where(
                HumanTask.dossier_id == dossier.id,
                HumanTask.state == "open",
                HumanTask.agency_id.in_(units),
            )
        )
    )


def _check_staffed(session: Session, target: Agency, moving: list[HumanTask]) -> None:
    """Refuse the transfer when nobody active at `target` holds a role the moving steps (or
    the approval of the result) need."""
    staffed = {
        str(role)
        for role in session.scalars(
            select(UserRole.role)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.agency_id == target.id, User.active)
        )
    }
    missing = sorted(({t.role for t in moving} | set(ALWAYS_NEEDED)) - staffed)
    if missing:
        labels = ", ".join(ROLE_LABELS_VI.get(r, r) for r in missing)
        raise InvalidInput(
            _l(
                "%(name)s không có cán bộ giữ vai trò: %(labels)s; hồ sơ không được chuyển",
                name=target.name,
                labels=labels,
            ),
            fields={"to_agency": _l("Thiếu cán bộ: %(labels)s", labels=labels)},
        )


def _hand_over_process(
    session: Session, dossier: Dossier, source: Agency, target: Agency, actor: Actor
) -> int | None:
    """Tell the process its new agency (and counter, unless a C1 counter received it);
    returns the instance's id."""
    instance = session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.dossier_id == dossier.id)
    )
    loaded = runtime.load_instance(session, instance, actor)
    values = {"agency_code": target.code, "department_code": ""}
    if (loaded.run.latest_data().get("reception_agency_code") or source.code) == source.code:
        values["reception_agency_code"] = target.code
    runtime.save(session, loaded, loaded.run.update_data(values))
    return instance


def _tell(
    session: Session,
    dossier: Dossier,
    moving: list[HumanTask],
    source: Agency,
    target: Agency,
    reason: str,
    actor: Actor,
) -> None:
    """Notify the target's officers of each step that moved, and the portal of the transfer."""
    for task in moving:
        notifications.notify(
            session,
            notifications.holders(session, task.role, target.id),
            "transferred",
            f"Hồ sơ {dossier.code} được chuyển đến từ {source.name}: «{task.title}»",
            dossier_id=dossier.id,
            task_id=task.id,
        )
    portal_sync.tell_progress(
        session,
        dossier_id=dossier.id,
        code=dossier.code,
        status=dossier.status,
        title=f"Chuyển hồ sơ đến {target.name}",
        officer=actor.name,
        department=source.name,
        content=reason,
    )
