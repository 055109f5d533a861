"""A step's form filled from the national databases (001 §II.2.b Bước 4: "Thông tin biểu mẫu:
được lấy từ các Cơ sở dữ liệu quốc gia (dân cư, đăng ký doanh nghiệp, thuế…)"): the fields
tied to master-data codes (001 §IV.1.a), answered by the registers for the dossier owner's
identifier. A register that does not answer is named, and its fields stay for the officer to
type ("Các thông tin chưa có thì cán bộ nhập thêm")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app import settings
from app.domain import master_data
from app.i18n import _
from app.integrations.errors import IntegrationError
from app.integrations.national import NationalDbClient
from app.models import AuditEvent, Dossier, HumanTask
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput
from app.storage.db import db


@dataclass(frozen=True)
class Filled:
    """What the national databases said for a form: tied fields {name: code}, the values
    they answered {name: (value, source)} and the sources that did not answer."""

    tied: dict[str, str] = field(default_factory=dict)
    values: dict[str, tuple[str, str]] = field(default_factory=dict)
    down: list[str] = field(default_factory=list)
    # changes made earlier on this dossier (by the citizen online, an earlier round): the
    # value and reason each field was last changed to, offered again
    earlier: dict[str, tuple[str, str]] = field(default_factory=dict)


def look_up(schema: Mapping[str, Any] | None, owner_id_type: str, owner_id: str) -> Filled:
    """Ask each register the form needs about the owner (001 §II.2.b Bước 4: a person by
    CCCD/passport, a business by MST/MSDN); never raises for a register that is down."""
    tied = master_data.tied_fields(schema)
    kind = master_data.owner_kind(owner_id_type)
    if not tied or kind is None or not owner_id:
        return Filled(tied)
    config = settings.current
    timeout = min(config.HTTP_TIMEOUT, config.NATIONAL_FILL_TIMEOUT)
    client = NationalDbClient(config.NATIONAL_DB_URL, timeout)
    records: dict[str, dict | None] = {}
    down: list[str] = []
    for source in master_data.needed_sources(tied, kind):
        try:
            records[source] = client.register(source, owner_id)
        except IntegrationError:
            down.append(source)
    return Filled(tied, master_data.filled_values(tied, kind, records), down)


# The step's form, agency and owner in one read of plain columns (every completion asks).
_FOR_TASK = (
    select(
        HumanTask.agency_id,
        HumanTask.form,
        HumanTask.dossier_id,
        Dossier.owner_id_type,
        Dossier.owner_id,
    )
    .join(Dossier, Dossier.id == HumanTask.dossier_id)
    .where(HumanTask.id == bindparam("task_id"))
)


@dataclass(frozen=True)
class Wanted:
    """What an open step's form asks the registers: the form, its dossier owner's identifier,
    and the hand changes recorded earlier on the dossier."""

    form: Mapping[str, Any]
    owner_id_type: str
    owner_id: str
    earlier: dict[str, tuple[str, str]]


def wanted_by(session: Session, task_id: str, actor: Actor) -> Wanted | None:
    """What the step's form asks the registers, read in the caller's transaction; None when it
    asks nothing: no field tied to a register, or a step the actor does not see (completing it
    is refused on its own terms)."""
    task = session.connection().execute(_FOR_TASK, {"task_id": task_id}).one_or_none()
    if task is None or not actor.sees(task.agency_id) or not master_data.tied_fields(task.form):
        return None
    earlier = _earlier_changes(session, task.dossier_id)
    return Wanted(task.form, task.owner_id_type, task.owner_id, earlier)


def ask(wanted: Wanted | None) -> Filled:
    """The registers' answers for what a step wants (outside any transaction: HTTP calls)."""
    if wanted is None:
        return Filled()
    found = look_up(wanted.form, wanted.owner_id_type, wanted.owner_id)
    return replace(found, earlier={k: v for k, v in wanted.earlier.items() if k in found.values})


def for_task(task_id: str, actor: Actor) -> Filled:
    """The national data for an open step's form, for its dossier's owner (nothing for a step
    the actor does not see: completing it is refused on its own terms)."""
    with db.transaction() as session:
        wanted = wanted_by(session, task_id, actor)
    return ask(wanted)


# The hand changes recorded on a dossier's national data, oldest first (plain column).
_EARLIER = (
    select(AuditEvent.data)
    .where(
        AuditEvent.dossier_id == bindparam("dossier_id"),
        AuditEvent.kind == "national_data_changed",
    )
    .order_by(AuditEvent.id)
)


def _earlier_changes(session: Session, dossier_id: int) -> dict[str, tuple[str, str]]:
    events = session.connection().execute(_EARLIER, {"dossier_id": dossier_id}).scalars()
    return {
        c["field"]: (str(c.get("new", "")), str(c.get("reason", "")))
        for data in events
        for c in (data or {}).get("changes") or []
        if isinstance(c, dict) and c.get("field")
    }


def checked(
    filled: Filled,
    schema: Mapping[str, Any] | None,
    data: dict[str, Any],
    reasons: Mapping[str, str],
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The data to keep and the changes to record (old, new, reason); InvalidInput (422) on
    each filled field changed without a reason (001 §II.2.b Bước 4)."""
    kept, changes, problems = master_data.reconcile(filled.tied, filled.values, data, reasons)
    if problems:
        properties = (schema or {}).get("properties") or {}
        errors = {}
        for name, problem in problems.items():
            title = (properties.get(name) or {}).get("title", name)
            source = _(master_data.SOURCE_NAMES[filled.values[name][1]])
            errors[name] = (
                _(
                    "«%(title)s» lấy từ %(source)s: ghi lý do để sửa",
                    title=title,
                    source=source,
                )
                if problem == "no_reason"
                else _("Lý do sửa «%(title)s» quá dài", title=title)
            )
        raise InvalidInput(_("Sửa thông tin lấy từ CSDL quốc gia phải ghi lý do"), fields=errors)
    return kept, [c.as_dict() for c in changes]
