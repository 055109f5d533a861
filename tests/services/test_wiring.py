"""The core's extension points are filled in by importing the services, whatever the entry point
imports first; a core left unwired refuses to run a step instead of misrouting its operators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.core import hooks

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter that names only a core module, as a bench or a one-off script would.
PROBE = """
import json
from app.services.core import runtime
from app.services.core.hooks import current

def name(f):
    return f.__module__.rsplit(".", 1)[-1] + "." + f.__qualname__

print(json.dumps({
    "local_operators": name(current.local_operators),
    "before_status": [name(f) for f in current.before_status],
    "after_status": [name(f) for f in current.after_status],
    "on_property": {k: name(f) for k, f in current.on_property.items()},
}))
"""


def test_importing_only_the_runtime_wires_every_follow_up_of_a_step() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603 # our own interpreter and a fixed probe
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "local_operators": "local_operators.bind",
        "before_status": ["supplement_clock.on_status_change"],
        "after_status": ["notices.on_status_change"],
        "on_property": {"escalate": "escalation.escalate"},
    }


def test_an_unwired_core_refuses_to_bind_local_operators() -> None:
    with pytest.raises(RuntimeError, match="not wired"):
        hooks.Hooks().local_operators(None, None, None)  # type: ignore[arg-type]
