"""The agencies that perform a procedure (cơ quan thực hiện): its competent agency and the
agencies that also receive, process and return it on the shared system (path C2). An online
applicant chooses one of them (002 §4.a Bước 1, §5.a Bước 1: "lựa chọn dịch vụ công, cơ quan
thực hiện phù hợp"); the dossier then belongs to that agency as if received at its counter."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.i18n import _l
from app.models import Agency, Procedure
from app.services.core.errors import InvalidInput

# Prefixes of a commune's agency name that an address does not repeat ("UBND xã Tân Hưng").
_NAME_PREFIXES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")
COMMUNE_LEVEL = 3


@dataclass(frozen=True)
class Performer:
    """One agency the applicant may choose."""

    code: str
    name: str
    commune: bool
    home: bool  # the commune named in the applicant's address


def performing(procedure: Procedure) -> list[Agency]:
    """The active agencies performing `procedure`: its own agency, then the co-executing ones."""
    seen: set[int] = set()
    found = []
    for agency in (procedure.agency, *procedure.agencies):
        if agency is not None and agency.active and agency.id not in seen:
            seen.add(agency.id)
            found.append(agency)
    return found


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _place(agency: Agency) -> str:
    """The commune's own name as an address writes it ("xã Tân Hưng")."""
    name = _norm(agency.name)
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _lives_in(agency: Agency, address: str) -> bool:
    """Whether `address` names this commune (level 3) as a whole comma-separated part."""
    if agency.level != COMMUNE_LEVEL or not address:
        return False
    parts = [_norm(p) for p in address.split(",")]
    return _place(agency) in parts


def choices(procedure: Procedure, address: str | None = None) -> list[Performer]:
    """The agencies to choose from: the applicant's commune first where it performs the
    procedure (002 §5.a Bước 1), then the procedure's own agency and the co-executing ones."""
    agencies = performing(procedure)
    ranked = sorted(agencies, key=lambda a: not _lives_in(a, address or ""))
    return [
        Performer(a.code, a.name, a.level == COMMUNE_LEVEL, _lives_in(a, address or ""))
        for a in ranked
    ]


def chosen(procedure: Procedure, agency_code: str) -> Agency:
    """The agency an online applicant chose: one that performs the procedure and is active;
    may be left out only when a single agency performs it. Refused (InvalidInput on field
    `agency`) otherwise, naming the code."""
    agencies = performing(procedure)
    code = (agency_code or "").strip()
    if not code:
        if len(agencies) == 1:
            return agencies[0]
        raise InvalidInput(
            _l("Chọn cơ quan thực hiện"),
            fields={"agency": _l("Thủ tục này do nhiều cơ quan thực hiện: chọn một cơ quan")},
        )
    for agency in agencies:
        if agency.code == code:
            return agency
    if code in inactive_codes(procedure):
        message = inactive_message(code)
    else:
        message = not_performing_message(code)
    raise InvalidInput(message, fields={"agency": message})


def inactive_codes(procedure: Procedure) -> list[str]:
    """Codes of the procedure's agencies that no longer operate (merged or abolished)."""
    return [a.code for a in (procedure.agency, *procedure.agencies) if a and not a.active]


def inactive_message(code: str) -> str:
    """Why an agency that stopped operating cannot be chosen."""
    return _l("Cơ quan %(code)s đã ngừng hoạt động; chọn cơ quan khác", code=code[:32])


def not_performing_message(code: str) -> str:
    """Why an agency outside the procedure's performers cannot be chosen."""
    return _l("Cơ quan %(code)s không thực hiện thủ tục này", code=code[:32])
