"""Messages people read: Vietnamese is the source text, English comes from the catalog.

Every layer marks what it shows with these two functions (the web layer may also use
flask_babel's own `_` in templates):

- `_("Không tìm thấy hồ sơ %(code)s", code=code)`: translated now, in the reader's language
  when called inside a request, in Vietnamese anywhere else (a worker, the CLI, a test).
- `_l(...)`: the same, but translated each time it is turned into text: for messages defined
  at import time (tables of field errors, constants) and for exceptions whose text is read
  later, in the request that shows them.

Placeholders are `%(name)s` (gettext's form), never f-strings: the catalog holds one entry per
message, not one per value. `pybabel extract -F app/translations/babel.cfg -k _l -k N_` over
`app templates bpmn worker` finds both, the texts of the shipped models (step titles, lanes, form
labels: app/web/i18n_extract.py) and the domain's labels marked `N_` (app/domain/messages.py),
which the screens translate where they show them (app.web.i18n.tr).

A lazy message is text, not markup: Jinja escapes it like any other string (flask_babel's own
LazyString declares `__html__` and would be inserted unescaped, values and all).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _gettext
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

__all__ = ["LazyText", "_", "_l", "ngettext", "text"]


def _(message: str, **values: Any) -> str:
    """`message` in the reader's language, with `values` put in its placeholders (the source
    text in an application without the translation layer, e.g. a bare one built by a test)."""
    if has_app_context() and "babel" not in current_app.extensions:
        return message % values if values else message
    return _gettext(message, **values)


class LazyText(LazyString):
    """A message translated when read; plain text to Jinja and to JSON encoders."""

    @property
    def __html__(self) -> Any:  # noqa: PLW3201 - hides LazyString's markup hook
        raise AttributeError("__html__")


def _l(message: str, **values: Any) -> LazyText:
    """A message translated each time it is turned into text (see the module's docstring)."""
    return LazyText(_, message, **values)


def text(value: Any) -> Any:
    """`value` with every lazy message in it turned into text (for JSON and for storing)."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {k: text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [text(v) for v in value]
    return value
