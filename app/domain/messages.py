"""The marker for texts the domain defines and the screens show (tên vai trò, trạng thái…).

`N_("Quá hạn")` returns its argument unchanged: the domain stays free of any translation
machinery, while `pybabel extract` (which knows `N_`) puts the text in the catalog. The web
layer translates it where it is shown (`app.web.i18n.tr`).
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for the no-op marker
    """`message` as written, marked for the translation catalog."""
    return message
