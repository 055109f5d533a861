"""What SpiffWorkflow says about a model it refuses, in the analyst's language.

The engine's messages are English, often without a line, some with a raw
`<Element {ns}tag at 0x7f…>` or spanning lines. Each known one is recognised by its words and
becomes a catalogued message with a stable code, located on the element the engine named;
one not known keeps the engine's words (cleaned) in `detail`, under a catalogued message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from app.engine.errors import Problem
from app.i18n import _l

_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>")
_ANY_REPR = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>")

Message = Callable[[re.Match[str]], str]

# (pattern over the engine's cleaned words, stable code, our message from the match)
_KNOWN: tuple[tuple[re.Pattern[str], str, Message], ...] = tuple(
    (re.compile(pattern), code, message)
    for pattern, code, message in (
        (
            r"Process (?P<process>\S+) is not executable",
            "process-not-executable",
            lambda m: _l(
                "quy trình «%(process)s» chưa được đánh dấu là thực thi được (isExecutable)",
                process=m["process"],
            ),
        ),
        (
            r"No start event found",
            "process-without-start-event",
            lambda m: _l("quy trình không có sự kiện bắt đầu"),
        ),
        (
            r"Exactly one start event is required in a SubWorkflow Task; found (?P<count>\d+)",
            "subprocess-start-events",
            lambda m: _l(
                "quy trình con phải có đúng một sự kiện bắt đầu (đang có %(count)s)",
                count=m["count"],
            ),
        ),
        (
            r"must specify a cardinality or a (loop input data reference|collection)",
            "multi-instance-without-cardinality",
            lambda m: _l(
                "hoạt động lặp nhiều lần chưa có số lần lặp (loopCardinality) hay danh sách "
                "đầu vào (loopDataInputRef)"
            ),
        ),
        (
            r"must specify exactly one of cardinality or loop input",
            "multi-instance-cardinality-and-input",
            lambda m: _l(
                "hoạt động lặp nhiều lần chỉ được có một trong số lần lặp hoặc danh sách đầu vào"
            ),
        ),
        (
            r"The loop (?P<which>input|output) data reference is missing",
            "multi-instance-data-reference",
            lambda m: (
                _l("danh sách đầu vào của hoạt động lặp nhiều lần không có trong ioSpecification")
                if m["which"] == "input"
                else _l(
                    "danh sách đầu ra của hoạt động lặp nhiều lần không có trong ioSpecification"
                )
            ),
        ),
        (
            r"A loopMaximum or loopCondition must be specified",
            "loop-without-condition",
            lambda m: _l("vòng lặp chưa có điều kiện dừng (loopCondition) hay số lần tối đa"),
        ),
        (
            r"Cancel Events may only be used with transactions",
            "cancel-outside-transaction",
            lambda m: _l("sự kiện huỷ chỉ dùng được trong quy trình con giao dịch (transaction)"),
        ),
        (
            r"Multiple outgoing flows are not supported",
            "multiple-outgoing-flows",
            lambda m: _l(
                "phần tử có nhiều luồng ra: hãy tách nhánh bằng một cổng (gateway) sau nó"
            ),
        ),
        (
            r"we found two items, perhaps a form has the same ID\? \((?P<target>[^)]*)\)",
            "flow-target-missing",
            lambda m: _l(
                "luồng ra trỏ tới «%(target)s», không phải phần tử nào của quy trình",
                target=m["target"],
            ),
        ),
        (
            r"Cannot resolve data(?P<way>Input|Output)Association",
            "data-association-unresolved",
            lambda m: _l(
                "liên kết dữ liệu trỏ tới một đối tượng hay kho dữ liệu mà máy quy trình không biết"
            ),
        ),
        (
            r"Unknown Time Specification",
            "timer-without-definition",
            lambda m: _l("hẹn giờ chưa có thời điểm, khoảng thời gian hay chu kỳ"),
        ),
        (
            r"Non-default exclusive outgoing sequence flow without condition",
            "gateway-branch-without-condition",
            lambda m: _l("nhánh ra khỏi cổng rẽ nhánh thiếu điều kiện và không là nhánh mặc định"),
        ),
        (
            r"Unsupported Catch Event",
            "catch-event-without-definition",
            lambda m: _l(
                "sự kiện bắt (boundary/intermediate catch) chưa có loại: hẹn giờ, thông điệp, "
                "tín hiệu, lỗi…"
            ),
        ),
        (
            r"Conditional event definition with missing condition",
            "conditional-event-without-condition",
            lambda m: _l("sự kiện điều kiện chưa có điều kiện"),
        ),
        (
            r"Could not find messageRef from message event definition: (?P<ref>\S+)",
            "event-reference-missing",
            lambda m: _l("sự kiện trỏ tới thông điệp «%(ref)s» không có trong tệp", ref=m["ref"]),
        ),
        (
            r"Expected an? (?P<kind>Message|Signal|Error|error|Escalation) node"
            r"|raise_validation_exception\(\) got an unexpected keyword argument",
            "event-reference-missing",
            lambda m: _l(
                "sự kiện trỏ tới thông điệp, tín hiệu, lỗi hay leo thang không có trong tệp"
            ),
        ),
        (
            r'No DMN Diagram available with id "(None)?"',
            "decision-not-chosen",
            lambda m: _l("chưa chọn bảng quyết định (DMN)"),
        ),
        (
            r'No DMN Diagram available with id "(?P<decision>[^"]*)"',
            "decision-missing",
            lambda m: _l(
                "bảng quyết định «%(decision)s» không có trong gói", decision=m["decision"]
            ),
        ),
        (
            r"Duplicate process ID: (?P<process>\S+)",
            "duplicate-process-id",
            lambda m: _l("mã quy trình «%(process)s» bị trùng", process=m["process"]),
        ),
        (
            r"The process '(?P<process>[^']*)' was not found",
            "process-not-found",
            lambda m: _l("gói không có quy trình «%(process)s»", process=m["process"]),
        ),
        (
            r"There is no support implemented for this task type",
            "unsupported-element",
            lambda m: _l("máy quy trình chưa hỗ trợ loại phần tử này"),
        ),
        (
            r"Data Store with name (?P<store>.*) has no implementation",
            "data-store-unsupported",
            lambda m: _l("kho dữ liệu «%(store)s» chưa được hỗ trợ", store=m["store"]),
        ),
        (
            r"(?P<kind>Message|Signal|Error|Escalation|Correlation|Data Store) "
            r"(identifier|name) is missing",
            "definition-id-missing",
            lambda m: _l("một định nghĩa (%(kind)s) trong tệp thiếu mã", kind=m["kind"]),
        ),
        (
            r"[Aa]d hoc subprocess",
            "unsupported-element",
            lambda m: _l("quy trình con tuỳ biến (ad hoc) chưa được máy quy trình hỗ trợ"),
        ),
    )
)


def clean(text: str) -> str:
    """The engine's words on one line, an element's repr replaced by its tag, an exception's
    repr (`TypeError("…")`) by its message."""
    text = _ELEMENT_REPR.sub(lambda m: f"bpmn:{m[1]}", text)
    text = _ANY_REPR.sub("…", text)
    wrapped = re.fullmatch(r"""\w+(Error|Exception)\((['"])(.*)\2\)""", text.strip(), re.S)
    if wrapped:
        text = wrapped[3]
    return " ".join(text.split())


def translated(
    text: str,
    file: str | None = None,
    element_id: str | None = None,
    line: int | None = None,
    name: str | None = None,
) -> Problem:
    """The engine's message `text` as our own located problem (see the module docstring)."""
    words = clean(text)
    for pattern, code, message in _KNOWN:
        found = pattern.search(words)
        if found:
            return Problem(message(found), file, element_id, line, code, name=name or None)
    return Problem(
        _l("máy quy trình không chấp nhận mô hình ở chỗ này"),
        file,
        element_id,
        line,
        "engine-refused",
        name=name or None,
        detail=words,
    )


def from_validation(exc: ValidationException, file_name: str | None) -> Problem:
    """A SpiffWorkflow ValidationException as our own located problem."""
    line = exc.line_number if isinstance(exc.line_number, int) else None
    words = str(exc.args[0]) if exc.args else str(exc)
    return translated(
        words, file_name or None, exc.id or None, line, getattr(exc, "name", None) or None
    )


_SCHEMA = re.compile(
    r"Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<rest>.*)"
)
_NAMESPACE = re.compile(r"\{http://www\.omg\.org/spec/BPMN/20100524/MODEL\}")


def schema_message(text: str) -> tuple[str, str]:
    """An XML Schema error on a BPMN file (libxml2's English) as (our message, its words with
    the BPMN namespace written `bpmn:`)."""
    words = " ".join(_NAMESPACE.sub("bpmn:", text).split())
    found = _SCHEMA.fullmatch(words)
    if found is None:
        return _l("sai lược đồ BPMN"), words
    element, attribute, rest = found["element"], found["attribute"], found["rest"]
    if match := re.fullmatch(r"The attribute '([^']+)' is not allowed\.", rest):
        message = _l(
            "sai lược đồ BPMN: «%(element)s» không có thuộc tính «%(attribute)s»",
            element=element,
            attribute=match[1],
        )
    elif match := re.fullmatch(r"The attribute '([^']+)' is required but missing\.", rest):
        message = _l(
            "sai lược đồ BPMN: «%(element)s» thiếu thuộc tính bắt buộc «%(attribute)s»",
            element=element,
            attribute=match[1],
        )
    elif match := re.fullmatch(r"'(.*)' is not a valid value of the atomic type '([^']+)'\.", rest):
        message = _l(
            "sai lược đồ BPMN: «%(value)s» không phải giá trị hợp lệ của «%(attribute)s» "
            "(%(kind)s)",
            value=match[1],
            attribute=attribute or element,
            kind=match[2],
        )
    elif rest.startswith("This element is not expected."):
        message = _l("sai lược đồ BPMN: «%(element)s» không được đặt ở đây", element=element)
    elif match := re.fullmatch(
        r"Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)\.", rest
    ):
        message = _l(
            "sai lược đồ BPMN: «%(element)s» thiếu phần tử con (một trong: %(expected)s)",
            element=element,
            expected=match[1],
        )
    else:
        return _l("sai lược đồ BPMN ở «%(element)s»", element=element), words
    return message, words
