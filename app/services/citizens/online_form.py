"""The form data of an online submission taken from the national databases (001 §II.2.b Bước
4): the fields of the procedure's model tied to master-data codes (001 §IV.1.a), filled for
the signed-in citizen by their identifier, shown read-only; the citizen changes one only with
a reason, and the values go with the dossier to the officers' steps."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.domain import master_data
from app.models import Procedure
from app.services.citizens.portal_sign_in import Citizen
from app.services.dossiers import national_data
from app.storage.db import db

# The reception form first: it is the form the counter fills (001 §II.2.b Bước 4).
FIRST = "forms/reception.schema.json"


def tied_form(files: Mapping[str, str] | None) -> dict[str, Any]:
    """A form of the model's fields tied to a master-data code, each once, the reception
    form's first (an empty form when none is)."""
    properties: dict[str, Any] = {}
    names = sorted((files or {}), key=lambda n: (n != FIRST, n))
    for name in names:
        if not name.endswith(".schema.json"):
            continue
        try:
            schema = json.loads(files[name])
        except ValueError:
            continue
        for field in master_data.tied_fields(schema):
            properties.setdefault(field, schema["properties"][field])
    return {"type": "object", "properties": properties}


def for_submission(
    citizen: Citizen, procedure_code: str
) -> tuple[dict[str, Any], national_data.Filled]:
    """The form of national data for `procedure_code` and what the registers say about the
    citizen (nothing asked when the model ties no field)."""
    with db.transaction() as session:
        procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
        version = procedure.model_version if procedure is not None else None
        form = tied_form(version.files if version is not None else None)
    return form, national_data.look_up(form, citizen.identifier_type, citizen.identifier)
