"""Instance state to and from JSON, leaving the (shared, cached) spec out of the state."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from app.engine import pruning
from app.engine.definition import Definition
from app.engine.timer_events import CONVERTERS

_loading: ContextVar[Definition] = ContextVar("loading_definition")


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Like the stock converter, but the spec comes from the model version, not the state."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        pruning.prune(workflow, dct, self.registry.convert)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        definition = _loading.get()
        dct["spec"] = None
        workflow = self.target_class(
            definition.spec, definition.subprocess_specs, deserializing=True
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        setattr(workflow, pruning.PATH_ATTR, dct.pop(pruning.PRUNED_KEY, []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessWorkflowConverter
    config.update(CONVERTERS)
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_serializer = _make_serializer()


def dump(workflow: BpmnWorkflow) -> str:
    dct = _serializer.to_dict(workflow)
    dct[_serializer.VERSION_KEY] = _serializer.VERSION
    return json.dumps(dct, cls=_serializer._encoder_cls, separators=(",", ":"))


def load(definition: Definition, state: str) -> BpmnWorkflow:
    token = _loading.set(definition)
    try:
        dct = json.loads(state, cls=_serializer.json_decoder_cls)
        _serializer.migrate(dct)
        return _serializer.from_dict(dct)
    finally:
        _loading.reset(token)
