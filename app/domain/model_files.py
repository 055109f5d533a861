"""Which file of a model version's bundle holds its main process. Pure."""

from __future__ import annotations

from collections.abc import Mapping


def process_xml(files: Mapping[str, str], process_id: str) -> str | None:
    """The text of the first `.bpmn` file (by name) that defines `process_id`, else None."""
    return next(
        (
            text
            for name, text in sorted(files.items())
            if name.endswith(".bpmn") and f'id="{process_id}"' in text
        ),
        None,
    )
