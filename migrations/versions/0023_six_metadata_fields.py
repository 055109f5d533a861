"""The six mandatory metadata fields of every document (001 §II.2.c "Một số yêu cầu")

- document.validity ("until" | "indefinite"; NULL on rows stored before it was asked),
  document.valid_from, and for owners without a CCCD document.owner_birth_year,
  owner_id_issued_on, owner_id_issuer;
- procedure.result_validity_months (NULL: without a time limit) and result_validity_scope;
- what old rows let one derive is filled: "until" where an end day was typed; a result's
  validity and scope from its procedure (none configured before: without a time limit,
  nationwide); a scope typed as the words of a known one; an empty summary from the
  document's name, number, issue date and issuer; a certified copy from its origin. What
  cannot be derived (an empty end day meant "not asked", not "indefinite") stays empty and the
  documents list shows it missing.

Revision ID: 0023
Revises: 0022
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SCOPE_WORDS = {
    "toàn quốc": "national",
    "trong phạm vi tỉnh, thành phố nơi cấp": "province",
    "trong phạm vi xã, phường, đặc khu nơi cấp": "commune",
    "trong phạm vi cơ quan, tổ chức cấp": "agency",
}


def _summary(name: str, fields: dict) -> str:
    """As app.domain.document_metadata.describe (kept here: a migration does not change)."""
    parts = [" ".join((name or "").split())]
    number = " ".join(str(fields.get("document_number") or "").split())
    if number:
        parts.append(f"số {number}")
    try:
        issued = date.fromisoformat(str(fields.get("issued_on") or "")[:10])
        parts.append(f"cấp ngày {issued:%d/%m/%Y}")
    except ValueError:
        pass
    issuer = " ".join(str(fields.get("issuer") or "").split())
    if issuer:
        parts.append(f"do {issuer} cấp")
    return " ".join(p for p in parts if p)[:2000]


def upgrade() -> None:
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("validity", sa.String(16), nullable=True))
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("owner_birth_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("owner_id_issued_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("owner_id_issuer", sa.String(255), nullable=True))
    with op.batch_alter_table("procedure") as batch:
        batch.add_column(sa.Column("result_validity_months", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "result_validity_scope",
                sa.String(16),
                nullable=False,
                server_default="national",
            )
        )
    op.execute("UPDATE document SET validity = 'until' WHERE valid_until IS NOT NULL")
    op.execute(
        "UPDATE document SET validity = 'indefinite' "
        "WHERE source = 'result' AND valid_until IS NULL"
    )
    op.execute(
        "UPDATE document SET validity_scope = 'national' "
        "WHERE source = 'result' AND coalesce(validity_scope, '') = ''"
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, name, summary, validity_scope, fields FROM document")
    ).all()
    for row in rows:
        values = {}
        scope = " ".join((row.validity_scope or "").split()).casefold()
        if scope in SCOPE_WORDS:
            values["validity_scope"] = SCOPE_WORDS[scope]
        if not (row.summary or "").strip() and (row.name or "").strip():
            fields = row.fields if isinstance(row.fields, dict) else json.loads(row.fields or "{}")
            values["summary"] = _summary(row.name, fields or {})
        if values:
            sets = ", ".join(f"{key} = :{key}" for key in values)
            bind.execute(
                sa.text(f"UPDATE document SET {sets} WHERE id = :id"), {**values, "id": row.id}  # nosec B608
            )  # noqa: S608 # nosec B608 - column names are the constants above
    origin = "(SELECT o.{0} FROM document o WHERE o.id = document.origin_id)"
    copied = ("summary", "validity", "valid_until", "validity_scope")
    op.execute(
        "UPDATE document SET "  # nosec B608
        + ", ".join(f"{column} = {origin.format(column)}" for column in copied)
        + " WHERE source = 'certified_copy' AND origin_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("procedure") as batch:
        batch.drop_column("result_validity_scope")
        batch.drop_column("result_validity_months")
    with op.batch_alter_table("document") as batch:
        batch.drop_column("owner_id_issuer")
        batch.drop_column("owner_id_issued_on")
        batch.drop_column("owner_birth_year")
        batch.drop_column("valid_from")
        batch.drop_column("validity")
