"""Administrative units after 1 July 2025 (34 provinces, 3,321 communes and wards, no
districts), from the `vietnam-provinces` package: codes are 2 digits for a province and 5 for a
commune or ward."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vietnam_provinces import Province, Ward

from app.i18n import _l


@dataclass(frozen=True)
class AdminUnit:
    code: str
    name: str
    level: str  # province | commune
    province_code: str
    province_name: str

    @property
    def label(self) -> str:
        if self.level == "province":
            return self.name
        return f"{self.name}, {self.province_name}"


@lru_cache(maxsize=1)
def _units() -> dict[str, AdminUnit]:
    provinces = {
        f"{int(p.code):02d}": AdminUnit(f"{int(p.code):02d}", p.name, "province", "", "")
        for p in Province.iter_all()
    }
    units = dict(provinces)
    for ward in Ward.iter_all():
        province = provinces[f"{int(ward.province_code):02d}"]
        code = f"{int(ward.code):05d}"
        units[code] = AdminUnit(code, ward.name, "commune", province.code, province.name)
    return units


def admin_unit(code: str) -> AdminUnit:
    """The unit with this code; ValueError with a Vietnamese message when there is none."""
    code = (code or "").strip()
    found = _units().get(code)
    if found is None:
        raise ValueError(
            _l(
                "Không có đơn vị hành chính mã «%(code)s» (tỉnh: 2 chữ số, xã/phường: 5 chữ số)",
                code=code,
            )
        )
    return found


def provinces() -> list[AdminUnit]:
    return [u for u in _units().values() if u.level == "province"]


def communes_of(province_code: str) -> list[AdminUnit]:
    return [u for u in _units().values() if u.province_code == province_code]


def all_units() -> list[AdminUnit]:
    """Every province, then every commune and ward, in the package's order."""
    return list(_units().values())
