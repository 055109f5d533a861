"""Reorganisation (sắp xếp đơn vị hành chính): a plan is checked against the database and
dry-run dossier by dossier here; `cutover` applies it (the cut-over once, then each listed
dossier through `reorg_transfer` in its own transaction), `reorg_reports` says what it did.

The dry run and the apply share `judge`, which decides what happens to one dossier from the
organisation *after* the plan (`Shape`), so what the dry run shows is what apply does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, joinedload

from app.domain.reorganisation import Plan, role_label
from app.models import (
    AdminUnit,
    Agency,
    Dossier,
    HumanTask,
    PaperShipment,
    Procedure,
    ProcessInstance,
    User,
    UserRole,
)
from app.storage.db import db

# Whoever takes dossiers over must be able to approve their results.
ALWAYS_NEEDED = ("leader",)
BATCH = 200


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
        return self.units.get(agency_id) if agency_id is not None else None


@dataclass
class Step:
    id: str
    title: str
    role: str
    source: str
    target: str
    assignee: str = ""
    assignee_id: int | None = None
    released: bool = False


@dataclass
class Entry:
    """What happens to one dossier: moved (with its steps), finished already, or refused."""

    dossier_id: int
    code: str
    outcome: str  # moved | finished | refused
    source: str = ""
    target: str = ""
    reason: str = ""
    steps: list[Step] = field(default_factory=list)
    due_at: str | None = None
    timer_at: str | None = None
    # paper in transit (BCCI) addressed to an abolished unit: redirected to its successor
    shipments: list[int] = field(default_factory=list)
    instance_id: int | None = field(default=None, compare=False)

    def detail(self) -> dict:
        return {
            "source": self.source,
            "shipments": self.shipments,
            "steps": [asdict(s) for s in self.steps],
            "due_at": self.due_at,
            "timer_at": self.timer_at,
        }


# ---------------------------------------------------------------- the plan against the database


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
        problems.append("Phương án không sắp xếp cơ quan nào")
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
            problems.append(f"Cơ quan mới {agency.code} đã có ({agencies[agency.code].name})")
        if agency.parent and not usable(agency.parent):
            problems.append(f"Cơ quan mới {agency.code}: cơ quan cấp trên {agency.parent} không có")
        if not 1 <= agency.level <= 4:
            problems.append(f"Cơ quan mới {agency.code}: cấp phải từ 1 đến 4")
    for move in plan.agencies:
        source = agencies.get(move.source)
        if source is None or not source.active:
            problems.append(f"Cơ quan {move.source} không có hoặc đã ngừng hoạt động")
            continue
        final = successors[move.source]
        if not usable(final):
            problems.append(
                f"{source.name}: cơ quan kế thừa {final} không có hoặc đã ngừng hoạt động"
            )
        for old, new_code in move.departments.items():
            department = agencies.get(old)
            if department is None or department.parent_id != source.id:
                problems.append(f"{source.name}: {old} không phải là phòng của cơ quan này")
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
                problems.append(f"{source.name}: phòng kế thừa {new_code} không thuộc {final}")
    for officer in plan.officers:
        if officer.agency in successors:
            problems.append(
                f"Cán bộ {officer.username}: {officer.agency} bị giải thể theo phương án"
            )
        elif not usable(officer.agency):
            problems.append(f"Cán bộ {officer.username}: cơ quan {officer.agency} không có")
    known = dict(
        session.execute(
            select(User.username, User.active).where(
                User.username.in_([o.username for o in plan.officers])
            )
        ).all()
    )
    for officer in plan.officers:
        if officer.username not in known:
            problems.append(f"Không có cán bộ tên đăng nhập «{officer.username}»")
        elif not known[officer.username]:
            problems.append(f"Cán bộ {officer.username}: tài khoản đã bị khoá")
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
        f"{shape.names.get(code, code)}: không còn cán bộ giữ vai trò {role_label(role)}"
        f" (đang có ở {', '.join(sorted(shape.names.get(s, s) for s in sources))})"
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
    problems += [f"Không có thủ tục mã {c} đang áp dụng" for c in declared if c not in found]
    for row in rows:
        target = declared.get(row.code) or shape.target(row.agency_id)
        if target in shape.plan.successors():
            problems.append(f"Thủ tục {row.code}: cơ quan {target} bị giải thể theo phương án")
        if row.model_version_id is None:
            problems.append(f"Thủ tục {row.code} ({row.name}) chưa có quy trình đã triển khai")
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
        f"{name}: đơn vị hành chính {unit} đã "
        + (f"sáp nhập vào {successor}" if status == "merged" else "bị bãi bỏ")
        + " nhưng cơ quan chưa có trong phương án"
        for code, name, unit, status, successor in rows
        if code not in sources
    ]


# ---------------------------------------------------------------- one dossier


def pending_in(units: dict[int, str]):  # noqa: ANN202
    """The condition on dossiers a plan must move: unfinished, and held, received or with an
    open step in one of the abolished units."""
    ids = list(units)
    return and_(
        Dossier.finished_at.is_(None),
        or_(
            Dossier.agency_id.in_(ids),
            Dossier.receiving_agency_id.in_(ids),
            exists().where(
                HumanTask.dossier_id == Dossier.id,
                HumanTask.state == "open",
                HumanTask.agency_id.in_(ids),
            ),
        ),
    )


def judge(session: Session, shape: Shape, dossier: Dossier) -> Entry:
    entry = Entry(dossier.id, dossier.code, "moved")
    entry.source = shape.codes.get(dossier.agency_id) or dossier.agency.code
    entry.target = shape.target(dossier.agency_id) or dossier.agency.code
    entry.due_at = dossier.due_at.isoformat() if dossier.due_at else None
    instance = session.execute(
        select(ProcessInstance.id, ProcessInstance.status, ProcessInstance.next_timer_at).where(
            ProcessInstance.dossier_id == dossier.id
        )
    ).one_or_none()
    if dossier.finished_at is not None:
        entry.outcome = "finished"
        return entry
    if instance is None or instance.status != "running":
        entry.outcome = "refused"
        entry.reason = (
            "Tiến trình của hồ sơ không chạy (đang lỗi hoặc đã dừng); xử lý sự cố rồi chạy lại"
        )
        return entry
    entry.instance_id = instance.id
    entry.timer_at = instance.next_timer_at.isoformat() if instance.next_timer_at else None
    for task, holder in session.execute(
        select(HumanTask, User.full_name)
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(
            HumanTask.dossier_id == dossier.id,
            HumanTask.state == "open",
            HumanTask.agency_id.in_(shape.units),
        )
        .order_by(HumanTask.created_at, HumanTask.id)
    ):
        target = shape.units[task.agency_id]
        kept = task.assignee_id is not None and (task.role, target) in shape.holds.get(
            task.assignee_id, set()
        )
        entry.steps.append(
            Step(
                task.id,
                task.title,
                task.role,
                shape.codes[task.agency_id],
                target,
                holder or "",
                task.assignee_id,
                released=task.assignee_id is not None and not kept,
            )
        )
    entry.shipments = list(
        session.scalars(
            select(PaperShipment.id)
            .where(
                PaperShipment.dossier_id == dossier.id,
                PaperShipment.received_at.is_(None),
                PaperShipment.to_agency_id.in_(shape.units),
            )
            .order_by(PaperShipment.id)
        )
    )
    unstaffed = sorted({(s.role, s.target) for s in entry.steps} - shape.staffed)
    if unstaffed:
        entry.outcome = "refused"
        entry.reason = "; ".join(
            f"{shape.names.get(code, code)} không có cán bộ giữ vai trò {role_label(role)}"
            for role, code in unstaffed
        )
    return entry


# ---------------------------------------------------------------- dry run


def dry_run(plan: Plan) -> tuple[list[str], Iterator[Entry]]:
    """The problems of the plan, and — when there are none — what would happen to each pending
    dossier, streamed in id order (a page of dossiers at a time, never all in memory)."""
    with db.transaction() as session:
        problems = check(session, plan)
        shape = None if problems else shape_of(session, plan)
    if shape is None:
        return problems, iter(())
    return [], _stream(shape)


def _stream(shape: Shape) -> Iterator[Entry]:
    last = 0
    while True:
        with db.transaction() as session:
            dossiers = session.scalars(
                select(Dossier)
                .options(joinedload(Dossier.agency))
                .where(pending_in(shape.units), Dossier.id > last)
                .order_by(Dossier.id)
                .limit(BATCH)
            ).all()
            entries = [judge(session, shape, d) for d in dossiers]
        if not entries:
            return
        yield from entries
        last = entries[-1].dossier_id
