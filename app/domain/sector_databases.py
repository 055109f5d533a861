"""Sector databases (cơ sở dữ liệu chuyên ngành) a procedure's result may be registered in.

001 §II.1 Bước 5: the coded e-result is stored "in the national database, or the sector
database, or the warehouse of the ministry's or province's system"; 001 §II.2.b Bước 6: its
attributes go to the system's warehouse and to the national or sector database where there is
one, found by the result's document-type code and the owner's identifier (CCCD/passport for a
person, tax code for a business); 001 §II.2.c Bước 3: the signed result is stored there and the
system keeps the link. A database is named by a short code; where it listens is a setting of
this installation (`url_setting`, read from the environment like every other).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.messages import N_


@dataclass(frozen=True)
class SectorDatabase:
    code: str
    short_name: str
    name: str
    url_setting: str


SECTOR_DATABASES: dict[str, SectorDatabase] = {
    db.code: db
    for db in (
        SectorDatabase(
            "DKKD",
            N_("ĐKKD"),
            N_("Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"),
            "SECTOR_DB_DKKD_URL",
        ),
        SectorDatabase(
            "HTDT",
            N_("HTĐT"),
            N_("Cơ sở dữ liệu hộ tịch điện tử toàn quốc"),
            "SECTOR_DB_HTDT_URL",
        ),
    )
}


def url_of(code: str, config: Any) -> str:
    """Where database `code` listens in this installation ("" when unknown or not set)."""
    database = SECTOR_DATABASES.get(code)
    return str(getattr(config, database.url_setting, "") or "") if database else ""


def idempotency_key(database: str, record: dict[str, Any]) -> str:
    """One key per result and database: every send of the same issued result (a retry, a
    supervisor's retry, a model's own step) is the same registration."""
    return f"sector:{database}:{record['result']['number']}"
