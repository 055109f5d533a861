"""Importing a BPMN model made with another tool (nhập mô hình từ công cụ khác): Camunda
Modeler 7/8, bpmn.io, Signavio, Bizagi, Flowable, jBPM and the like.

A pure XML transformation into this project's dialect, with a report element by element of
what runs as is, what was changed (the process made executable; lanes, candidate groups and
assignees mapped to roles; JUEL/FEEL conditions translated to Python; generated forms and form
keys turned into form stubs; ISO timers kept as literals) and what the analyst must still
decide (a service task's operator, a data store, a complex gateway, an unconditioned branch...),
each located by line, element id and name. Hostile or non-BPMN input is refused."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lxml import etree

from app.domain.process_variables import SYSTEM_VARIABLES
from app.domain.roles import ROLE_LABELS_VI
from app.engine import safe_xml
from app.engine.errors import ModelError, Problem
from app.engine.import_forms import FOREIGN, FormStub, extension_of, foreign_stub
from app.engine.import_repairs import repair_ids, repair_schema, repair_sub_processes
from app.engine.import_roles import (
    BPMN,
    assignment_of,
    drop_assignment,
    guess_role,
    lane_for_role,
    lanes_of,
    put_in_lane,
    role_label,
)
from app.engine.import_steps import Steps
from app.engine.validation_files import FLOW_NODES, NS
from app.engine.variables import bundle_variables
from app.i18n import _l

KEPT, CHANGED, DECIDE = "kept", "changed", "decide"
MAX_BYTES = 2 * 1024 * 1024
SPIFF = NS["spiffworkflow"]
_LISTED = (
    *FLOW_NODES,
    "sequenceFlow",
    "dataStoreReference",
    "dataObjectReference",
    "lane",
)


@dataclass(frozen=True)
class Finding:
    """One line of the report: an element, what became of it, and why."""

    status: str  # KEPT, CHANGED or DECIDE
    message: object  # lazily translated
    element_id: str | None = None
    name: str | None = None
    kind: str | None = None  # the BPMN element type
    line: int | None = None


@dataclass(frozen=True)
class Element:
    """A BPMN element of the imported model with its verdict (the worst of its findings)."""

    element_id: str
    name: str
    kind: str
    line: int | None
    status: str


@dataclass
class Imported:
    """The transformed bundle (model and form stubs) with its report."""

    file_name: str
    process_id: str
    processes: list[str]
    files: dict[str, str]
    findings: list[Finding]
    elements: list[Element] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)  # lane/group name -> role code used

    def count(self, status: str) -> int:
        """How many elements ended with this verdict."""
        return sum(1 for e in self.elements if e.status == status)


def read_foreign(data: bytes, name: str) -> etree._Element:
    """The uploaded file's BPMN root; ModelError when it is binary, too big, declares entities
    (XXE, billion laughs), is not well-formed XML, or is not BPMN 2.0."""
    if len(data) > MAX_BYTES:
        raise _refused(_l("tệp quá lớn (> %(most)s KB)", most=MAX_BYTES // 1024), name)
    if b"\x00" in data:
        raise _refused(_l("tệp nhị phân, không phải XML của BPMN"), name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused(_l("tệp không phải văn bản UTF-8"), name) from None
    if safe_xml.declares_entities(text):
        raise _refused(_l("tệp chứa khai báo DOCTYPE/ENTITY, bị từ chối vì lý do an toàn"), name)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = safe_xml.parse(text)
    except etree.XMLSyntaxError as exc:
        raise ModelError(
            [Problem(_l("XML không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno)]
        ) from exc
    if etree.QName(root).localname != "definitions" or etree.QName(root).namespace != BPMN:
        raise _refused(_l("không phải tệp BPMN 2.0 (thiếu bpmn:definitions)"), name)
    if root.find("bpmn:process", NS) is None:
        raise _refused(_l("tệp không có quy trình (bpmn:process) nào"), name)
    return root


def _refused(message: object, name: str) -> ModelError:
    return ModelError([Problem(message, name)])  # type: ignore[arg-type]


def import_model(data: bytes, name: str, roles: dict[str, str] | None = None) -> Imported:
    """Transforms a foreign BPMN file; `roles` maps lane/group names to the role codes the
    analyst confirmed (others get a proposed role)."""
    root = _with_spiff_namespace(read_foreign(data, name))
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", re.sub(r"\.(bpmn2?|xml|bpmn20\.xml)$", "", name))
    file_name = f"{stem or 'imported'}.bpmn".replace(".bpmn20.bpmn", ".bpmn")
    work = _Import(root, file_name, dict(roles or {}))
    processes = work.run()
    files = {file_name: etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()}
    for path, stub in work.forms.items():
        files[path] = json.dumps(stub.schema(), ensure_ascii=False, indent=2) + "\n"
    main = _main_process(root)
    return Imported(
        file_name,
        main,
        processes,
        files,
        work.findings,
        work.elements(),
        work.roles_used,
    )


def _with_spiff_namespace(root: etree._Element) -> etree._Element:
    nsmap = {**root.nsmap, "spiffworkflow": SPIFF}
    if root.nsmap.get("spiffworkflow") == SPIFF:
        return root
    new = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    new.text = root.text
    new.extend(list(root))
    return new


def _has_steps(process: etree._Element) -> bool:
    return any(
        isinstance(c.tag, str)
        and etree.QName(c).localname in _LISTED
        and etree.QName(c).localname not in ("sequenceFlow", "lane", "dataStoreReference")
        and not etree.QName(c).localname.startswith("data")
        for c in process
    )


def _main_process(root: etree._Element) -> str:
    """The process to run: the one with a plain start event and the most elements."""
    best, best_score = "", -1
    for process in root.iterfind("bpmn:process", NS):
        starts = [
            s
            for s in process.iterfind("bpmn:startEvent", NS)
            if not any(str(c.tag).endswith("EventDefinition") for c in s)
        ]
        score = len(process) + (1000 if starts else 0)
        if score > best_score:
            best, best_score = process.get("id") or "", score
    return best


class _Import:
    def __init__(self, root: etree._Element, file_name: str, roles: dict[str, str]) -> None:
        self.root = root
        self.file_name = file_name
        self.roles = roles
        self.roles_used: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.forms: dict[str, FormStub] = {}
        self.stubs: dict[str, FormStub] = {}  # user task id -> its new form
        self.index: dict[str, etree._Element] = {}
        self.names: dict[str, str] = {}  # as the file named them, before any renaming
        self.known = set(SYSTEM_VARIABLES) | set(
            bundle_variables({"m.bpmn": etree.tostring(root).decode()})
        )

    def note(self, status: str, el: etree._Element | None, message: object) -> None:
        """Adds one located line to the report."""
        if el is None:
            self.findings.append(Finding(status, message))
            return
        kind = etree.QName(el).localname
        name = " ".join((el.get("name") or "").split())
        self.findings.append(Finding(status, message, el.get("id"), name, kind, el.sourceline))

    def run(self) -> list[str]:
        processes = []
        repair_ids(self.root, self.note)
        repair_schema(self.root, self.note)
        for store in self.root.iterfind("bpmn:dataStore", NS):
            self.index[store.get("id") or ""] = store
            self.note(
                DECIDE,
                store,
                _l(
                    "kho dữ liệu «%(name)s»: dữ liệu này nằm ở đâu trong hệ thống (hồ sơ, một "
                    "dịch vụ)? Bỏ kho hoặc thay bằng bước dịch vụ",
                    name=store.get("name") or store.get("id"),
                ),
            )
        for process in self.root.iterfind("bpmn:process", NS):
            processes.append(process.get("id") or "")
            for el in process.iter(*(f"{{{BPMN}}}{tag}" for tag in _LISTED)):
                if el.get("id"):
                    self.index[el.get("id")] = el
                    self.names[el.get("id")] = " ".join((el.get("name") or "").split())
            if process.get("isExecutable") != "true":
                process.set("isExecutable", "true")
                self.note(CHANGED, process, _l("đánh dấu quy trình là thực thi được"))
            repair_sub_processes(process, self.note)
            if process.find("bpmn:startEvent", NS) is None and _has_steps(process):
                self.note(
                    DECIDE,
                    process,
                    _l("quy trình không có sự kiện bắt đầu: thêm một sự kiện bắt đầu"),
                )
            self._user_tasks(process)
            Steps(self, process).run()
        self._write_forms()
        return processes

    def _user_tasks(self, process: etree._Element) -> None:
        # The engine makes an untyped or manual task wait for a person, like a user task: it
        # becomes one, so that it has a role's lane and a form like every step people do.
        for task in list(process.iter(f"{{{BPMN}}}task", f"{{{BPMN}}}manualTask")):
            kind = etree.QName(task).localname
            task.tag = f"{{{BPMN}}}userTask"
            self.note(
                CHANGED,
                task,
                _l(
                    "bước %(kind)s chờ một người làm: thành bước của người dùng (đổi loại nếu "
                    "nó tự động)",
                    kind=kind,
                ),
            )
        lanes = lanes_of(process)
        renamed: set[int] = set()
        for task in process.iter(f"{{{BPMN}}}userTask"):
            lane = lanes.get(task.get("id") or "")
            where, who = assignment_of(task)
            source = self.names.get(lane.get("id") or "") if lane is not None else who
            role = self.roles.get(source or "") or guess_role(source)
            if role not in ROLE_LABELS_VI:
                role = guess_role(source)
            confirmed = (source or "") in self.roles
            if source:
                self.roles_used[source] = role
            drop_assignment(task)
            self._place(process, task, lane, role, source, where, confirmed, renamed)
            self._form(task)

    def _place(self, process, task, lane, role, source, where, confirmed, renamed) -> None:  # noqa: ANN001, PLR0913
        how = _l("đã xác nhận") if confirmed else _l("đề xuất, cần xác nhận")
        label = role_label(role)
        shown = _l(label)  # the role's name in the reader's language
        if lane is not None and lane.get("name") == label:
            return
        if lane is not None:
            if id(lane) not in renamed:
                renamed.add(id(lane))
                self.note(
                    CHANGED,
                    lane,
                    _l(
                        "làn «%(lane)s» ứng với vai trò «%(role)s» (%(how)s)",
                        lane=source or "",
                        role=shown,
                        how=how,
                    ),
                )
                lane.set("name", label)
            return
        put_in_lane(lane_for_role(process, role), task.get("id") or "")
        if source:
            message = _l(
                "%(where)s «%(who)s» ứng với vai trò «%(role)s» (%(how)s); đặt bước vào làn "
                "của vai trò",
                where=where,
                who=source,
                role=shown,
                how=how,
            )
        else:
            message = _l(
                "bước không thuộc làn nào: đặt vào làn «%(role)s» (%(how)s)", role=shown, how=how
            )
        self.note(CHANGED, task, message)

    def _form(self, task: etree._Element) -> None:
        existing = task.find(".//spiffworkflow:formJsonSchemaFilename", NS)
        if existing is not None and (existing.text or "").strip():
            return
        stub = foreign_stub(task)
        self.stubs[task.get("id") or ""] = stub
        self.known |= set(stub.properties)
        for extension in task.iterfind("bpmn:extensionElements", NS):
            for child in list(extension):
                if etree.QName(child).localname in ("formData", "formProperty"):
                    extension.remove(child)
        for uri in FOREIGN.values():
            task.attrib.pop(f"{{{uri}}}formKey", None)

    def _write_forms(self) -> None:
        for task_id, stub in self.stubs.items():
            task = self.index[task_id]
            path = f"forms/{re.sub(r'[^A-Za-z0-9_.-]+', '_', task_id)}.schema.json"
            self.forms[path] = stub
            extension = extension_of(task)
            ref = etree.SubElement(extension, f"{{{SPIFF}}}formJsonSchemaFilename")
            ref.text = path
            if stub.sources or stub.form_key:
                what = ", ".join(stub.sources)
                message = _l(
                    "biểu mẫu %(what)s thành bản nháp %(path)s (%(count)s trường)",
                    what=what,
                    path=path,
                    count=len(stub.properties),
                )
            else:
                message = _l(
                    "bước chưa có biểu mẫu: thêm bản nháp %(path)s (%(count)s trường)",
                    path=path,
                    count=len(stub.properties),
                )
            self.note(CHANGED, task, message)
            for foreign, ours in stub.renamed.items():
                self.note(
                    CHANGED,
                    task,
                    _l("trường «%(foreign)s» đổi tên thành «%(ours)s»", foreign=foreign, ours=ours),
                )

    def elements(self) -> list[Element]:
        """Every listed element with the worst verdict of its findings."""
        rank = {KEPT: 0, CHANGED: 1, DECIDE: 2}
        worst: dict[str, str] = {}
        for finding in self.findings:
            if finding.element_id:
                current = worst.get(finding.element_id, KEPT)
                if rank[finding.status] > rank[current]:
                    worst[finding.element_id] = finding.status
        return [
            Element(
                element_id,
                self.names.get(element_id, el.get("name") or ""),
                etree.QName(el).localname,
                el.sourceline,
                worst.get(element_id, KEPT),
            )
            for element_id, el in self.index.items()
        ]
