"""A reorganisation plan (phương án sắp xếp) as an administrator declares it, in JSON or CSV:
which agencies are abolished or merged and into which successor, where their departments go,
where officers go with which roles, and which agency now executes each procedure.

Pure: parsing and the checks that need no database (shape, duplicates, chains and cycles).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.roles import ROLE_LABELS_VI
from app.domain.status import VN_TZ
from app.i18n import _, _l

OFFICER_ROLES = ("reception", "processing", "leader", "supervisor", "analyst", "admin")


@dataclass(frozen=True)
class NewAgency:
    code: str
    name: str
    parent: str = ""
    level: int = 3
    admin_unit_code: str = ""


@dataclass(frozen=True)
class AgencyMove:
    source: str
    target: str
    # departments of the source → departments of the successor (unlisted ones go to the
    # successor itself)
    departments: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OfficerMove:
    username: str
    agency: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    name: str
    cutover_at: datetime
    new_agencies: tuple[NewAgency, ...] = ()
    agencies: tuple[AgencyMove, ...] = ()
    officers: tuple[OfficerMove, ...] = ()
    # procedure code → agency code
    procedures: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cutover_at": self.cutover_at.isoformat(),
            "new_agencies": [vars(a) for a in self.new_agencies],
            "agencies": [
                {"from": m.source, "to": m.target, "departments": m.departments}
                for m in self.agencies
            ],
            "officers": [
                {"username": o.username, "agency": o.agency, "roles": list(o.roles)}
                for o in self.officers
            ],
            "procedures": [{"code": c, "agency": a} for c, a in self.procedures.items()],
        }

    def successors(self) -> dict[str, str]:
        """Each abolished agency's final successor, chains followed (A → B, B → C: A → C);
        raises PlanError on a cycle."""
        direct = {m.source: m.target for m in self.agencies}
        final: dict[str, str] = {}
        for source in direct:
            seen = [source]
            target = direct[source]
            while target in direct:
                if target in seen:
                    loop = " → ".join([*seen, target])
                    raise PlanError([_l("Vòng lặp cơ quan kế thừa: %(loop)s", loop=loop)])
                seen.append(target)
                target = direct[target]
            final[source] = target
        return final


class PlanError(ValueError):
    """The plan cannot be used; `problems` lists every reason, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        problems = [str(p) for p in problems]  # lazy messages read now, in the reader's language
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def parse_cutover(value: Any) -> datetime:
    text = _text(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PlanError(
            [
                _l(
                    "Thời điểm chuyển đổi «%(text)s» không hợp lệ (ví dụ "
                    "2025-07-01T00:00:00+07:00)",
                    text=text,
                )
            ]
        ) from exc
    # a bare date or time is read in Vietnam's time
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _roles(raw: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else str(raw or "").replace("|", ",").split(",")
    roles: list[str] = []
    for item in (_text(r) for r in items):
        if not item:
            continue
        if item not in OFFICER_ROLES:
            problems.append(
                _(
                    "%(where)s: vai trò «%(item)s» không có (dùng: %(names)s)",
                    where=where,
                    item=item,
                    names=", ".join(OFFICER_ROLES),
                )
            )
        elif item not in roles:
            roles.append(item)
    return tuple(roles)


def plan_from_json(data: Any) -> Plan:
    """Raises PlanError listing every problem of shape found, not only the first."""
    if not isinstance(data, dict):
        raise PlanError([_l("Phương án phải là một đối tượng JSON")])
    problems: list[str] = []
    name = _text(data.get("name"))
    if not name:
        problems.append(_("Thiếu tên phương án (name)"))
    try:
        cutover = parse_cutover(data.get("cutover_at"))
    except PlanError as exc:
        problems.extend(exc.problems)
        cutover = datetime.min.replace(tzinfo=VN_TZ)

    def rows(key: str) -> list[dict[str, Any]]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            problems.append(_("«%(key)s» phải là một danh sách đối tượng", key=key))
            return []
        return value

    new_agencies = []
    for i, row in enumerate(rows("new_agencies"), 1):
        code, label = _text(row.get("code")), _text(row.get("name"))
        if not code or not label:
            problems.append(_("Cơ quan mới thứ %(i)s: cần mã (code) và tên (name)", i=i))
            continue
        try:
            level = int(row.get("level") or 3)
        except (TypeError, ValueError):
            problems.append(_("Cơ quan mới %(code)s: cấp (level) phải là số 1–4", code=code))
            level = 3
        new_agencies.append(
            NewAgency(
                code, label, _text(row.get("parent")), level, _text(row.get("admin_unit_code"))
            )
        )
    moves = []
    for i, row in enumerate(rows("agencies"), 1):
        source, target = _text(row.get("from")), _text(row.get("to"))
        if not source or not target:
            problems.append(
                _("Dòng sắp xếp cơ quan thứ %(i)s: cần cơ quan cũ (from) và kế thừa (to)", i=i)
            )
            continue
        if source == target:
            problems.append(_("%(source)s: cơ quan kế thừa không thể là chính nó", source=source))
            continue
        departments = row.get("departments") or {}
        if not isinstance(departments, dict):
            problems.append(
                _(
                    "%(source)s: «departments» phải là ánh xạ mã phòng cũ → mã phòng mới",
                    source=source,
                )
            )
            departments = {}
        moves.append(
            AgencyMove(source, target, {_text(k): _text(v) for k, v in departments.items()})
        )
    officers = []
    for i, row in enumerate(rows("officers"), 1):
        username, agency = _text(row.get("username")), _text(row.get("agency"))
        if not username or not agency:
            problems.append(
                _("Dòng cán bộ thứ %(i)s: cần tên đăng nhập (username) và cơ quan (agency)", i=i)
            )
            continue
        roles = _roles(row.get("roles"), _("Cán bộ %(username)s", username=username), problems)
        if not roles:
            problems.append(
                _(
                    "Cán bộ %(username)s: cần ít nhất một vai trò ở %(agency)s",
                    username=username,
                    agency=agency,
                )
            )
        officers.append(OfficerMove(username, agency, roles))
    procedures: dict[str, str] = {}
    for i, row in enumerate(rows("procedures"), 1):
        code, agency = _text(row.get("code")), _text(row.get("agency"))
        if not code or not agency:
            problems.append(
                _("Dòng thủ tục thứ %(i)s: cần mã thủ tục (code) và cơ quan (agency)", i=i)
            )
        elif code in procedures:
            problems.append(_("Thủ tục %(code)s được khai hai lần", code=code))
        else:
            procedures[code] = agency
    _duplicates([m.source for m in moves], _("Cơ quan {} được sắp xếp hai lần"), problems)
    _duplicates([a.code for a in new_agencies], _("Cơ quan mới {} được khai hai lần"), problems)
    _duplicates([o.username for o in officers], _("Cán bộ {} được khai hai lần"), problems)
    plan = Plan(name, cutover, tuple(new_agencies), tuple(moves), tuple(officers), procedures)
    try:
        plan.successors()
    except PlanError as exc:
        problems.extend(exc.problems)
    if problems:
        raise PlanError(problems)
    return plan


def _duplicates(values: list[str], message: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            problems.append(message.format(value))
        seen.add(value)


CSV_COLUMNS = ("kind", "source", "target", "roles", "name", "parent", "level")
CSV_KINDS = ("new_agency", "agency", "department", "officer", "procedure")


def plan_from_csv(text: str, name: str, cutover_at: Any) -> Plan:
    """One line per declaration, columns `kind,source,target,roles,name,parent,level`:

    - `new_agency,<code>,,,<name>,<parent code>,<level>` (a successor created at cut-over)
    - `agency,<abolished code>,<successor code>`
    - `department,<old department code>,<new department code>` (after its agency's line)
    - `officer,<username>,<agency code>,<role|role>`
    - `procedure,<procedure code>,<agency code>`
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("kind", "source", "target") if c not in (reader.fieldnames or [])]
    if missing:
        raise PlanError(
            [
                _l(
                    "Tệp CSV thiếu cột: %(names)s (cần %(names2)s)",
                    names=", ".join(missing),
                    names2=",".join(CSV_COLUMNS),
                )
            ]
        )
    data: dict[str, Any] = {
        "name": name,
        "cutover_at": cutover_at,
        "new_agencies": [],
        "agencies": [],
        "officers": [],
        "procedures": [],
    }
    problems: list[str] = []
    departments: dict[str, dict[str, str]] = {}
    for line, row in enumerate(reader, 2):
        kind = _text(row.get("kind"))
        source, target = _text(row.get("source")), _text(row.get("target"))
        if kind == "new_agency":
            data["new_agencies"].append(
                {
                    "code": source,
                    "name": row.get("name"),
                    "parent": row.get("parent"),
                    "level": row.get("level") or 3,
                }
            )
        elif kind == "agency":
            departments[source] = {}
            data["agencies"].append(
                {"from": source, "to": target, "departments": departments[source]}
            )
        elif kind == "department":
            if not data["agencies"]:
                problems.append(
                    _(
                        "Dòng %(line)s: phòng %(source)s phải đứng sau dòng cơ quan của nó",
                        line=line,
                        source=source,
                    )
                )
            else:
                data["agencies"][-1]["departments"][source] = target
        elif kind == "officer":
            data["officers"].append(
                {"username": source, "agency": target, "roles": row.get("roles")}
            )
        elif kind == "procedure":
            data["procedures"].append({"code": source, "agency": target})
        elif kind:
            problems.append(
                _(
                    "Dòng %(line)s: loại «%(kind)s» không có (dùng: %(names)s)",
                    line=line,
                    kind=kind,
                    names=", ".join(CSV_KINDS),
                )
            )
    try:
        plan = plan_from_json(data)
    except PlanError as exc:
        raise PlanError(problems + exc.problems) from exc
    if problems:
        raise PlanError(problems)
    return plan


def plan_from_text(text: str, *, name: str = "", cutover_at: Any = None) -> Plan:
    """JSON when the text is an object, CSV otherwise (name and cut-over given apart)."""
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise PlanError([_l("Tệp phương án trống")])
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise PlanError(
                [
                    _l(
                        "JSON không đọc được: dòng %(lineno)s, cột %(colno)s: %(msg)s",
                        lineno=exc.lineno,
                        colno=exc.colno,
                        msg=exc.msg,
                    )
                ]
            ) from exc
        if isinstance(data, dict):
            data = {**data, **({"name": name} if name else {})}
            if cutover_at:
                data["cutover_at"] = cutover_at
        return plan_from_json(data)
    return plan_from_csv(stripped, name, cutover_at)


def role_label(role: str) -> str:
    return ROLE_LABELS_VI.get(role, role)
