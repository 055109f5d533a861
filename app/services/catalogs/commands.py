"""What an edit of a catalog (danh mục) asks for, as typed values: the services' input.

The web layer builds these from a posted form (`app/web/catalog_forms.py`): text trimmed, check
boxes as booleans, numbers as numbers, repeated rows as tuples. It refuses what has the wrong
shape (a number that is not one, a row index out of range); the services then check what the
values mean (code formats, lengths, that a code exists in another catalog). They live beside
the services that take them, so a capability's contract is read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SaveDocumentType:
    """Add or change one document type (loại giấy tờ)."""

    code: str
    name: str
    description: str = ""
    active: bool = True
    # thời hạn lưu trữ (001 §II.1): years, or permanent; neither when not decided yet
    retention_years: int | None = None
    retention_permanent: bool = False


@dataclass(frozen=True)
class SaveFee:
    """Add or change one fee (phí, lệ phí); `amount` in đồng, None when not given."""

    code: str
    name: str
    amount: int | None
    note: str = ""
    active: bool = True


@dataclass(frozen=True)
class SaveAgency:
    """Add or change one agency (cơ quan); `level` None when not given."""

    code: str
    name: str
    level: int | None
    parent_code: str = ""
    admin_unit_code: str = ""
    treasury_account: str = ""
    active: bool = True


@dataclass(frozen=True)
class ComponentRow:
    """One component (thành phần hồ sơ) of a procedure; `index` locates it on the form."""

    index: int
    type_code: str
    name: str
    required: bool = False


@dataclass(frozen=True)
class StepRow:
    """One step's duration and officers; `index` locates it on the form."""

    index: int
    element_id: str
    days: float | None = None
    officers: tuple[str, ...] = ()


@dataclass(frozen=True)
class SaveProcedure:
    """Add or change one procedure (thủ tục hành chính) with its components and steps."""

    code: str
    name: str
    level: int | None
    agency_code: str
    duration_days: float | None
    duration_unit: str
    sector: str = ""
    agency_codes: tuple[str, ...] = ()
    duration_online_days: float | None = None
    supplement_clock: str = "pause"
    result_type_code: str = ""
    fee_codes: tuple[str, ...] = ()
    components: tuple[ComponentRow, ...] = ()
    steps: tuple[StepRow, ...] = ()
    model_version_id: int | None = None
    result_e_only: bool = False
    receive_anywhere: bool = False
    active: bool = True
    pay_at_submission: bool = False
    # the result's validity in months (None: without a time limit) and scope, 001 §II.2.c
    result_validity_months: int | None = None
    result_validity_scope: str = "national"
    # the sector database the result is registered in (001 §II.1 Bước 5), "" for none
    sector_database: str = ""
