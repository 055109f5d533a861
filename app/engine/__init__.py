"""The workflow engine: the only package that imports SpiffWorkflow.

Everything else talks to it in the project's terms: a `Definition` (a parsed bundle), a
`ProcessRun` (one instance in memory), and the `Changes` each operation reports.
"""

from app.engine.definition import Definition, bundle_hash, definitions, parse_bundle
from app.engine.errors import (
    EngineError,
    ModelError,
    Problem,
    ScriptError,
    TaskNotReady,
    WorkflowFailed,
)
from app.engine.instance import (
    Changes,
    CompletedElement,
    LocalCalls,
    ProcessRun,
    ServiceCall,
    UserTaskView,
)
from app.engine.sandbox import check_expression, check_script
from app.engine.variables import bundle_variables

__all__ = [
    "LocalCalls",
    "Changes",
    "CompletedElement",
    "Definition",
    "EngineError",
    "ModelError",
    "Problem",
    "ProcessRun",
    "ScriptError",
    "ServiceCall",
    "TaskNotReady",
    "UserTaskView",
    "WorkflowFailed",
    "bundle_hash",
    "bundle_variables",
    "check_expression",
    "check_script",
    "definitions",
    "parse_bundle",
]
