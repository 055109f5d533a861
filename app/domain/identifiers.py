"""Owner identifiers: CCCD (12 digits), old CMND (9), passport, tax code (MST), and a state
agency's identification code (mã định danh cơ quan, Decision 20/2020/QĐ-TTg)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst as stdnum_mst

from app.domain.codes import is_agency_code
from app.i18n import _l

CCCD = re.compile(r"^\d{12}$")
CMND = re.compile(r"^\d{9}$")
PASSPORT = re.compile(r"^[A-Z]\d{7,8}$")
# Province-of-birth codes that open a CCCD number (Circular 07/2016/TT-BCA, 63 provinces).
CCCD_PROVINCES = frozenset(
    (
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    )
)

KINDS = ("cccd", "cmnd", "passport", "tax_code", "agency_code")
# Who may be a person (a grantee under a power of attorney, a citizen's account).
PERSONAL_KINDS = ("cccd", "cmnd", "passport")


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


def _mst(value: str) -> str | None:
    """The tax code normalised (10 digits, or 10-3 for a branch), or None when invalid."""
    try:
        digits = stdnum_mst.validate(value)
    except StdnumError:
        return None
    return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"


def validate_identifier(kind: str, value: str) -> Identifier:
    """Normalise and check an identifier; ValueError with a Vietnamese message when wrong."""
    value = (value or "").strip().upper()
    if kind == "cccd":
        if not CCCD.match(value):
            raise ValueError(_l("Số CCCD phải gồm đúng 12 chữ số"))
        if value[:3] not in CCCD_PROVINCES:
            raise ValueError(_l("Mã tỉnh nơi đăng ký khai sinh trong số CCCD không hợp lệ"))
    elif kind == "cmnd":
        if not CMND.match(value):
            raise ValueError(_l("Số CMND phải gồm đúng 9 chữ số"))
    elif kind == "passport":
        if not PASSPORT.match(value):
            raise ValueError(_l("Số hộ chiếu phải gồm 1 chữ cái và 7–8 chữ số"))
    elif kind == "tax_code":
        normalised = _mst(value)
        if normalised is None:
            raise ValueError(_l("Mã số thuế không hợp lệ (10 hoặc 13 chữ số, sai số kiểm tra)"))
        value = normalised
    elif kind == "agency_code":
        # a state agency owning the dossier (001 §II.1 Bước 2: "cơ quan, tổ chức (mã định danh
        # cơ quan...)"), by the same code rule as the agency catalogue
        # ASCII only: `\d` would also take other scripts' digits ("٠٠٠.٠٠.١٥.H31")
        if not value.isascii() or not is_agency_code(value):
            raise ValueError(
                _l("Mã định danh cơ quan phải có dạng 000.00.12.H31 (QĐ 20/2020/QĐ-TTg)")
            )
    else:
        raise ValueError(_l("Loại giấy tờ định danh không hỗ trợ: %(kind)s", kind=kind))
    return Identifier(kind, value)
