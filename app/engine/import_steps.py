"""The steps, flows and events of a foreign model, one rule each (part of the import of foreign
models, nhập mô hình từ công cụ khác): conditions translated, unconditioned branches and
timers looked at, and what has no equivalent here (Java classes, external topics, scripts in
other languages, data stores, complex gateways, listeners) left located for the analyst."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from app.engine.import_conditions import dialect, translate
from app.engine.import_forms import FOREIGN, add_read_field, extension_of
from app.engine.import_splits import make_explicit
from app.engine.validation_files import NS, UNSUPPORTED
from app.i18n import _l

_STORES = frozenset({"dataStore", "dataStoreReference"})

BPMN = NS["bpmn"]
SPIFF = NS["spiffworkflow"]
_ISO = re.compile(
    r"^(R\d*/)?(P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?)$"
)
_IMPLEMENTATION = ("class", "delegateExpression", "expression", "topic", "type", "resultVariable")
_CODE_LISTENERS = ("executionListener", "taskListener")


class Steps:
    """Applies the rules to one process of the model, noting each in the import's report."""

    def __init__(self, work: Any, process: etree._Element) -> None:
        self.work = work
        self.process = process
        self.flows = list(process.iter(f"{{{BPMN}}}sequenceFlow"))

    def run(self) -> None:
        """Every rule, in the order the report reads best."""
        self._conditions()
        self._gateways()
        self._timers()
        self._services()
        self._scripts()
        self._decisions()
        self._unsupported()
        self._listeners()
        self._implicit_splits()

    def _iter(self, *tags: str):  # noqa: ANN202
        return self.process.iter(*(f"{{{BPMN}}}{tag}" for tag in tags))

    def _conditions(self) -> None:
        for flow in self.flows:
            condition = flow.find("bpmn:conditionExpression", NS)
            if condition is None:
                continue
            text = (condition.text or "").strip()
            language = (condition.get("language") or "").strip()
            if dialect(text) is None:
                if language and "python" not in language.lower():
                    self.work.note(
                        "decide",
                        flow,
                        _l(
                            "điều kiện viết bằng %(language)s: viết lại bằng Python",
                            language=language,
                        ),
                    )
                continue
            result = translate(text)
            if result.python is None:
                self.work.note(
                    "decide",
                    flow,
                    _l(
                        "điều kiện «%(text)s» chưa chuyển được sang Python (%(reason)s): "
                        "viết lại bằng Python",
                        text=text,
                        reason=result.reason,
                    ),
                )
                continue
            condition.text = result.python
            condition.attrib.pop("language", None)
            self.work.note(
                "changed",
                flow,
                _l("điều kiện «%(text)s» thành «%(python)s»", text=text, python=result.python),
            )
            for variable, kind in result.kinds:
                self._ask_for(flow, variable, kind)

    def _ask_for(self, flow: etree._Element, variable: str, kind: str) -> None:
        """A variable a condition reads and nothing gives: the step just before the branch
        asks for it in its form stub."""
        if variable in self.work.known:
            return
        task = self._asking_task(flow.get("sourceRef"))
        stub = self.work.stubs.get(task.get("id") or "") if task is not None else None
        if stub is None:
            self.work.note(
                "decide",
                flow,
                _l(
                    "điều kiện đọc «%(variable)s» nhưng không bước nào hỏi hay gán nó: thêm nó "
                    "vào biểu mẫu của một bước, hoặc lấy từ kết quả một dịch vụ",
                    variable=variable,
                ),
            )
            return
        if add_read_field(stub, variable, kind):
            self.work.known.add(variable)
            self.work.note(
                "changed",
                task,
                _l(
                    "biểu mẫu hỏi thêm «%(variable)s» (%(kind)s) vì điều kiện của «%(flow)s» "
                    "đọc nó",
                    variable=variable,
                    kind=_KIND_LABELS.get(kind, kind),
                    flow=flow.get("name") or flow.get("id"),
                ),
            )

    def _asking_task(self, node_id: str | None) -> etree._Element | None:
        node = self.work.index.get(node_id or "")
        if node is None:
            return None
        if etree.QName(node).localname == "userTask":
            return node
        if etree.QName(node).localname.endswith("Gateway"):
            sources = [f.get("sourceRef") for f in self.flows if f.get("targetRef") == node_id]
            tasks = [self.work.index.get(s or "") for s in sources]
            users = [t for t in tasks if t is not None and etree.QName(t).localname == "userTask"]
            if len(users) == 1:
                return users[0]
        return None

    def _gateways(self) -> None:
        for gateway in self._iter("exclusiveGateway", "inclusiveGateway"):
            outgoing = [f for f in self.flows if f.get("sourceRef") == gateway.get("id")]
            if len(outgoing) < 2:
                continue
            bare = [
                f
                for f in outgoing
                if f.find("bpmn:conditionExpression", NS) is None
                and f.get("id") != gateway.get("default")
            ]
            for flow in bare:
                hint = (
                    _l("đề xuất: làm nhánh mặc định")
                    if len(bare) == 1 and not gateway.get("default")
                    else _l("thêm điều kiện cho nhánh")
                )
                self.work.note(
                    "decide",
                    flow,
                    _l(
                        "nhánh ra khỏi cổng «%(gateway)s» không có điều kiện: là nhánh mặc "
                        "định hay cần điều kiện? (%(hint)s)",
                        gateway=gateway.get("name") or gateway.get("id"),
                        hint=hint,
                    ),
                )

    def _timers(self) -> None:
        for definition in self.process.iter(f"{{{BPMN}}}timerEventDefinition"):
            event = definition.getparent()
            for child in definition:
                if not isinstance(child.tag, str):
                    continue
                text = (child.text or "").strip()
                if _ISO.match(text):
                    child.text = f'"{text}"'
                    self.work.note(
                        "changed",
                        event,
                        _l("hẹn giờ ISO 8601 «%(text)s» giữ nguyên là hằng", text=text),
                    )
                elif dialect(text):
                    result = translate(text)
                    if result.python is not None and result.python != text:
                        child.text = result.python
                        self.work.note(
                            "changed",
                            event,
                            _l(
                                "hẹn giờ «%(text)s» thành «%(python)s»",
                                text=text,
                                python=result.python,
                            ),
                        )
                    else:
                        self.work.note(
                            "decide",
                            event,
                            _l("hẹn giờ «%(text)s»: viết lại bằng Python", text=text),
                        )
                elif text and " " in text:
                    self.work.note(
                        "decide",
                        event,
                        _l(
                            "hẹn giờ «%(text)s» (cron?): viết lại thành ISO 8601",
                            text=text,
                        ),
                    )

    def _services(self) -> None:
        for task in self._iter("serviceTask", "sendTask"):
            if task.find(f"bpmn:extensionElements/{{{SPIFF}}}serviceTaskOperator", NS) is not None:
                continue
            was = _implementation(task)
            if etree.QName(task).localname == "sendTask" and not was:
                continue
            self.work.note(
                "decide",
                task,
                _l(
                    "chọn dịch vụ (operator) cho bước tự động%(was)s",
                    was=_l(" (trước là %(was)s)", was=was) if was else "",
                ),
            )

    def _scripts(self) -> None:
        for task in self._iter("scriptTask"):
            language = (task.get("scriptFormat") or "").strip()
            resource = task.get(f"{{{FOREIGN['camunda']}}}resource")
            if resource:
                self.work.note(
                    "decide",
                    task,
                    _l(
                        "kịch bản nằm ngoài mô hình (%(resource)s): viết lại bằng Python",
                        resource=resource,
                    ),
                )
            elif language and "python" not in language.lower():
                self.work.note(
                    "decide",
                    task,
                    _l("kịch bản viết bằng %(language)s: viết lại bằng Python", language=language),
                )

    def _decisions(self) -> None:
        for task in self._iter("businessRuleTask"):
            decision = task.get(f"{{{FOREIGN['camunda']}}}decisionRef") or ""
            zeebe = task.find(f".//{{{FOREIGN['zeebe']}}}calledDecision")
            if zeebe is not None:
                decision = zeebe.get("decisionId") or decision
            if decision and task.find(f".//{{{SPIFF}}}calledDecisionId") is None:
                extension = extension_of(task)
                etree.SubElement(extension, f"{{{SPIFF}}}calledDecisionId").text = decision
                self.work.note(
                    "decide",
                    task,
                    _l(
                        "bảng quyết định «%(decision)s»: thêm tệp DMN của nó vào gói",
                        decision=decision,
                    ),
                )
            elif not decision and task.find(f".//{{{SPIFF}}}calledDecisionId") is None:
                was = _implementation(task)
                self.work.note(
                    "decide",
                    task,
                    _l(
                        "chọn bảng quyết định (DMN) cho bước%(was)s", was=f" ({was})" if was else ""
                    ),
                )

    def _unsupported(self) -> None:
        for el in self._iter("dataStoreReference"):
            self.work.note(
                "decide",
                el,
                _l(
                    "kho dữ liệu «%(name)s»: dữ liệu này nằm ở đâu trong hệ thống (hồ sơ, một "
                    "dịch vụ)? Bỏ kho hoặc thay bằng bước dịch vụ",
                    name=el.get("name") or el.get("id"),
                ),
            )
        for tag, label in UNSUPPORTED.items():
            if tag in _STORES:
                continue  # a store is its own decision (above and in Work.run), not a gateway's
            for el in self._iter(tag):
                self.work.note(
                    "decide",
                    el,
                    _l(
                        "%(kind)s chưa được máy quy trình hỗ trợ: thay bằng cổng rẽ nhánh "
                        "hoặc song song",
                        kind=label,
                    ),
                )
        processes = {p.get("id") for p in self.work.root.iterfind("bpmn:process", NS)}
        for el in self._iter("callActivity"):
            called = el.get("calledElement") or ""
            if called not in processes:
                self.work.note(
                    "decide",
                    el,
                    _l(
                        "quy trình được gọi «%(called)s» không có trong tệp: thêm nó vào gói",
                        called=called,
                    ),
                )

    def _listeners(self) -> None:
        for uri in FOREIGN.values():
            for tag in _CODE_LISTENERS:
                for listener in self.process.iter(f"{{{uri}}}{tag}"):
                    owner = listener.getparent().getparent()
                    what = next(
                        (
                            listener.get(a)
                            for a in ("class", "delegateExpression", "expression")
                            if listener.get(a)
                        ),
                        _l("kịch bản"),
                    )
                    self.work.note(
                        "decide",
                        owner,
                        _l(
                            "trình lắng nghe «%(event)s» (%(what)s) không chạy ở đây: làm việc "
                            "đó bằng một bước, hoặc bỏ đi",
                            event=listener.get("event") or "",
                            what=what,
                        ),
                    )

    def _implicit_splits(self) -> None:
        """A step with several outgoing flows starts them all at once in BPMN: unconditioned,
        a parallel gateway says so; conditioned, the analyst chooses the gateway."""
        for node_id, node in list(self.work.index.items()):
            kind = etree.QName(node).localname
            if kind.endswith(("Gateway", "Flow", "Event", "Reference")) or kind == "lane":
                continue
            outgoing = [f for f in self.flows if f.get("sourceRef") == node_id]
            if len(outgoing) < 2:
                continue
            if any(f.find("bpmn:conditionExpression", NS) is not None for f in outgoing):
                self.work.note(
                    "decide",
                    node,
                    _l(
                        "%(count)s luồng ra có điều kiện không qua cổng: thêm một cổng bao hàm "
                        "(inclusive) hoặc cổng rẽ nhánh",
                        count=len(outgoing),
                    ),
                )
                continue
            gateway = make_explicit(node, outgoing)
            self.flows = list(self.process.iter(f"{{{BPMN}}}sequenceFlow"))
            self.work.note(
                "changed",
                node,
                _l(
                    "%(count)s luồng ra không qua cổng (tách song song ngầm): thêm cổng song "
                    "song «%(gateway)s»",
                    count=len(outgoing),
                    gateway=gateway.get("id"),
                ),
            )


def _implementation(task: etree._Element) -> str:
    """How the foreign engine ran the task (a Java class, an external topic...), in its words."""
    for prefix, uri in FOREIGN.items():
        for attribute in _IMPLEMENTATION[:-1]:
            value = task.get(f"{{{uri}}}{attribute}")
            if value:
                return f"{prefix}:{attribute}={value}"
    definition = task.find(f".//{{{FOREIGN['zeebe']}}}taskDefinition")
    if definition is not None:
        return f"zeebe:taskDefinition={definition.get('type')}"
    connector = task.find(f".//{{{FOREIGN['camunda']}}}connectorId")
    if connector is not None:
        return f"camunda:connector={connector.text}"
    implementation = task.get("implementation") or ""
    return "" if implementation in ("", "##unspecified", "##WebService") else implementation


_KIND_LABELS = {"boolean": _l("có/không"), "number": _l("số"), "string": _l("văn bản")}
