"""The catalog screens' posted forms read into the catalogs' commands (shape only: the
services check what the values mean)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.services.catalogs.commands import (
    ComponentRow,
    SaveAgency,
    SaveDocumentType,
    SaveFee,
    SaveProcedure,
    StepRow,
)
from app.services.catalogs.fee_catalog import MAX_AMOUNT
from app.services.catalogs.procedure_catalog import MAX_ID, MAX_VALIDITY_MONTHS
from app.web.form_reader import FormReader, Rows

COMPONENTS = Rows("component", ("type_code", "name", "required"), anchor="type_code")
STEPS = Rows("step", ("element_id", "days", "officers"), anchor="element_id")
MAX_TEMPLATE_ROWS = 60
RESULT_FIELDS = Rows("rfield", ("name", "label", "type", "required", "default"), anchor="name")


def document_type(form: MultiDict[str, str]) -> SaveDocumentType:
    """A document type's form; refused (422) when a value has the wrong shape."""
    read = FormReader(form)
    command = SaveDocumentType(
        code=read.text("code"),
        name=read.text("name"),
        description=read.text("description"),
        active=read.flag("active"),
        retention_years=read.whole("retention_years", 9999),
        retention_permanent=read.flag("retention_permanent"),
    )
    read.done()
    return command


def fee(form: MultiDict[str, str]) -> SaveFee:
    """A fee's form: the amount in đồng, with points or spaces between thousands."""
    read = FormReader(form)
    command = SaveFee(
        code=read.text("code"),
        name=read.text("name"),
        amount=read.whole("amount", MAX_AMOUNT, separators=". "),
        note=read.text("note"),
        active=read.flag("active"),
    )
    read.done()
    return command


def agency(form: MultiDict[str, str]) -> SaveAgency:
    """An agency's form."""
    read = FormReader(form)
    command = SaveAgency(
        code=read.text("code"),
        name=read.text("name"),
        level=read.whole("level", 9),
        parent_code=read.text("parent_code"),
        admin_unit_code=read.text("admin_unit_code"),
        treasury_account=read.text("treasury_account"),
        active=read.flag("active"),
    )
    read.done()
    return command


def procedure(form: MultiDict[str, str]) -> SaveProcedure:
    """A procedure's form with its repeated component and step rows."""
    read = FormReader(form)
    command = SaveProcedure(
        code=read.text("code"),
        name=read.text("name"),
        level=read.whole("level", 9),
        sector=read.text("sector"),
        agency_code=read.text("agency_code"),
        agency_codes=read.words("agency_codes"),
        duration_days=read.number("duration_days"),
        duration_unit=read.text("duration_unit"),
        duration_online_days=read.number("duration_online_days"),
        supplement_clock=read.text("supplement_clock") or "pause",
        result_type_code=read.text("result_type_code"),
        fee_codes=read.words("fee_codes"),
        components=_components(read),
        steps=_steps(read),
        model_version_id=read.whole("model_version_id", MAX_ID),
        result_e_only=read.flag("result_e_only"),
        receive_anywhere=read.flag("receive_anywhere"),
        active=read.flag("active"),
        pay_at_submission=read.flag("pay_at_submission"),
        result_validity_months=read.whole("result_validity_months", MAX_VALIDITY_MONTHS),
        result_validity_scope=read.text("result_validity_scope") or "national",
        sector_database=read.text("sector_database"),
    )
    read.done()
    return command


def _components(read: FormReader) -> tuple[ComponentRow, ...]:
    rows = []
    for index, row in read.rows(COMPONENTS):
        rows.append(
            ComponentRow(index, row.text("type_code"), row.text("name"), row.flag("required"))
        )
        read.merge(COMPONENTS.prefix, index, row)
    return tuple(rows)


def _steps(read: FormReader) -> tuple[StepRow, ...]:
    rows = []
    for index, row in read.rows(STEPS):
        rows.append(
            StepRow(index, row.text("element_id"), row.number("days"), row.words("officers"))
        )
        read.merge(STEPS.prefix, index, row)
    return tuple(rows)


def result_template(form: MultiDict[str, str]) -> dict | None:
    """A procedure's result template as posted (None when `remove` is ticked): its parts and
    its field rows in order; the domain checks what they mean."""
    read = FormReader(form)
    if read.flag("remove"):
        read.done()
        return None
    fields = []
    for index, row in read.rows(RESULT_FIELDS):
        fields.append(
            {
                "row": index,
                "name": row.text("name"),
                "label": row.text("label"),
                "type": row.text("type") or "text",
                "required": row.flag("required"),
                "default": row.stripped("default"),
            }
        )
        read.merge(RESULT_FIELDS.prefix, index, row)
    raw = {
        "title": read.text("title"),
        "body": read.stripped("body"),
        "signer_title": read.stripped("signer_title"),
        "place": read.text("place"),
        "fields": fields,
    }
    read.done()
    return raw
