"""The result before it is signed (dự thảo kết quả): filled in from the procedure's result
template by the processing officer, or uploaded as the signed decision made elsewhere
(001 §II.2.b Bước 5: the officer enters the result information and creates the result file;
the competent person signs it). Every save is a new version holding the unsigned PDF; the
leader's approval names the version it read, and that version's bytes are what is signed
(`results.issue_result`), stored in the warehouse and published (004 §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import settings
from app.documents import signing
from app.documents.intake import ScanRejected, open_pdf, sniff
from app.documents.pki import demo_pki
from app.documents.result_document import ResultPage, render
from app.domain import result_templates as rt
from app.i18n import _l
from app.models import Agency, Dossier, HumanTask, Procedure, ResultDraft, User
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Conflict, InvalidInput, NotFound
from app.services.core.runtime import TaskRef
from app.storage.db import db
from app.storage.files import TooLarge, file_store

FILLED, UPLOADED = "filled", "uploaded"


@dataclass(frozen=True)
class DraftInfo:
    """The latest draft as a screen shows it."""

    version: int
    kind: str
    title: str
    values: dict[str, str]
    author: str
    at: datetime
    signatures: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class DraftPanel:
    """What a step's screen shows of the result: the template's fields with the values to
    show, the latest draft, and whether this reader may fill it in here."""

    template: rt.ResultTemplate | None
    values: dict[str, str]
    latest: DraftInfo | None
    may_fill: bool
    upload_limit: int


def template_of(procedure: Procedure) -> rt.ResultTemplate | None:
    """The procedure's result template, or None when it has none (or a broken one)."""
    if not procedure.result_template:
        return None
    template, errors = rt.parse_template(procedure.result_template)
    return None if errors else template


def facts(dossier: Dossier) -> dict[str, str]:
    """The dossier's facts a layout may name (`{owner_name}`…)."""
    return {
        "owner_name": dossier.owner_name,
        "owner_id": dossier.owner_id,
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "procedure_code": dossier.procedure.code,
        "agency_name": dossier.agency.name,
    }


def latest(session: Session, dossier_id: int) -> ResultDraft | None:
    """The dossier's newest draft, or None."""
    return session.scalar(
        select(ResultDraft)
        .where(ResultDraft.dossier_id == dossier_id)
        .order_by(ResultDraft.version.desc())
        .limit(1)
    )


def panel(session: Session, task: HumanTask, actor: Actor) -> DraftPanel | None:
    """The result panel of a step that fills or previews the result (None on other steps)."""
    dossier = session.get(Dossier, task.dossier_id)
    template = template_of(dossier.procedure)
    draft = latest(session, dossier.id)
    may_fill = (
        task.state == "open"
        and rt.fills_result(task.element_id, task.form)
        and task.assignee_id == actor.id
        and actor.can(task.role, task.agency_id)
    )
    if draft is not None:
        values = dict(draft.values or {})
    elif template is not None:
        values = rt.defaults(template, facts(dossier))
    else:
        values = {}
    info = None
    if draft is not None:
        author = session.get(User, draft.created_by_id) if draft.created_by_id else None
        info = DraftInfo(
            draft.version,
            draft.kind,
            draft.title,
            dict(draft.values or {}),
            author.full_name if author else "",
            draft.created_at,
            list(draft.signatures or []),
        )
    limit = settings.current.RESULT_UPLOAD_MAX_BYTES
    return DraftPanel(template, values, info, may_fill, limit)


def _fill_task(session: Session, task_id: str, actor: Actor) -> tuple[HumanTask, Dossier]:
    """The open fill step this officer holds, the dossier locked (one draft save at a time,
    and none while an approval reads the latest); NotFound for any other step or reader."""
    task = session.get(HumanTask, task_id)
    if task is None or not actor.sees(task.agency_id):
        raise NotFound(_l("Không tìm thấy công việc"))
    if not rt.fills_result(task.element_id, task.form) or task.state != "open":
        raise NotFound(_l("Bước này không lập kết quả giải quyết"))
    if not actor.can(task.role, task.agency_id) or task.assignee_id != actor.id:
        raise Conflict(_l("Nhận công việc trước khi lập kết quả"))
    dossier = session.get(Dossier, task.dossier_id, with_for_update=True)
    return task, dossier


def save_filled(task_id: str, actor: Actor, posted: dict[str, Any]) -> int:
    """Save the officer's values as the next draft version (rendered from the procedure's
    template, 001 §II.2.b Bước 5); the new version number. Located 422 on bad values."""
    with db.transaction() as session:
        _task, dossier = _fill_task(session, task_id, actor)
        template = template_of(dossier.procedure)
        if template is None:
            raise InvalidInput(_l("Thủ tục chưa có mẫu kết quả: hãy tải lên văn bản kết quả"))
        values, errors = rt.check_values(template, posted)
        if errors:
            raise InvalidInput(
                _l("Thông tin kết quả chưa hợp lệ"),
                fields={name: _l(message, **params) for name, (message, params) in errors.items()},
            )
        return _add_filled(session, dossier, template, values, actor).version


def _add_filled(
    session: Session,
    dossier: Dossier,
    template: rt.ResultTemplate,
    values: dict[str, str],
    actor: Actor,
    *,
    automatic: bool = False,
) -> ResultDraft:
    known = {**facts(dossier), **values}
    agency = dossier.agency
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    pdf = render(
        ResultPage(
            parent_agency_name=parent.name if parent else "",
            agency_name=agency.name,
            number=dossier.code,
            place=template.place,
            dated=utcnow(),
            title=rt.fill(template.title, known),
            body=rt.fill(template.body, known),
            signer_title=template.signer_title,
            dossier_code=dossier.code,
        )
    )
    stored = file_store().put_bytes(pdf)
    draft = _add(session, dossier, FILLED, rt.fill(template.title, known), values, stored, actor)
    audit.record(
        session,
        "result_drafted",
        actor,
        dossier_id=dossier.id,
        version=draft.version,
        draft_kind=FILLED,
        sha256=stored.sha256,
        automatic=automatic,
    )
    return draft


def _add(
    session: Session,
    dossier: Dossier,
    kind: str,
    title: str,
    values: dict[str, str],
    stored: Any,
    actor: Actor,
    signatures: list[dict[str, Any]] | None = None,
) -> ResultDraft:
    highest = session.scalar(
        select(func.coalesce(func.max(ResultDraft.version), 0)).where(
            ResultDraft.dossier_id == dossier.id
        )
    )
    draft = ResultDraft(
        dossier_id=dossier.id,
        version=(highest or 0) + 1,
        kind=kind,
        title=title[:300],
        values=values,
        file_sha256=stored.sha256,
        size=stored.size,
        signatures=signatures or [],
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    session.add(draft)
    session.flush()
    return draft


def save_uploaded(task_id: str, actor: Actor, source: BinaryIO, title: str) -> int:
    """Save an uploaded result (the decision made and signed elsewhere) as the next draft
    version: a PDF (checked), at most RESULT_UPLOAD_MAX_BYTES, its signatures verified and
    kept (a file without a valid one is taken, flagged for the leader)."""
    with db.transaction() as session:  # the step first: nothing is stored for a wrong one
        _fill_task(session, task_id, actor)
    limit = settings.current.RESULT_UPLOAD_MAX_BYTES
    title = " ".join(title.split())
    if len(title) > rt.TITLE_MAX:
        raise InvalidInput(
            _l("Tên kết quả tối đa 300 ký tự"), fields={"title": _l("Tối đa 300 ký tự")}
        )
    problem = rt.title_problem(title) if title else None
    if problem is not None:
        message, params = problem
        raise InvalidInput(_l(message, **params), fields={"title": _l(message, **params)})
    try:
        stored = file_store().put_stream(source, limit)
    except TooLarge as exc:
        raise InvalidInput(
            _l("Tệp kết quả quá lớn: tối đa %(mb)s MB", mb=round(limit / 1024 / 1024, 1)),
            fields={"file": _l("Tệp quá lớn")},
        ) from exc
    with open(stored.path, "rb") as handle:
        head = handle.read(1024)
    if stored.size == 0 or sniff(head) != "pdf":
        raise InvalidInput(
            _l("Văn bản kết quả phải là tệp PDF"), fields={"file": _l("Không phải tệp PDF")}
        )
    try:
        with open_pdf(stored.path, "result.pdf"):
            pass
    except ScanRejected as exc:
        raise InvalidInput(exc.message, fields={"file": exc.message}) from exc
    verdicts = [v.as_dict() for v in signing.verify(stored.path, [demo_pki().ca_cert_path])]
    with db.transaction() as session:
        _task, dossier = _fill_task(session, task_id, actor)
        template = template_of(dossier.procedure)
        name = title or (template.title if template else "") or _default_title(dossier)
        draft = _add(session, dossier, UPLOADED, name, {}, stored, actor, verdicts)
        audit.record(
            session,
            "result_drafted",
            actor,
            dossier_id=dossier.id,
            version=draft.version,
            draft_kind=UPLOADED,
            sha256=stored.sha256,
            signatures=[v["state"] for v in verdicts],
        )
        return draft.version


def _default_title(dossier: Dossier) -> str:
    return f"Kết quả giải quyết thủ tục {dossier.procedure.code}"


def draft_on_accept(session: Session, task: TaskRef, data: dict[str, Any], actor: Actor) -> None:
    """When the fill step proposes the result for approval (`decision` = accept) and no draft
    exists yet, draft it from the template's defaults; refused (422) when a required field has
    no default: the officer fills the result first (001 §II.2.b Bước 5)."""
    if not rt.fills_result(task.element_id, task.form) or data.get("decision") != "accept":
        return
    dossier = session.get(Dossier, task.dossier_id, with_for_update=True)
    template = template_of(dossier.procedure)
    if template is None or latest(session, dossier.id) is not None:
        return
    values, errors = rt.check_values(template, rt.defaults(template, facts(dossier)))
    if errors:
        labels = ", ".join(template.field(n).label for n in errors if template.field(n))
        raise InvalidInput(
            _l(
                "Chưa lập kết quả giải quyết: hãy điền %(fields)s rồi lưu dự thảo trước khi"
                " trình lãnh đạo",
                fields=labels,
            ),
            fields={"decision": _l("Lập dự thảo kết quả trước khi trình")},
        )
    _add_filled(session, dossier, template, values, actor, automatic=True)


def check_approval(
    session: Session, task: TaskRef, data: dict[str, Any], seen: int | None, actor: Actor
) -> None:
    """Before an approval signs the result: the draft the leader read must be the latest
    (409 otherwise: it changed after the page was opened); none at all is refused (422) for
    a procedure with a result template. The approved version is marked for issuing."""
    if data.get("approval_decision") != "approve":
        return
    dossier = session.get(Dossier, task.dossier_id, with_for_update=True)
    draft = latest(session, dossier.id)
    if draft is None:
        if dossier.procedure.result_template:
            raise InvalidInput(
                _l("Chưa có dự thảo kết quả để ký: trả lại chuyên viên để lập kết quả"),
                fields={"approval_decision": _l("Chưa có dự thảo kết quả")},
            )
        return
    # a client that names no version approves what the step was opened with: nothing saved
    # after the step began (the UI always names the version it showed)
    unchanged = False
    if seen is None:
        opened = session.scalar(select(HumanTask.created_at).where(HumanTask.id == task.id))
        unchanged = opened is not None and draft.created_at <= opened
    if not unchanged and seen != draft.version:
        raise Conflict(
            _l(
                "Dự thảo kết quả đã thay đổi (phiên bản %(latest)s) sau khi bạn mở (phiên bản"
                " %(seen)s): hãy xem lại văn bản trước khi ký",
                latest=draft.version,
                seen=seen if seen is not None else "—",
            )
        )
    draft.approved_by_id = actor.id
    draft.approved_at = utcnow()


def approved(session: Session, dossier_id: int) -> ResultDraft | None:
    """The approved draft not yet issued (what `issue_result` signs), or None."""
    draft = latest(session, dossier_id)
    if draft is None or draft.approved_at is None or draft.document_id is not None:
        return None
    return draft


def preview(session: Session, dossier_id: int) -> bytes | None:
    """The latest draft's stored PDF, byte for byte (None when there is none)."""
    draft = latest(session, dossier_id)
    return None if draft is None else file_store().path(draft.file_sha256).read_bytes()
