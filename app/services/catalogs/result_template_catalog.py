"""A procedure's result template in the catalogue (mẫu kết quả giải quyết): read and saved by
the catalogue's editors, checked by `app.domain.result_templates` (001 §II.2.b Bước 5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.domain.result_templates import FACTS, FIELD_TYPES, parse_template
from app.i18n import _l
from app.models import Procedure
from app.services.catalogs.editing import record_saved, require_editor
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput, NotFound
from app.storage.db import db


def result_template(code: str, actor: Actor) -> dict[str, Any]:
    """The procedure's name and stored template (empty parts when it has none), for an
    editor of the catalogue."""
    require_editor(actor)
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == code))
        if procedure is None:
            raise NotFound(_l("Không có thủ tục %(code)s", code=code))
        template = dict(procedure.result_template or {})
        return {
            "code": procedure.code,
            "name": procedure.name,
            "has_template": bool(procedure.result_template),
            "template": {
                "title": template.get("title", ""),
                "fields": list(template.get("fields") or []),
                "body": template.get("body", ""),
                "signer_title": template.get("signer_title", ""),
                "place": template.get("place", ""),
            },
            "facts": FACTS,
            "types": FIELD_TYPES,
        }


def save_result_template(code: str, raw: dict[str, Any] | None, actor: Actor) -> None:
    """Store the procedure's result template (None removes it: the generic result again);
    refused (422) with each problem located: unknown placeholder, duplicate field name, bad
    type, lengths."""
    require_editor(actor)
    stored = None
    if raw is not None:
        template, errors = parse_template(raw)
        if template is None:
            raise InvalidInput(
                _l("Mẫu kết quả chưa hợp lệ"),
                fields={name: _l(message, **params) for name, (message, params) in errors.items()},
            )
        stored = template.as_dict()
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == code))
        if procedure is None:
            raise NotFound(_l("Không có thủ tục %(code)s", code=code))
        created = procedure.result_template is None
        procedure.result_template = stored
        record_saved(session, actor, "result_template", code, created)
