"""The catalog services take commands of typed values and check what they mean: codes,
ranges and references into the other catalogs, each refusal located on its field."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from app.models import Fee, Procedure
from app.services.catalogs.commands import ComponentRow, SaveFee, SaveProcedure, StepRow
from app.services.catalogs.fee_catalog import save_fee
from app.services.catalogs.procedure_catalog import save_procedure
from app.services.core.errors import InvalidInput
from app.storage.db import db

PROCEDURE = SaveProcedure(
    code="1.000695",
    name="Cấp Giấy chứng nhận xuất xứ hàng hoá",
    level=4,
    agency_code="000.00.12.H31",
    duration_days=8,
    duration_unit="working_days",
    components=(ComponentRow(0, "TK.000001", "Đơn đề nghị", required=True),),
    steps=(StepRow(0, "appraisal", 2, ("chuyenvien",)),),
)


def test_a_valid_procedure_command_is_saved_with_its_rows(actors):
    assert save_procedure(PROCEDURE, actors["phantich"]) == "1.000695"
    with db.transaction() as session:
        saved = session.scalar(select(Procedure).where(Procedure.code == "1.000695"))
        assert saved.components == [
            {"type_code": "TK.000001", "name": "Đơn đề nghị", "required": True}
        ]
        assert (saved.step_durations, saved.step_officers) == (
            {"appraisal": 2},
            {"appraisal": ["chuyenvien"]},
        )


def test_a_procedures_rows_are_refused_at_the_index_they_came_from(actors):
    command = SaveProcedure(
        **{
            **PROCEDURE.__dict__,
            "components": (ComponentRow(3, "ZZ.000", "x"),),
            "steps": (StepRow(7, "appraisal", 400),),
            "duration_days": None,
            "model_version_id": 10**12,
        }
    )
    with pytest.raises(InvalidInput) as refused:
        save_procedure(command, actors["phantich"])
    fields = refused.value.fields
    assert {"component-3-type_code", "component-3-name", "step-7-days"} <= set(fields)
    assert {"duration_days", "model_version_id"} <= set(fields)
    with db.transaction() as session:
        assert session.scalar(select(Procedure).where(Procedure.code == "1.000695")) is None


@pytest.mark.parametrize("amount", [None, -1, 1_000_000_001])
def test_a_fee_amount_out_of_range_is_refused_by_the_service_too(actors, amount):
    with pytest.raises(InvalidInput) as refused:
        save_fee(SaveFee(code="P997", name="Phí thử", amount=amount), actors["phantich"])
    assert "amount" in refused.value.fields
    with db.transaction() as session:
        assert session.scalar(select(Fee).where(Fee.code == "P997")) is None


def test_a_procedure_put_to_work_without_a_result_type_is_a_located_problem(actors):
    """001 §IV.1: an active procedure bound to a model must name its result's catalogued code."""
    with db.transaction() as session:
        version_id = session.scalar(
            select(Procedure.model_version_id).where(Procedure.code == "2.000488")
        )
    with pytest.raises(InvalidInput) as refused:
        save_procedure(replace(PROCEDURE, model_version_id=version_id), actors["phantich"])
    assert "danh mục" in refused.value.fields["result_type_code"]
    # inactive, or not yet bound to a model, it may wait for the sync
    assert save_procedure(
        replace(PROCEDURE, active=False, model_version_id=version_id), actors["phantich"]
    )


def test_001_II_2_c_a_procedure_states_its_results_validity_and_scope(actors):
    with pytest.raises(InvalidInput) as refused:
        save_procedure(
            SaveProcedure(
                **{**PROCEDURE.__dict__, "result_validity_months": 0, "result_validity_scope": "x"}
            ),
            actors["phantich"],
        )
    assert {"result_validity_months", "result_validity_scope"} <= set(refused.value.fields)
    six_months = {**PROCEDURE.__dict__, "result_validity_months": 6}
    six_months["result_validity_scope"] = "province"
    save_procedure(SaveProcedure(**six_months), actors["phantich"])
    with db.transaction() as session:
        saved = session.scalar(select(Procedure).where(Procedure.code == "1.000695"))
        assert (saved.result_validity_months, saved.result_validity_scope) == (6, "province")
    save_procedure(PROCEDURE, actors["phantich"])  # empty: without a time limit, nationwide
    with db.transaction() as session:
        saved = session.scalar(select(Procedure).where(Procedure.code == "1.000695"))
        assert (saved.result_validity_months, saved.result_validity_scope) == (None, "national")
