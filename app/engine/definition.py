"""Loading a model bundle (BPMN, DMN, form schemas) into engine specs, cached by content hash."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser

from app.engine.engine_messages import from_validation, translated
from app.engine.errors import ModelError, Problem
from app.engine.specs import DeferredServiceTask
from app.engine.timer_events import TIMER_PARSERS
from app.i18n import _l


class _Parser(SpiffBpmnParser):
    # Copied, never mutated in place: the library's dict is shared module state.
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, DeferredServiceTask),
        # Timers read "now" from the domain clock (timer_events).
        **TIMER_PARSERS,
    }


def bundle_hash(files: dict[str, str]) -> str:
    """SHA-256 over the bundle's file names and contents, independent of order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        for part in (name, files[name]):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


@dataclass
class Definition:
    """A parsed, immutable bundle: the top-level process spec, its sub-process specs, forms."""

    content_hash: str
    process_id: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    files: dict[str, str] = field(repr=False)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def form(self, filename: str | None) -> dict[str, Any] | None:
        return self.forms.get(filename) if filename else None

    def process_ids(self) -> list[str]:
        return [self.spec.name, *self.subprocess_specs]


def parse_bundle(files: dict[str, str], process_id: str | None = None) -> Definition:
    """Parse a bundle; raise ModelError listing every located problem found."""
    parser = _Parser()
    problems: list[Problem] = []
    forms: dict[str, dict[str, Any]] = {}
    for name, text in sorted(files.items()):
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_str(text.encode("utf-8"), filename=name)
            elif name.endswith(".dmn"):
                parser.add_dmn_str(text.encode("utf-8"), filename=name)
            elif name.endswith(".json") and not name.endswith(".test.json"):
                forms[name] = json.loads(text)
        except ValidationException as exc:
            problems.append(from_validation(exc, name))
        except etree.XMLSyntaxError as exc:
            problems.append(
                Problem(_l("XML không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno, "xml")
            )
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(
                    _l("JSON không hợp lệ: %(msg)s", msg=exc.msg), name, None, exc.lineno, "json"
                )
            )
    if problems:
        raise ModelError(problems)
    executable = parser.get_process_ids()
    if process_id is None:
        if not executable:
            raise ModelError([Problem(_l("gói không có quy trình"), code="no-process")])
        process_id = executable[0]
    try:
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ModelError([from_validation(exc, exc.file_name or None)]) from exc
    except (SpiffWorkflowException, KeyError, ValueError) as exc:
        raise ModelError([translated(str(exc))]) from exc
    _check_forms(spec, subprocess_specs, forms)
    return Definition(bundle_hash(files), process_id, spec, subprocess_specs, dict(files), forms)


def _check_forms(spec: BpmnProcessSpec, subs: dict[str, BpmnProcessSpec], forms: dict) -> None:
    problems = []
    for process in (spec, *subs.values()):
        for task_spec in process.task_specs.values():
            name = getattr(task_spec, "extensions", {}).get("formJsonSchemaFilename")
            if name and name not in forms:
                problems.append(
                    Problem(
                        _l("thiếu biểu mẫu: %(name)s", name=name),
                        None,
                        task_spec.bpmn_id,
                        code="form-missing",
                    )
                )
    if problems:
        raise ModelError(problems)


class DefinitionCache:
    """A small LRU of parsed bundles. Specs are immutable, so sharing them is safe."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[str, Definition] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(
        self,
        content_hash: str,
        files: dict[str, str] | Callable[[], dict[str, str]],
        process_id: str,
    ) -> Definition:
        """The parsed bundle; `files` may be a callable, called only on a cache miss."""
        with self._lock:
            found = self._items.get(content_hash)
            if found is not None:
                self._items.move_to_end(content_hash)
                return found
        definition = parse_bundle(files() if callable(files) else files, process_id)
        with self._lock:
            self._items[content_hash] = definition
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return definition


definitions = DefinitionCache()
