"""A reorganisation plan against the database: the organisation it leads to (`Shape`, in
agency codes, the same before and after the cut-over) and every problem that stops it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain.reorganisation import Plan, role_label
from app.i18n import _
from app.models import AdminUnit, Agency, Procedure, User, UserRole

# Whoever takes dossiers over must be able to approve their results.
ALWAYS_NEEDED = ("leader",)


@dataclass
class Shape:
    """The organisation once the plan is applied, in agency codes (successors created by the
    plan have no id before the cut-over)."""

    plan: Plan
    # every abolished agency and department (by id) → the unit that takes its work (code)
    units: dict[int, str]
    codes: dict[int, str]  # id → code of the abolished units
    names: dict[str, str]  # code → name of every agency concerned
    # (role, agency code) held by at least one active officer after the plan
    staffed: set[tuple[str, str]]
    # officer id → the (role, agency code) pairs the officer holds after the plan
    holds: dict[int, set[tuple[str, str]]]

    def target(self, agency_id: int | None) -> str | None:
        """The code of the agency that takes over `agency_id` under the plan."""
        return self.units.get(agency_id) if agency_id is not None else None


def shape_of(session: Session, plan: Plan) -> Shape:
    """Resolve the plan against the agencies and officers as they are now; idempotent, so
    after the cut-over it gives the same answer it gave before."""
    successors = plan.successors()
    departments = {d: t for m in plan.agencies for d, t in m.departments.items()}
    sources = session.execute(
        select(Agency.id, Agency.code).where(Agency.code.in_(successors))
    ).all()
    units: dict[int, str] = {}
    codes: dict[int, str] = {}
    frontier = []
    for agency_id, code in sources:
        units[agency_id], codes[agency_id] = successors[code], code
        frontier.append((agency_id, successors[code]))
    while frontier:  # departments (and their units) follow their agency
        parents = dict(frontier)
        frontier = []
        for agency_id, code, parent in session.execute(
            select(Agency.id, Agency.code, Agency.parent_id).where(Agency.parent_id.in_(parents))
        ):
            if agency_id in units:
                continue
            units[agency_id] = departments.get(code) or parents[parent]
            codes[agency_id] = code
            frontier.append((agency_id, units[agency_id]))
    names = {a.code: a.name for a in plan.new_agencies}
    wanted = set(units.values()) | set(codes.values()) | {o.agency for o in plan.officers}
    names |= dict(
        session.execute(select(Agency.code, Agency.name).where(Agency.code.in_(wanted))).all()
    )
    holds: dict[int, set[tuple[str, str]]] = {}
    for user_id, role, code in session.execute(
        select(UserRole.user_id, UserRole.role, Agency.code)
        .join(Agency, Agency.id == UserRole.agency_id)
        .join(User, User.id == UserRole.user_id)
        .where(User.active.is_(True))
    ):
        if code not in codes.values():
            holds.setdefault(user_id, set()).add((str(role), code))
    moving = {o.username: o for o in plan.officers}
    if moving:
        for user_id, username in session.execute(
            select(User.id, User.username).where(User.username.in_(moving), User.active.is_(True))
        ):
            move = moving[username]
            holds[user_id] = {(role, move.agency) for role in move.roles}
    staffed = {pair for pairs in holds.values() for pair in pairs}
    return Shape(plan, units, codes, names, staffed, holds)


def check(session: Session, plan: Plan) -> list[str]:
    """Every problem that stops the plan, each in one sentence; empty when it can be applied."""
    problems: list[str] = []
    if not plan.agencies:
        problems.append(_("Phương án không sắp xếp cơ quan nào"))
    agencies = {
        a.code: a
        for a in session.scalars(
            select(Agency).where(
                Agency.code.in_(
                    {m.source for m in plan.agencies}
                    | {m.target for m in plan.agencies}
                    | {a.parent for a in plan.new_agencies}
                    | {a.code for a in plan.new_agencies}
                    | {o.agency for o in plan.officers}
                    | set(plan.procedures.values())
                    | {d for m in plan.agencies for d in m.departments}
                    | {t for m in plan.agencies for t in m.departments.values()}
                )
            )
        )
    }
    new = {a.code: a for a in plan.new_agencies}
    successors = plan.successors()

    def usable(code: str) -> bool:
        return code in new or (code in agencies and agencies[code].active)

    for agency in plan.new_agencies:
        if agency.code in agencies:
            problems.append(
                _(
                    "Cơ quan mới %(code)s đã có (%(name)s)",
                    code=agency.code,
                    name=agencies[agency.code].name,
                )
            )
        if agency.parent and not usable(agency.parent):
            problems.append(
                _(
                    "Cơ quan mới %(code)s: cơ quan cấp trên %(parent)s không có",
                    code=agency.code,
                    parent=agency.parent,
                )
            )
        if not 1 <= agency.level <= 4:
            problems.append(_("Cơ quan mới %(code)s: cấp phải từ 1 đến 4", code=agency.code))
    for move in plan.agencies:
        source = agencies.get(move.source)
        if source is None or not source.active:
            problems.append(
                _("Cơ quan %(source)s không có hoặc đã ngừng hoạt động", source=move.source)
            )
            continue
        final = successors[move.source]
        if not usable(final):
            problems.append(
                _(
                    "%(name)s: cơ quan kế thừa %(final)s không có hoặc đã ngừng hoạt động",
                    name=source.name,
                    final=final,
                )
            )
        for old, new_code in move.departments.items():
            department = agencies.get(old)
            if department is None or department.parent_id != source.id:
                problems.append(
                    _(
                        "%(name)s: %(old)s không phải là phòng của cơ quan này",
                        name=source.name,
                        old=old,
                    )
                )
            parent = (
                new[new_code].parent
                if new_code in new
                else (
                    agencies[new_code].parent.code
                    if new_code in agencies and agencies[new_code].parent
                    else None
                )
            )
            if not usable(new_code) or parent != final:
                problems.append(
                    _(
                        "%(name)s: phòng kế thừa %(new_code)s không thuộc %(final)s",
                        name=source.name,
                        new_code=new_code,
                        final=final,
                    )
                )
    for officer in plan.officers:
        if officer.agency in successors:
            problems.append(
                _(
                    "Cán bộ %(username)s: %(agency)s bị giải thể theo phương án",
                    username=officer.username,
                    agency=officer.agency,
                )
            )
        elif not usable(officer.agency):
            problems.append(
                _(
                    "Cán bộ %(username)s: cơ quan %(agency)s không có",
                    username=officer.username,
                    agency=officer.agency,
                )
            )
    known = dict(
        session.execute(
            select(User.username, User.active).where(
                User.username.in_([o.username for o in plan.officers])
            )
        ).all()
    )
    for officer in plan.officers:
        if officer.username not in known:
            problems.append(
                _("Không có cán bộ tên đăng nhập «%(username)s»", username=officer.username)
            )
        elif not known[officer.username]:
            problems.append(
                _("Cán bộ %(username)s: tài khoản đã bị khoá", username=officer.username)
            )
    if problems:
        return problems
    shape = shape_of(session, plan)
    problems += _unstaffed(session, shape)
    problems += _procedures(session, shape)
    problems += _units_left_out(session, shape)
    return problems


def _unstaffed(session: Session, shape: Shape) -> list[str]:
    """Every role held in an abolished unit is still held in the unit that takes its work."""
    needed: dict[tuple[str, str], set[str]] = {}
    for role, agency_id in session.execute(
        select(UserRole.role, UserRole.agency_id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.agency_id.in_(shape.units), User.active.is_(True))
    ):
        needed.setdefault((str(role), shape.units[agency_id]), set()).add(shape.codes[agency_id])
    for move in shape.plan.agencies:
        final = shape.plan.successors()[move.source]
        for role in ALWAYS_NEEDED:
            needed.setdefault((role, final), set()).add(move.source)
    return [
        _(
            "%(names)s: không còn cán bộ giữ vai trò %(role_label)s (đang có ở %(names2)s)",
            names=shape.names.get(code, code),
            role_label=role_label(role),
            names2=", ".join(sorted(shape.names.get(s, s) for s in sources)),
        )
        for (role, code), sources in sorted(needed.items())
        if (role, code) not in shape.staffed
    ]


def _procedures(session: Session, shape: Shape) -> list[str]:
    problems = []
    declared = shape.plan.procedures
    rows = session.execute(
        select(
            Procedure.code, Procedure.name, Procedure.agency_id, Procedure.model_version_id
        ).where(
            Procedure.active.is_(True),
            or_(Procedure.agency_id.in_(shape.units), Procedure.code.in_(declared)),
        )
    ).all()
    found = {r.code for r in rows}
    problems += [
        _("Không có thủ tục mã %(c)s đang áp dụng", c=c) for c in declared if c not in found
    ]
    for row in rows:
        target = declared.get(row.code) or shape.target(row.agency_id)
        if target in shape.plan.successors():
            problems.append(
                _(
                    "Thủ tục %(code)s: cơ quan %(target)s bị giải thể theo phương án",
                    code=row.code,
                    target=target,
                )
            )
        if row.model_version_id is None:
            problems.append(
                _(
                    "Thủ tục %(code)s (%(name)s) chưa có quy trình đã triển khai",
                    code=row.code,
                    name=row.name,
                )
            )
    return problems


def _units_left_out(session: Session, shape: Shape) -> list[str]:
    """Agencies of a commune or province the synced list says was merged or abolished must be
    in the plan."""
    rows = session.execute(
        select(Agency.code, Agency.name, AdminUnit.code, AdminUnit.status, AdminUnit.successor_code)
        .join(AdminUnit, AdminUnit.code == Agency.admin_unit_code)
        .where(Agency.active.is_(True), AdminUnit.status != "active")
    ).all()
    sources = set(shape.codes.values())
    return [
        _(
            "%(name)s: đơn vị hành chính %(unit)s đã sáp nhập vào %(successor)s nhưng cơ quan "
            "chưa có trong phương án",
            name=name,
            unit=unit,
            successor=successor,
        )
        if status == "merged"
        else _(
            "%(name)s: đơn vị hành chính %(unit)s đã bị bãi bỏ nhưng cơ quan chưa có trong "
            "phương án",
            name=name,
            unit=unit,
        )
        for code, name, unit, status, successor in rows
        if code not in sources
    ]
