"""Migration 0023 fills the six mandatory fields (001 §II.2.c) that old rows let one derive,
and leaves empty what they do not (shown missing on the documents list)."""

from __future__ import annotations

import itertools
import json

import pytest
import sqlalchemy as sa

from app.domain.document_metadata import missing
from app.storage.migrate import upgrade

_names = itertools.count()
COLUMNS = (
    "id, agency_id, state, source, type_code, owner_id_type, owner_id, owner_name, name, "
    "summary, valid_until, validity_scope, fields, pages, size, scan_sha256, file_sha256, "
    "originals, rotations, suggested, incoming_signatures, created_at, origin_id, storage_key"
)
CARD = {"document_number": "079095000123", "issued_on": "2021-03-15", "issuer": "Cục CS"}


def insert(connection, id_, source, *, summary="", valid_until=None, scope="", origin=None):
    values = {
        "id": id_,
        "source": source,
        "name": "Thẻ căn cước công dân",
        "summary": summary,
        "valid_until": valid_until,
        "scope": scope,
        "fields": json.dumps(CARD),
        "origin": origin,
        "key": f"079095000123.KQ.G01.000023.{id_}",
    }
    connection.execute(
        sa.text(
            f"INSERT INTO document ({COLUMNS}) VALUES (:id, 1, 'stored', :source, "  # noqa: S608
            "'KQ.G01.000023', 'cccd', '079095000123', 'Trần Thị Bình', :name, :summary, "
            ":valid_until, :scope, :fields, 1, 1, 'a', 'a', '[]', '[0]', '{}', '[]', "
            "'2025-01-01 00:00:00', :origin, :key)"
        ),
        values,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    """A database with no schema yet, on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    server = request.getfixturevalue("pg_server")
    name = f"m23_{next(_names)}"
    server.run(f"CREATE DATABASE {name}")
    return server.url(name)


def test_0023_derives_what_old_documents_allow_and_leaves_the_rest_missing(empty_url):
    url = empty_url
    upgrade(url, "0019")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO agency (id, code, name, active, level) "
                "VALUES (1, '000.00.12.H31', 'Sở Tư pháp', true, 2)"
            )
        )
        insert(connection, 1, "scan", valid_until="2036-03-15", scope="Toàn quốc")
        insert(connection, 2, "scan", summary="Đã có", scope="khắp nơi")
        insert(connection, 3, "result", summary="Kết quả giải quyết hồ sơ X")
        insert(connection, 4, "certified_copy", origin=1)
    upgrade(url, "0023")
    with engine.connect() as connection:
        rows = {
            r["id"]: r for r in connection.execute(sa.text("SELECT * FROM document")).mappings()
        }
        months = connection.execute(
            sa.text("SELECT count(*) FROM procedure WHERE result_validity_scope != 'national'")
        ).scalar()
    engine.dispose()
    summary = "Thẻ căn cước công dân số 079095000123 cấp ngày 15/03/2021 do Cục CS cấp"
    assert rows[1]["summary"] == summary
    assert (rows[1]["validity"], rows[1]["validity_scope"]) == ("until", "national")
    assert missing(rows[1]) == []
    # "Đã có" is kept; an empty end day was "not asked", not "indefinite"; words not a scope
    assert rows[2]["summary"] == "Đã có" and missing(rows[2]) == ["validity", "validity_scope"]
    assert (rows[3]["validity"], rows[3]["validity_scope"]) == ("indefinite", "national")
    assert missing(rows[3]) == []
    assert missing(rows[4]) == [] and rows[4]["summary"] == summary
    assert months == 0
