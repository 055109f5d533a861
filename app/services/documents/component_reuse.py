"""Reuse by component at reception (002 §5.b Bước 2 "Cập nhật thành phần hồ sơ"; 001 §II.1
Bước 3): one panel lists each component of the procedure with what each source holds for the
owner, in the guide's order (`component_sources`), and the citizen confirms, per component,
the item that is used. "Dùng các giấy tờ đã chọn" then attaches every confirmed component in
one request: all or nothing, and a repeat attaches nothing twice. Each attached item takes its
file (reuse by content, `reused_files`) and keeps the citizen's confirmation (who, when, how).
Components left without a reused item are what the officer receives on paper or digitizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.document_owner import Person
from app.i18n import _l
from app.integrations.errors import IntegrationError
from app.models import Dossier, DossierComponent, Procedure
from app.models.base import utcnow
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import Forbidden, InvalidInput, NotFound
from app.services.documents import owner_check, reuse, reused_files
from app.services.documents.component_sources import Item, SourceAnswer, ask, ask_all
from app.storage.db import db

VIA = ("counter", "online")  # how the citizen confirmed: at the counter, or online


@dataclass(frozen=True)
class Pick:
    """What the form says for one component: the chosen item ("source:ref", "" for paper)
    and whether the citizen confirmed it."""

    type_code: str
    choice: str
    confirmed: bool


@dataclass(frozen=True)
class ComponentRow:
    """One component of the procedure, what each source holds, and what is attached."""

    type_code: str
    name: str
    required: bool
    answers: tuple[SourceAnswer, ...] = ()
    attached: dict[str, Any] | None = None

    @property
    def offered(self) -> tuple[Item, ...]:
        """The items the citizen may confirm, in the guide's order of sources."""
        return tuple(i for a in self.answers for i in a.items if i.offered)

    @property
    def key(self) -> str:
        """The component's key in a posted form and in error fields."""
        return f"component-{self.type_code}"


@dataclass(frozen=True)
class Panel:
    """The reuse panel of one owner and procedure (dossier_code empty before reception)."""

    procedure_code: str
    owner_id: str
    owner_name: str
    confirmer: Person  # who confirms: the owner, or the proxy who came to the counter
    rows: tuple[ComponentRow, ...]
    dossier_code: str = ""
    dossier_id: int | None = None

    @property
    def on_paper(self) -> tuple[ComponentRow, ...]:
        """Components still without a reused document: received on paper or digitized."""
        return tuple(r for r in self.rows if r.attached is None)


def _components(procedure: Procedure) -> list[tuple[str, str, bool]]:
    """The procedure's components (type code, name, required), each type once."""
    seen: dict[str, tuple[str, str, bool]] = {}
    for c in procedure.components or []:
        code = str(c.get("type_code") or "")
        if code and code not in seen:
            seen[code] = (code, str(c.get("name") or code), bool(c.get("required")))
    return list(seen.values())


def _attached(session: Session, dossier_id: int) -> dict[str, DossierComponent]:
    """The dossier's reused components by type (the first one of each type)."""
    rows = session.scalars(
        select(DossierComponent)
        .where(DossierComponent.dossier_id == dossier_id)
        .order_by(DossierComponent.id)
    )
    found: dict[str, DossierComponent] = {}
    for row in rows:
        found.setdefault(row.type_code, row)
    return found


def _confirmer(dossier_data: dict[str, Any], owner: Person) -> Person:
    """Who stands at the counter and confirms: the proxy when one filed, else the owner."""
    proxy = dossier_data.get("proxy")
    if isinstance(proxy, dict) and proxy.get("id"):
        return Person(str(proxy["id"]), str(proxy.get("name") or ""), role="proxy")
    return owner


def _rows(
    components: list[tuple[str, str, bool]],
    owner_id: str,
    attached: dict[str, DossierComponent],
    besides: int | None = None,
) -> tuple[ComponentRow, ...]:
    """Each component with its sources asked (not asked again once a document is attached)."""
    rows = []
    for code, name, required in components:
        done = attached.get(code)
        if done is not None:
            shown = {"source": done.source, "ref": done.ref, "name": done.name}
            rows.append(ComponentRow(code, name, required, attached=shown))
        else:
            rows.append(ComponentRow(code, name, required, ask_all(owner_id, code, besides)))
    return tuple(rows)


def panel(dossier_code: str, actor: Actor) -> Panel:
    """The reuse panel of a received dossier (002 §5.b Bước 2): per component of its
    procedure what each source holds for the owner, and what is already attached."""
    with db.transaction() as session:
        dossier = reuse._dossier(session, dossier_code, actor)
        owner = owner_check.expected_owner(session, dossier)
        components = _components(dossier.procedure)
        attached = _attached(session, dossier.id)
        head = (dossier.procedure.code, dossier.owner_id, dossier.owner_name)
        confirmer = _confirmer(dossier.data or {}, owner)
        dossier_id = dossier.id
    rows = _rows(components, head[1], attached, dossier_id)
    return Panel(*head, confirmer, rows, dossier_code, dossier_id)


def preview(procedure_code: str, owner_id: str, owner_name: str, actor: Actor) -> Panel:
    """The panel at the counter before the dossier exists (once the owner is known): what
    each source holds; nothing is attached until the dossier is received."""
    owner_id = (owner_id or "").strip()
    if not actor.agencies_for("reception"):
        raise Forbidden(_l("Chỉ cán bộ một cửa được tiếp nhận hồ sơ"))
    if not owner_id:
        raise InvalidInput(
            _l("Nhập số giấy tờ của chủ hồ sơ để tra cứu giấy tờ đã có"),
            fields={"owner_id": _l("bắt buộc")},
        )
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        if procedure is None or not procedure.active:
            raise InvalidInput(
                _l("Chọn thủ tục hành chính"), fields={"procedure_code": _l("bắt buộc")}
            )
        components = _components(procedure)
    owner = Person(owner_id, (owner_name or "").strip())
    return Panel(procedure_code, owner_id, owner.full_name, owner, _rows(components, owner_id, {}))


def confirmed_by(person: Person, via: str, officer_id: int | None = None) -> dict[str, Any]:
    """The citizen's confirmation kept with a reused component (002 §5.b Bước 2): who
    (identifier, name, owner or proxy), when, how (at the counter / online), and the officer
    who asked at the counter."""
    return {
        "by_id": person.identifier,
        "by_name": person.full_name,
        "role": person.role,
        "at": utcnow().isoformat(),
        "via": via,
        "officer_id": officer_id,
    }


def _refuse(key: str, message: Any) -> InvalidInput:
    return InvalidInput(message, fields={key: message})


def _checked(
    components: list[tuple[str, str, bool]],
    owner_id: str,
    picks: list[Pick],
    besides: int | None = None,
) -> list[tuple[tuple[str, str, bool], Item, Pick]]:
    """The chosen items, each asked again at its source so that what is attached is what the
    source holds now for this owner; InvalidInput naming every component that cannot be."""
    by_code = {c[0]: c for c in components}
    chosen, errors = [], {}
    for pick in picks:
        key = f"component-{pick.type_code}"
        if pick.type_code not in by_code:
            errors[key] = _l(
                "«%(code)s» không phải thành phần hồ sơ của thủ tục này", code=pick.type_code
            )
            continue
        if not pick.choice:
            continue  # received on paper
        if not pick.confirmed:  # 002 §5.b Bước 2: "đề nghị công dân xác nhận"
            errors[key] = _l("Công dân chưa xác nhận dùng giấy tờ này (hoặc chọn nhận bản giấy)")
            continue
        source, _sep, ref = pick.choice.partition(":")
        if source not in reuse.SOURCES or not ref:
            errors[key] = _l("Nguồn giấy tờ không hợp lệ")
            continue
        answer = ask(source, owner_id, pick.type_code, besides)
        item = next((i for i in answer.items if i.ref == ref), None)
        if answer.down:
            errors[key] = _l(
                "Nguồn %(source)s tạm thời không tra cứu được; hãy thử lại",
                source=_l(reuse.SOURCE_LABELS[source]),
            )
        elif item is None or item.other_owner:
            errors[key] = _l("Giấy tờ đã chọn không có ở nguồn cho chủ hồ sơ này; hãy tra cứu lại")
        elif item.expired:
            errors[key] = _l("Giấy tờ đã chọn đã hết hiệu lực; không được dùng lại")
        else:
            chosen.append((by_code[pick.type_code], item, pick))
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    return chosen


def check_for_owner(procedure_code: str, owner_id: str, picks: list[Pick]) -> None:
    """Before a dossier is received at the counter: InvalidInput unless every chosen item can
    be attached (so that a refused choice refuses the reception, not half of it)."""
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        components = _components(procedure) if procedure is not None else []
    _checked(components, (owner_id or "").strip(), picks)


@dataclass(frozen=True)
class Outcome:
    """What one "Dùng các giấy tờ đã chọn" did: components attached now, already attached
    (a repeat), and the files that are still being fetched (their reasons)."""

    attached: tuple[str, ...]
    already: tuple[str, ...]
    fetching: tuple[str, ...]


def _fetch_all(
    chosen: list[tuple[tuple[str, str, bool], Item, Pick]],
) -> dict[str, tuple[dict[str, Any] | None, str]]:
    """Each chosen file fetched before anything is written: a file that can never be taken
    refuses the whole request; a source that is only slow leaves a background fetch."""
    fetched = {}
    for (code, _name, _req), item, _pick in chosen:
        if item.source not in reused_files.FETCHED_SOURCES:
            fetched[code] = (None, "")
            continue
        try:
            fetched[code] = (reused_files.fetch_now(item.source, item.ref, item.owner_id), "")
        except IntegrationError as exc:
            if not exc.retryable:
                raise reused_files.refused(reuse.SOURCE_LABELS[item.source], exc) from exc
            fetched[code] = (None, str(exc))
    return fetched


def _data(item: Item) -> dict[str, Any]:
    """The item's metadata kept with the component, as the panel showed it."""
    values = {
        "document_number": item.number,
        "issuer": item.issuer,
        "issued_on": item.issued_on.isoformat() if item.issued_on else "",
        "valid_until": item.valid_until.isoformat() if item.valid_until else "",
        "full_name": item.owner_name,
    }
    return {k: v for k, v in values.items() if v}


def attach_chosen(
    dossier_code: str, picks: list[Pick], actor: Actor, via: str = "counter"
) -> Outcome:
    """Attach every confirmed component in one transaction (all or nothing); a component
    that already holds the same document is left as it is, so a double submit attaches once.
    Each records the citizen's confirmation: who, when, and how (`via`)."""
    if via not in VIA:
        raise InvalidInput(_l("Cách xác nhận không hợp lệ"))
    current = panel(dossier_code, actor)
    if not any(p.choice for p in picks):
        raise InvalidInput(_l("Chưa chọn giấy tờ nào để dùng lại"))
    done = {r.type_code: r.attached for r in current.rows if r.attached}
    waiting = [p for p in picks if p.type_code not in done]
    for pick in picks:
        seen = done.get(pick.type_code)
        if seen and pick.choice and pick.choice != f"{seen['source']}:{seen['ref']}":
            raise _refuse(
                f"component-{pick.type_code}",
                _l("Thành phần này đã có giấy tờ dùng lại; không đính kèm thêm"),
            )
    procedure_components = [(r.type_code, r.name, r.required) for r in current.rows]
    chosen = _checked(procedure_components, current.owner_id, waiting, current.dossier_id)
    again = tuple(p.type_code for p in picks if p.type_code in done and p.choice)
    fetched = _fetch_all(chosen)
    with db.transaction() as session:
        dossier = session.scalar(
            select(Dossier).where(Dossier.code == dossier_code).with_for_update()
        )
        if dossier is None:
            raise NotFound(_l("Không tìm thấy hồ sơ %(code)s", code=dossier_code))
        present = _attached(session, dossier.id)
        confirmation = confirmed_by(current.confirmer, via, actor.id)
        attached, already, fetching = [], list(again), []
        for (code, _name, _req), item, _pick in chosen:
            if code in present:  # a concurrent request attached it first
                already.append(code)
                continue
            component = DossierComponent(
                dossier_id=dossier.id,
                type_code=code,
                name=item.name or _name,
                source=item.source,
                ref=item.ref,
                document_id=int(item.ref) if item.source == "own" else None,
                data=_data(item),
                mismatch={},
                confirmed_by_id=actor.id,
                citizen_confirmation=confirmation,
            )
            session.add(component)
            session.flush()
            file, error = fetched[code]
            if item.source in reused_files.FETCHED_SOURCES:
                reused_files.attach_file(session, component, item.owner_id, file, error, actor)
            if error:
                fetching.append(code)
            audit.record(
                session,
                "component_reused",
                actor,
                dossier_id=dossier.id,
                source=item.source,
                ref=item.ref,
                type_code=code,
                confirmed_by=confirmation["by_id"],
                confirmed_via=via,
            )
            attached.append(code)
    return Outcome(tuple(attached), tuple(already), tuple(fetching))
