"""Owner identifiers: CCCD (12 digits), old CMND (9), passport, tax code (MST)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CCCD = re.compile(r"^\d{12}$")
CMND = re.compile(r"^\d{9}$")
PASSPORT = re.compile(r"^[A-Z]\d{7,8}$")
MST = re.compile(r"^\d{10}(-?\d{3})?$")
_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

KINDS = ("cccd", "cmnd", "passport", "tax_code")


@dataclass(frozen=True)
class Identifier:
    kind: str
    value: str


def _mst_ok(value: str) -> bool:
    digits = value.replace("-", "")[:10]
    total = sum(int(d) * w for d, w in zip(digits[:9], _MST_WEIGHTS, strict=True))
    return (10 - total % 11) % 10 == int(digits[9])


def validate_identifier(kind: str, value: str) -> Identifier:
    """Normalise and check an identifier; ValueError with a Vietnamese message when wrong."""
    value = (value or "").strip().upper()
    if kind == "cccd":
        if not CCCD.match(value):
            raise ValueError("Số CCCD phải gồm đúng 12 chữ số")
        if int(value[:3]) == 0 or int(value[:3]) > 96:
            raise ValueError("Mã tỉnh nơi đăng ký khai sinh trong số CCCD không hợp lệ")
    elif kind == "cmnd":
        if not CMND.match(value):
            raise ValueError("Số CMND phải gồm đúng 9 chữ số")
    elif kind == "passport":
        if not PASSPORT.match(value):
            raise ValueError("Số hộ chiếu phải gồm 1 chữ cái và 7–8 chữ số")
    elif kind == "tax_code":
        if not MST.match(value) or not _mst_ok(value):
            raise ValueError("Mã số thuế không hợp lệ (10 hoặc 13 chữ số, sai số kiểm tra)")
    else:
        raise ValueError(f"Loại giấy tờ định danh không hỗ trợ: {kind}")
    return Identifier(kind, value)
